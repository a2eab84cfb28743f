"""Synthetic knowledge-base content for load tests and benchmarks.

Everything made here is recognisable: every slug starts with ``syn-`` and every source has the
publisher ``SYNTHETIC_PUBLISHER``, so `non_synthetic_content()` can tell exactly whether a
database holds anything a curator wrote. Rows go in with `bulk_create`, which skips `save()`
and its signals: the markdown receiver (so notes are rendered here, once per distinct text)
and simple_history (synthetic claims need no history).
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils.text import slugify
from taggit.models import Tag

from comparisons.models import Comparison, ComparisonFramework
from knowledge.markdown import render_markdown
from knowledge.models import (
    Category,
    Citation,
    Claim,
    ClaimRank,
    ClaimStatus,
    Feature,
    Framework,
    Release,
    Source,
    SourceKind,
    SupportLevel,
    TaggedFeature,
    TaggedFramework,
)

SLUG_PREFIX = "syn-"
SYNTHETIC_PUBLISHER = "citegrid synthetic data"
# Rows per INSERT; the backend lowers it where it must (SQLite allows 999 parameters).
BATCH_SIZE = 2000
# A category holds about this many features unless --categories says otherwise, so "one
# category" is the same amount of work however many features are stored.
FEATURES_PER_CATEGORY = 100

# Shares of cells, drawn per cell with a seeded generator (so runs are reproducible).
EMPTY_CELL_SHARE = 0.05
DISAGREEING_SHARE = 0.06
DRAFT_SHARE = 0.03
NOTE_SHARE = 0.3

_SYLLABLES = [
    "ar", "bel", "cor", "dax", "el", "fen", "gor", "hal", "ix", "jun", "kes", "lum", "mar",
    "nov", "or", "pel", "quin", "ros", "sol", "tav", "ur", "vex", "wyn", "xal", "yor", "zen",
]  # fmt: skip
_LANGUAGES = ["Python", "Python", "Python", "JavaScript", "Go", "Rust", "Ruby", "Java"]
_LICENCES = ["BSD-3-Clause", "MIT", "Apache-2.0", "MPL-2.0", "LGPL-3.0"]
_ADJECTIVES = [
    "Async", "Typed", "Declarative", "Built-in", "Pluggable", "Streaming", "Cached",
    "Versioned", "Scoped", "Nested", "Lazy", "Batched", "Signed", "Localised", "Composable",
]  # fmt: skip
_NOUNS = [
    "routing", "ORM queries", "migrations", "templates", "sessions", "authentication",
    "permissions", "form validation", "serialisation", "caching", "task queues", "websockets",
    "admin screens", "file uploads", "rate limiting", "logging", "settings", "test client",
    "middleware", "signals", "OpenAPI schemas", "dependency injection", "GraphQL",
]  # fmt: skip
_CATEGORY_WORDS = [
    "Data layer", "Web layer", "Security", "Operations", "Developer experience", "Testing",
    "Frontend", "APIs", "Background work", "Internationalisation", "Observability",
]  # fmt: skip
_NOTES = [
    "Works out of the box; see the **{topic}** section of the documentation.",
    "Only with the `{topic}` extra installed.\n\n- needs configuration\n- documented",
    "Sources disagree: the docs say *yes*, a 2024 survey says *partial*.",
    "Since version {version}; earlier releases need a third-party package.",
    "Supported, but the [guide](https://example.org/syn/guide) calls it experimental.",
    "Partial: `{topic}` works for reads only.",
    "Deprecated in {version} and due for removal.",
    "> Quoted from the changelog of {version}.\n\nStill true in the latest release.",
]  # fmt: skip
_QUOTES = [
    "The framework ships {topic} as part of its core.",
    "{topic} is available through an official extension.",
    "Support for {topic} is limited to the synchronous API.",
    "There is no built-in support for {topic}; users combine third-party packages.",
    "Since {version}, {topic} can be configured per project.",
]
_SUPPORT_WEIGHTS = [
    (SupportLevel.YES, 50),
    (SupportLevel.PARTIAL, 15),
    (SupportLevel.EXTENSION, 15),
    (SupportLevel.NO, 15),
    (SupportLevel.UNKNOWN, 3),
    (SupportLevel.NOT_APPLICABLE, 2),
]


@dataclass(frozen=True)
class SeedReport:
    frameworks: int
    categories: int
    features: int
    sources: int
    claims: int
    citations: int


def non_synthetic_content() -> list[str]:
    """Name the kinds of content in the database that this module did not make."""
    checks = [
        ("categories", Category.objects.exclude(slug__startswith=SLUG_PREFIX)),
        ("features", Feature.objects.exclude(slug__startswith=SLUG_PREFIX)),
        ("frameworks", Framework.objects.exclude(slug__startswith=SLUG_PREFIX)),
        ("sources", Source.objects.exclude(publisher=SYNTHETIC_PUBLISHER)),
        ("comparisons", Comparison.objects.exclude(slug__startswith=SLUG_PREFIX)),
    ]
    return [name for name, queryset in checks if queryset.exists()]


def delete_synthetic_content() -> None:
    """Remove what an earlier seed made, and nothing else."""
    claims = Claim.objects.filter(framework__slug__startswith=SLUG_PREFIX)
    Citation.objects.filter(claim__in=claims).delete()
    # Raw delete: the ORM would load every claim to send post_delete for simple_history,
    # and synthetic claims have no history (bulk_create made them).
    claims._raw_delete(claims.db)
    Comparison.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    Source.objects.filter(publisher=SYNTHETIC_PUBLISHER).delete()
    Feature.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    Category.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    Framework.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    Tag.objects.filter(slug__startswith=SLUG_PREFIX).delete()


def seed(
    *,
    frameworks: int,
    features: int,
    categories: int | None = None,
    citations_per_claim: int = 2,
    random_seed: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> SeedReport:
    """Replace the synthetic content with frameworks × features fresh cells, in one transaction.

    The caller checks `non_synthetic_content()` first; this only ever deletes synthetic rows.
    """
    if frameworks < 1 or features < 1:
        raise ValueError("Need at least one framework and one feature.")
    if categories is None:
        categories = math.ceil(features / FEATURES_PER_CATEGORY)
    if not 1 <= categories <= features:
        raise ValueError("Categories must be between 1 and the number of features.")
    if citations_per_claim < 0:
        raise ValueError("Citations per claim cannot be negative.")
    builder = _Builder(random.Random(random_seed), progress or (lambda *args: None))
    with transaction.atomic():
        delete_synthetic_content()
        return builder.build(frameworks, features, categories, citations_per_claim)


class _Builder:
    def __init__(self, rng: random.Random, progress: Callable[[str, int, int], None]):
        self.rng = rng
        self.progress = progress
        self.note_html: dict[str, str] = {}
        self.versions: dict[str, str] = {}  # framework slug -> its one release

    def build(self, n_frameworks, n_features, n_categories, citations_per_claim):
        tags = self.tags()
        frameworks = self.frameworks(n_frameworks, tags)
        categories = self.categories(n_categories)
        features = self.features(n_features, categories, tags)
        sources_by_framework, shared_sources = self.sources(frameworks)
        claims = self.claims(frameworks, features)
        citations = self.citations(
            claims, sources_by_framework, shared_sources, citations_per_claim
        )
        self.comparisons(frameworks, categories)
        sources = sum(len(s) for s in sources_by_framework.values()) + len(shared_sources)
        return SeedReport(
            frameworks=len(frameworks),
            categories=len(categories),
            features=len(features),
            sources=sources,
            claims=len(claims),
            citations=citations,
        )

    # -- names --------------------------------------------------------------------------------

    def word(self, syllables):
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()

    def note(self, topic, version):
        text = self.rng.choice(_NOTES).format(topic=topic, version=version)
        if text not in self.note_html:
            self.note_html[text] = render_markdown(text)
        return text, self.note_html[text]

    # -- rows ---------------------------------------------------------------------------------

    def tags(self):
        names = ["async", "typed", "batteries", "minimal", "enterprise", "beta"]
        return Tag.objects.bulk_create(
            [Tag(name=f"{SLUG_PREFIX}{name}", slug=f"{SLUG_PREFIX}{name}") for name in names]
        )

    def frameworks(self, count, tags):
        rows, seen = [], set()
        for n in range(count):
            name = self.word(2)
            while name in seen:
                name = f"{self.word(2)} {n}"
            seen.add(name)
            slug = f"{SLUG_PREFIX}{slugify(name)}-{n}"
            rows.append(
                Framework(
                    name=name,
                    slug=slug,
                    summary=f"A synthetic {self.rng.choice(_LANGUAGES)} web framework.",
                    description=f"{name} exists only to exercise citegrid at scale.",
                    description_html=render_markdown(
                        f"{name} exists only to exercise citegrid at scale."
                    ),
                    homepage=f"https://example.org/syn/{slug}",
                    repository_url=f"https://example.org/syn/{slug}/code",
                    documentation_url=f"https://example.org/syn/{slug}/docs",
                    language=self.rng.choice(_LANGUAGES),
                    licence=self.rng.choice(_LICENCES),
                    first_release_year=self.rng.randint(2005, 2024),
                )
            )
            self.versions[slug] = f"{self.rng.randint(1, 6)}.{self.rng.randint(0, 12)}"
        frameworks = Framework.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        Release.objects.bulk_create(
            [
                Release(
                    framework=framework,
                    version=self.versions[framework.slug],
                    released_on=date(2024, 1, 1) + timedelta(days=self.rng.randint(0, 700)),
                )
                for framework in frameworks
            ],
            batch_size=BATCH_SIZE,
        )
        TaggedFramework.objects.bulk_create(
            [
                TaggedFramework(content_object=framework, tag=tag)
                for framework in frameworks
                for tag in self.rng.sample(tags, 2)
            ],
            batch_size=BATCH_SIZE,
        )
        return frameworks

    def categories(self, count):
        rows = []
        for n in range(count):
            name = f"{_CATEGORY_WORDS[n % len(_CATEGORY_WORDS)]} {n // len(_CATEGORY_WORDS) + 1}"
            rows.append(
                Category(
                    name=f"Syn {name}",
                    slug=f"{SLUG_PREFIX}{slugify(name)}",
                    order=n,
                    description=f"Synthetic category {n + 1}.",
                    description_html=render_markdown(f"Synthetic category {n + 1}."),
                )
            )
        return Category.objects.bulk_create(rows, batch_size=BATCH_SIZE)

    def features(self, count, categories, tags):
        rows = []
        per_category = math.ceil(count / len(categories))
        for n in range(count):
            name = f"{self.rng.choice(_ADJECTIVES)} {self.rng.choice(_NOUNS)} {n + 1}"
            rows.append(
                Feature(
                    name=name,
                    slug=f"{SLUG_PREFIX}{slugify(name)}",
                    category=categories[min(n // per_category, len(categories) - 1)],
                    description=f"Whether the framework offers *{name.lower()}*.",
                    description_html=render_markdown(
                        f"Whether the framework offers *{name.lower()}*."
                    ),
                    order=n % per_category,
                )
            )
        features = Feature.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        TaggedFeature.objects.bulk_create(
            [
                TaggedFeature(content_object=feature, tag=self.rng.choice(tags))
                for feature in features
                if self.rng.random() < 0.5
            ],
            batch_size=BATCH_SIZE,
        )
        return features

    def sources(self, frameworks):
        today = date.today()
        by_framework = {}
        rows = []
        for framework in frameworks:
            for page in ("docs", "changelog", "tutorial"):
                rows.append(
                    Source(
                        title=f"{framework.name} {page}",
                        url=f"https://example.org/syn/{framework.slug}/{page}",
                        publisher=SYNTHETIC_PUBLISHER,
                        kind=SourceKind.DOCUMENTATION,
                        published_date=today - timedelta(days=self.rng.randint(30, 2000)),
                        accessed_date=today - timedelta(days=self.rng.randint(0, 400)),
                    )
                )
        shared_count = max(5, len(frameworks) // 2)
        for n in range(shared_count):
            rows.append(
                Source(
                    title=f"Synthetic survey of web frameworks, part {n + 1}",
                    url=f"https://example.org/syn/survey/{n + 1}",
                    publisher=SYNTHETIC_PUBLISHER,
                    author="A. Synthetic",
                    kind=self.rng.choice([SourceKind.SURVEY, SourceKind.ARTICLE]),
                    published_date=today - timedelta(days=self.rng.randint(30, 2000)),
                )
            )
        sources = Source.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        for index, framework in enumerate(frameworks):
            by_framework[framework.pk] = sources[index * 3 : index * 3 + 3]
        return by_framework, sources[len(frameworks) * 3 :]

    def claims(self, frameworks, features):
        total = len(frameworks) * len(features)
        levels = [level for level, _ in _SUPPORT_WEIGHTS]
        weights = [weight for _, weight in _SUPPORT_WEIGHTS]
        rng = self.rng
        batch, made, done = [], [], 0
        for framework in frameworks:
            version = self.versions[framework.slug]
            for feature in features:
                done += 1
                if rng.random() < EMPTY_CELL_SHARE:
                    continue
                support = rng.choices(levels, weights)[0]
                batch.append(self.claim(framework, feature, "main", support, version))
                if rng.random() < DISAGREEING_SHARE:
                    other = rng.choice([level for level in levels if level != support])
                    claim = self.claim(framework, feature, "survey", other, version)
                    claim.rank = ClaimRank.NORMAL
                    batch.append(claim)
                if rng.random() < DRAFT_SHARE:
                    claim = self.claim(framework, feature, "draft", support, version)
                    claim.status = ClaimStatus.DRAFT
                    claim.rank = ClaimRank.NORMAL
                    batch.append(claim)
                if len(batch) >= BATCH_SIZE:
                    made.extend(Claim.objects.bulk_create(batch, batch_size=BATCH_SIZE))
                    batch = []
                    self.progress("claims", done, total)
        made.extend(Claim.objects.bulk_create(batch, batch_size=BATCH_SIZE))
        self.progress("claims", total, total)
        return made

    def claim(self, framework, feature, key, support, version):
        topic = feature.name.lower()
        note, note_html = ("", "")
        if self.rng.random() < NOTE_SHARE:
            note, note_html = self.note(topic, version)
        return Claim(
            framework=framework,
            feature=feature,
            key=key,
            statement=f"{framework.name}: {topic} — {support.label.lower()}.",
            support=support,
            value=version if support == SupportLevel.YES and self.rng.random() < 0.2 else "",
            note=note,
            note_html=note_html,
            as_of_version=version,
            status=ClaimStatus.PUBLISHED,
            rank=ClaimRank.PREFERRED,
        )

    def citations(self, claims, sources_by_framework, shared_sources, per_claim):
        total, made, batch = len(claims), 0, []
        for done, claim in enumerate(claims, start=1):
            # A claim cites each source at most once (a database constraint).
            pool = sources_by_framework[claim.framework_id]
            chosen = [self.rng.choice(pool)]
            if per_claim > 1:
                chosen += self.rng.sample(shared_sources, min(per_claim - 1, len(shared_sources)))
            topic = claim.statement
            for source in chosen[:per_claim]:
                quote = self.rng.choice(_QUOTES).format(
                    topic=topic.split(": ", 1)[-1].split(" — ")[0],
                    version=claim.as_of_version,
                )
                batch.append(
                    Citation(
                        claim=claim,
                        source=source,
                        quote=quote,
                        locator=f"§ {self.rng.randint(1, 40)}",
                    )
                )
            if len(batch) >= BATCH_SIZE:
                made += len(Citation.objects.bulk_create(batch, batch_size=BATCH_SIZE))
                batch = []
                self.progress("citations", done, total)
        made += len(Citation.objects.bulk_create(batch, batch_size=BATCH_SIZE))
        self.progress("citations", total, total)
        return made

    def comparisons(self, frameworks, categories):
        for n in range(min(3, len(frameworks) // 2)):
            chosen = self.rng.sample(frameworks, min(len(frameworks), 2 + n))
            comparison = Comparison.objects.create(
                title=" vs ".join(framework.name for framework in chosen),
                slug=f"{SLUG_PREFIX}comparison-{n + 1}",
                intro="A synthetic comparison.",
            )
            ComparisonFramework.objects.bulk_create(
                [
                    ComparisonFramework(comparison=comparison, framework=framework, order=i)
                    for i, framework in enumerate(chosen)
                ]
            )
            comparison.categories.set(categories[: 1 + n])
