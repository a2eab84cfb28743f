"""A small data set whose every free-text field holds a hostile payload.

Every CharField and TextField that a curator can fill in (found from the models, so a field
added later is planted too) gets a payload; field j of object i gets payload i + offset(j), so
with one claim per payload every payload sits in every claim field, including the markdown
`note`, and the other models get their own slices of the corpus. URL fields cannot hold the
payloads (the validators refuse them, tested in test_url_validation.py): they get http(s) URLs
that the validator accepts but that would still break out of an unescaped attribute.
"""

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history
from taggit.models import Tag

from comparisons.models import Comparison, ComparisonFramework
from knowledge.models import (
    Category,
    Citation,
    Claim,
    ClaimRank,
    ClaimStatus,
    Feature,
    Framework,
    Source,
    SupportLevel,
    TaggedFeature,
    TaggedFramework,
)
from knowledge.signals import render_markdown_fields
from knowledge.validators import http_url_validator
from suggestions.models import Suggestion, SuggestionStatus

from .payloads import all_payloads

# Accepted by http_url_validator, yet each would escape an unescaped href="…".
HOSTILE_HTTP_URLS = (
    'https://example.org/"><script>alert(1)</script>',
    "https://example.org/'/onmouseover='alert(1)'",
    'https://example.org/?q="onmouseover="window.__xss=1',
    'https://example.org/#"><img/src=x/onerror=alert(1)>',
    "https://example.org/</a><script>window.__xss=1</script>",
    "http://example.org/javascript:alert(1)",
    "https://example.org/x?a=1&b=<svg/onload=alert(1)>",
)

FRAMEWORKS = 12
FEATURES = 24
CATEGORIES = 6
SOURCES = 24
COMPARISONS = 4
TAGS = 12
SUGGESTIONS = 6


@dataclass
class PlantedData:
    categories: list = field(default_factory=list)
    features: list = field(default_factory=list)
    frameworks: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    citations: list = field(default_factory=list)
    comparisons: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    # Readers' suggestions: no public page, only the admin's queue.
    suggestions: list = field(default_factory=list)

    def objects(self):
        """Every planted object that has a page of its own."""
        return [
            *self.categories,
            *self.features,
            *self.frameworks,
            *self.sources,
            *self.claims,
            *self.comparisons,
        ]


def planted_text_fields(model):
    """The free-text fields of `model` a curator fills in (not slugs, choices or URLs)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.SlugField | models.URLField)
        and f.editable
        and not f.choices
    ]


def _fill(obj, index, *, seed):
    payloads = all_payloads()
    for j, model_field in enumerate(planted_text_fields(type(obj))):
        payload = payloads[(index + seed + 53 * j) % len(payloads)]
        if model_field.unique:
            payload = f"{payload} #{index}"
        limit = model_field.max_length
        if limit and len(payload) > limit:
            suffix = f" #{index}" if model_field.unique else ""
            payload = payload[: limit - len(suffix)] + suffix
        setattr(obj, model_field.name, payload)
    for model_field in type(obj)._meta.concrete_fields:
        if isinstance(model_field, models.URLField):
            url = HOSTILE_HTTP_URLS[(index + seed) % len(HOSTILE_HTTP_URLS)]
            if model_field.unique or type(obj) is Source:
                url = f"{url}&n={index}"
            http_url_validator(url)  # the point: the validator lets it through
            setattr(obj, model_field.name, url)
    return obj


# One transaction: PostgreSQL refuses a published claim committed before its citation.
@transaction.atomic
def plant_payloads():
    """Create the data set and return it; every claim is published so every page shows it."""
    data = PlantedData()
    data.categories = _create(
        Category, [Category(slug=f"cat-{i}", order=i) for i in range(CATEGORIES)], seed=1
    )
    data.features = _create(
        Feature,
        [
            Feature(slug=f"feat-{i}", order=i, category=data.categories[i % CATEGORIES])
            for i in range(FEATURES)
        ],
        seed=2,
    )
    data.frameworks = _create(
        Framework, [Framework(slug=f"fw-{i}") for i in range(FRAMEWORKS)], seed=3
    )
    data.sources = _create(Source, [Source() for _ in range(SOURCES)], seed=4)
    payload_count = len(all_payloads())
    # Every claim gets a hostile detail (`value`), which a "not applicable" claim may not carry.
    levels = [level for level in SupportLevel.values if level != SupportLevel.NOT_APPLICABLE]
    claims = [
        Claim(
            framework=data.frameworks[i % FRAMEWORKS],
            feature=data.features[i // FRAMEWORKS],
            support=levels[i % len(levels)],
            status=ClaimStatus.PUBLISHED,
            rank=ClaimRank.NORMAL,
        )
        for i in range(payload_count)
    ]
    data.claims = _create(Claim, claims, seed=0)
    data.citations = _create(
        Citation,
        [Citation(claim=claim, source=data.sources[i % SOURCES]) for i, claim in enumerate(claims)],
        seed=5,
    )
    data.comparisons = _create(
        Comparison, [Comparison(slug=f"cmp-{i}", order=i) for i in range(COMPARISONS)], seed=6
    )
    for i, comparison in enumerate(data.comparisons):
        ComparisonFramework.objects.bulk_create(
            ComparisonFramework(comparison=comparison, framework=framework, order=k)
            for k, framework in enumerate(data.frameworks[i * 3 : i * 3 + 3])
        )
        comparison.categories.set(data.categories[i : i + 2])
    data.tags = _create(Tag, [Tag(slug=f"tag-{i}") for i in range(TAGS)], seed=7)
    TaggedFramework.objects.bulk_create(
        TaggedFramework(content_object=framework, tag=data.tags[i % TAGS])
        for i, framework in enumerate(data.frameworks)
    )
    TaggedFeature.objects.bulk_create(
        TaggedFeature(content_object=feature, tag=data.tags[i % TAGS])
        for i, feature in enumerate(data.features)
    )
    data.suggestions = _create(
        Suggestion,
        [
            Suggestion(
                framework=claim.framework,
                feature=claim.feature,
                claim=claim,
                support=SupportLevel.YES,
                status=SuggestionStatus.REJECTED if i % 2 else SuggestionStatus.NEW,
                decided_at=timezone.now() if i % 2 else None,
            )
            for i, claim in enumerate(claims[:SUGGESTIONS])
        ],
        seed=8,
    )
    return data


def _create(model, objs, seed):
    for i, obj in enumerate(objs):
        _fill(obj, i, seed=seed * 97)
        # bulk_create sends no pre_save: store the sanitised HTML the way every save does.
        render_markdown_fields(sender=model, instance=obj)
    if model is Claim:
        return bulk_create_with_history(objs, model)
    return model.objects.bulk_create(objs)
