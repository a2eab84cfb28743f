"""Small factories for test data: each makes one valid object and saves it."""

import itertools

from django.db import transaction

from knowledge.models import (
    Category,
    Citation,
    CitationVerification,
    Claim,
    ClaimRank,
    ClaimStatus,
    Feature,
    Framework,
    Source,
    SourceKind,
    SupportLevel,
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
    fields.setdefault("support", SupportLevel.YES)
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
