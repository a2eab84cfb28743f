"""The one source of test data: small factories that each make one valid object and save it,
and `make_grid`, the N × M builder."""

import datetime
import itertools
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from taggit.models import Tag

from comparisons.models import Comparison, ComparisonFramework
from devtools import synthetic
from knowledge.history import history_record
from knowledge.models import (
    Category,
    Citation,
    CitationVerification,
    Claim,
    ClaimRank,
    ClaimStatus,
    Feature,
    FeatureKind,
    FeatureValue,
    Framework,
    Release,
    Source,
    SourceKind,
    SupportLevel,
    VerificationChange,
    VerificationStatus,
)

_numbers = itertools.count(1)


def make_category(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"Category {n}")
    fields.setdefault("slug", f"category-{n}")
    return Category.objects.create(**fields)


def make_feature(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"Feature {n}")
    fields.setdefault("slug", f"feature-{n}")
    if "category" not in fields:
        fields["category"] = make_category()
    return Feature.objects.create(**fields)


def make_scale(labels=("Gentle", "Moderate", "Steep"), kind=FeatureKind.ASSESSMENT, **fields):
    """A descriptor or assessment feature and its values, lowest first: (feature, [values])."""
    feature = make_feature(kind=kind, **fields)
    values = [
        FeatureValue.objects.create(
            feature=feature, slug=label.lower().replace(" ", "-"), label=label, position=n
        )
        for n, label in enumerate(labels, start=1)
    ]
    return feature, values


def make_release(**fields):
    if "framework" not in fields:
        fields["framework"] = make_framework()
    fields.setdefault("version", f"{next(_numbers)}.0")
    return Release.objects.create(**fields)


def make_framework(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"Framework {n}")
    fields.setdefault("slug", f"framework-{n}")
    return Framework.objects.create(**fields)


def make_source(**fields):
    n = next(_numbers)
    fields.setdefault("title", f"Source {n}")
    fields.setdefault("url", f"https://example.org/source-{n}")
    fields.setdefault("kind", SourceKind.DOCUMENTATION)
    return Source.objects.create(**fields)


def make_citation(**fields):
    if "claim" not in fields:
        fields["claim"] = make_claim(citations=0, status=ClaimStatus.DRAFT)
    if "source" not in fields:
        fields["source"] = make_source()
    fields.setdefault("quote", "A short passage from the source.")
    fields.setdefault("locator", "Introduction")
    return Citation.objects.create(**fields)


def make_claim(citations=1, **fields):
    """A claim, published and cited once unless told otherwise."""
    if "framework" not in fields:
        fields["framework"] = make_framework()
    if "feature" not in fields:
        fields["feature"] = make_feature()
    # A claim on a descriptor or assessment feature picks a value instead of a support level.
    fields.setdefault("support", "" if fields.get("feature_value") else SupportLevel.YES)
    fields.setdefault("status", ClaimStatus.PUBLISHED)
    fields.setdefault("rank", ClaimRank.NORMAL)
    # One transaction: on PostgreSQL a published claim committed before its citation is
    # refused (knowledge/migrations/0002_published_claim_needs_citation.py).
    with transaction.atomic():
        claim = Claim.objects.create(**fields)
        for _ in range(citations):
            make_citation(claim=claim)
    return claim


def make_verification(citation=None, **fields):
    """The last check of `citation` (a new one by default), verified unless told otherwise."""
    from django.utils import timezone

    fields.setdefault("status", VerificationStatus.VERIFIED)
    now = timezone.now()
    fields.setdefault("checked_at", now)
    fields.setdefault("status_since", now)
    if fields["status"] in (VerificationStatus.VERIFIED, VerificationStatus.REWORDED):
        fields.setdefault("verified_at", now)
        fields.setdefault("passage", (citation.quote if citation else "") or "A passage.")
    return CitationVerification.objects.create(citation=citation or make_citation(), **fields)


def make_verification_change(citation, *, lost=True, **fields):
    """A check of `citation` that lost its verification (the quote gone), or regained it."""
    from django.utils import timezone

    found, gone = VerificationStatus.VERIFIED, VerificationStatus.NOT_FOUND
    fields.setdefault("changed_at", timezone.now())
    fields.setdefault("old_status", found if lost else gone)
    fields.setdefault("new_status", gone if lost else found)
    return VerificationChange.objects.create(citation=citation, **fields)


@dataclass(frozen=True)
class Grid:
    """What `make_grid` made, as the tests look at it."""

    frameworks: list[Framework]  # by name: the matrix's columns
    features: list[Feature]  # in the matrix's order
    categories: list[Category]
    tags: list[str]  # slugs of the tags on frameworks and features
    busy_claim: Claim  # in the first framework's first cell that has a claim
    busy_source: Source  # the most cited source


def make_grid(frameworks, features, *, categories=None, rivals=0, edits=0):
    """The one N × M builder of the tests: the synthetic seeder of `manage.py seed_synthetic`
    at the size asked (every cell a claim citing two sources, but about 5 % unknown, 6 % with a
    disagreeing second claim and 3 % with a draft; tags; sources shared across frameworks; a
    few curated comparisons), so the tests see the data the benchmark measures. The busy
    claim gets `rivals` more published claims that disagree with it, each citing three
    sources, and `edits` saved versions: the parts of a page whose work grows with the data.
    """
    synthetic.seed(frameworks=frameworks, features=features, categories=categories)
    ours = Q(slug__startswith=synthetic.SLUG_PREFIX)
    framework_rows = list(Framework.objects.filter(ours).order_by("name"))
    feature_rows = list(
        Feature.objects.filter(ours).order_by("category__order", "category__name", "order", "name")
    )
    busy_claim = (
        Claim.objects.published()
        .filter(framework=framework_rows[0], key="main")
        .order_by("feature__category__order", "feature__order", "feature__name")
        .first()
    )
    sources = list(Source.objects.order_by("pk")[:3])
    other = SupportLevel.NO if busy_claim.support != SupportLevel.NO else SupportLevel.YES
    for n in range(rivals):
        with transaction.atomic():  # a published claim is committed with its citations
            rival = make_claim(
                framework=busy_claim.framework,
                feature=busy_claim.feature,
                key=f"rival-{n}",
                support=other,
                citations=0,
            )
            Citation.objects.bulk_create(
                Citation(claim=rival, source=source, quote="Rival quote.") for source in sources
            )
    for n in range(edits):
        busy_claim.value = f"version {n}"
        busy_claim.save()
    return Grid(
        frameworks=framework_rows,
        features=feature_rows,
        categories=list(Category.objects.filter(ours).order_by("order")),
        tags=list(
            Tag.objects.filter(ours, knowledge_taggedfeature_items__isnull=False)
            .distinct()
            .order_by("slug")
            .values_list("slug", flat=True)
        ),
        busy_claim=busy_claim,
        busy_source=Source.objects.annotate(cited=Count("citations")).order_by("-cited", "pk")[0],
    )


def make_comparison(title, slug, frameworks, **fields):
    comparison = Comparison.objects.create(title=title, slug=slug, **fields)
    for order, framework in enumerate(frameworks):
        ComparisonFramework.objects.create(comparison=comparison, framework=framework, order=order)
    return comparison


# Text that only unpublished claims (and their citations) carry: it must appear on no page.
HIDDEN_MARKERS = {
    ClaimStatus.DRAFT: "Zqdraftmarker",
    ClaimStatus.REVIEW: "Zqreviewmarker",
    ClaimStatus.RETRACTED: "Zqretractedmarker",
}


def plant_unpublished_claims(*, framework, feature):
    """A draft, an in-review and a retracted claim in one cell, each with a distinctive
    statement, value, note and quoted citation; returns them by status."""
    claims = {}
    for status, marker in HIDDEN_MARKERS.items():
        claim = make_claim(
            framework=framework,
            feature=feature,
            key=f"hidden-{status}",
            status=status,
            statement=f"{marker} statement",
            value=f"{marker}value",
            note=f"{marker} note",
            support=SupportLevel.NO,
            citations=0,
        )
        make_citation(claim=claim, source=make_source(), quote=f"{marker} quote")
        claims[status] = claim
    return claims


def record_missing_history():
    """One history row for every claim and citation that has none: the synthetic seeder
    bulk-creates, which writes no history, and loadkb writes it so, row by row."""
    for model in (Claim, Citation):
        for instance in model.objects.exclude(pk__in=model.history.values("id")):
            history_record(instance, created=True, reason="seeded")


def age_history(days, *, claim=None):
    """Move what the history says `days` into the past: of `claim` and its citations, or of
    every claim and citation."""
    delta = datetime.timedelta(days=days)
    claims, citations = Claim.history.all(), Citation.history.all()
    if claim is not None:
        claims, citations = claims.filter(id=claim.pk), citations.filter(claim_id=claim.pk)
    for history in (claims, citations):
        for record in history:
            record.history_date -= delta
            record.save(update_fields=["history_date"])
