"""What the correction form reads: the published claim or the cell it is about."""

import re

from django.http import Http404

from knowledge.models import Claim, Feature, Framework

# What a slug can be: anything else (a NUL, which PostgreSQL refuses) is not looked up.
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,150}")


def claim_get_published(*, pk: int) -> Claim:
    """The published claim `pk` with its cell, or Http404: a draft has no public form, as it
    has no public page."""
    try:
        return (
            Claim.objects.published()
            .select_related("framework", "feature", "feature_value")
            .get(pk=pk)
        )
    except Claim.DoesNotExist:
        raise Http404("No published claim with this id.") from None


def cell_get(*, framework_slug: str, feature_slug: str) -> tuple[Framework, Feature]:
    """The framework and feature of a cell, named by slug, or Http404."""
    if not (_SLUG.fullmatch(framework_slug) and _SLUG.fullmatch(feature_slug)):
        raise Http404("No such framework or feature.")
    framework = Framework.objects.filter(slug=framework_slug).first()
    feature = Feature.objects.filter(slug=feature_slug).first()
    if framework is None or feature is None:
        raise Http404("No such framework or feature.")
    return framework, feature
