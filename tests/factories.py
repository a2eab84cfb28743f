"""Small factories for test data: each makes one valid object and saves it."""

import itertools

from django.db import transaction

from knowledge.models import (
    Category,
    Citation,
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
