"""Data-quality checks of the knowledge base, behind `manage.py checkkb`.

Each check runs one query (or one per table it reads), never one per object, and yields
Findings. Errors are states the public pages must not show: a published claim without a
citation, or whose quotes verifykb no longer finds on any of its sources, breaks the site's
one promise, and a cell whose published claims disagree with none preferred leaves the matrix
no claim to headline. Warnings are curators' chores: a citation with no quote, a quote no
check has found lately, a source nobody has checked for a year, two sources that look like one.
"""

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from .models import (
    Citation,
    Claim,
    ClaimRank,
    FeatureKind,
    Source,
    SourceKind,
    VerificationStatus,
    claim_name,
    claims_disagree,
)
from .provenance import unpinned_segment

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    severity: str
    check: str
    message: str
    object: str
    admin_url: str

    def as_dict(self):
        data = asdict(self)
        del data["severity"]
        return data


def _admin_url(model_name, pk):
    return reverse(f"admin:knowledge_{model_name}_change", args=[pk])


def published_claims_without_citation():
    claims = (
        Claim.objects.published()
        .filter(~Exists(Citation.objects.filter(claim=OuterRef("pk"))))
        .select_related("framework", "feature")
    )
    for claim in claims:
        yield Finding(
            ERROR,
            "published-without-citation",
            f"{claim_name(claim)} is published without any citation: "
            "add one or send it back to review.",
            claim_name(claim),
            _admin_url("claim", claim.pk),
        )


def _said(claim):
    return claim.feature_value.slug if claim.feature_value_id else claim.support


def cells_with_disagreeing_claims():
    """Cells whose published, non-deprecated claims say different things: different support
    levels, or different values of a descriptor's vocabulary or an assessment's scale.

    Disagreement is allowed (sources do disagree, and the cell shows both), so it is a
    warning when one claim is preferred; with none preferred it is an error, because the
    matrix cannot tell which claim the cell shows first.
    """
    claims = (
        Claim.objects.published()
        .exclude(rank=ClaimRank.DEPRECATED)
        .select_related("framework", "feature", "feature_value")
        .order_by("framework_id", "feature_id", "pk")
    )
    cells = defaultdict(list)
    for claim in claims:
        cells[claim.framework_id, claim.feature_id].append(claim)
    for cell_claims in cells.values():
        if not claims_disagree(cell_claims):
            continue
        preferred = [claim for claim in cell_claims if claim.rank == ClaimRank.PREFERRED]
        first = preferred[0] if preferred else cell_claims[0]
        cell = f"{first.framework.name} · {first.feature.name}"
        listed = ", ".join(f"“{claim.key}” says {_said(claim)}" for claim in cell_claims)
        if preferred:
            yield Finding(
                WARNING,
                "cell-disagreement",
                f"{cell}: published claims disagree ({listed}); "
                f"the preferred “{first.key}” is shown first.",
                cell,
                _admin_url("claim", first.pk),
            )
        else:
            yield Finding(
                ERROR,
                "cell-disagreement-unresolved",
                f"{cell}: published claims disagree ({listed}) and none is preferred: "
                "mark one preferred, deprecate one, or send one back to review.",
                cell,
                _admin_url("claim", first.pk),
            )


def citations_without_quote():
    citations = Citation.objects.filter(quote="").select_related(
        "source", "claim__framework", "claim__feature"
    )
    for citation in citations:
        yield Finding(
            WARNING,
            "citation-without-quote",
            f"Citation #{citation.pk} of {claim_name(citation.claim)} cites "
            f"“{citation.source.title}” without quoting the passage.",
            f"Citation #{citation.pk} of {claim_name(citation.claim)}",
            _admin_url("citation", citation.pk),
        )


def stale_sources(*, today=None):
    today = today or timezone.localdate()
    days = settings.CITEGRID_SOURCE_STALE_DAYS
    cutoff = today - timedelta(days=days)
    for source in Source.objects.filter(accessed_date__isnull=True).only("title"):
        yield Finding(
            WARNING,
            "source-never-accessed",
            f"Source #{source.pk} “{source.title}” has never been accessed (no date): "
            "check that it still says what we quote.",
            f"Source #{source.pk} “{source.title}”",
            _admin_url("source", source.pk),
        )
    for source in Source.objects.filter(accessed_date__lt=cutoff).only("title", "accessed_date"):
        yield Finding(
            WARNING,
            "source-stale",
            f"Source #{source.pk} “{source.title}” was last accessed on "
            f"{source.accessed_date:%Y-%m-%d}, over {days} days ago: "
            "check that it still says what we quote.",
            f"Source #{source.pk} “{source.title}”",
            _admin_url("source", source.pk),
        )


def normalised_url(url):
    """The URL as a reader would compare it: no scheme, no "www.", no trailing slash, any case."""
    url = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip().lower())
    url = re.sub(r"^www\.", "", url)
    return url.rstrip("/")


def _normalised_text(text):
    return " ".join(text.lower().split())


def duplicate_sources():
    rows = Source.objects.order_by("pk").values_list("pk", "title", "url", "publisher")
    groups = defaultdict(list)
    for pk, title, url, publisher in rows:
        if url:
            groups["URL", normalised_url(url)].append((pk, title))
        groups["title and publisher", _normalised_text(title), _normalised_text(publisher)].append(
            (pk, title)
        )
    for key, sources in groups.items():
        if len(sources) < 2:
            continue
        (first_pk, first_title), others = sources[0], sources[1:]
        numbers = ", ".join(f"#{pk}" for pk, _ in others)
        yield Finding(
            WARNING,
            "duplicate-source",
            f"Source #{first_pk} “{first_title}” has the same {key[0]} as source(s) "
            f"{numbers}: merge them into one.",
            f"Source #{first_pk} “{first_title}”",
            _admin_url("source", first_pk),
        )


def published_claims_whose_quotes_are_all_gone():
    """A published claim none of whose quotes is still on its source: its evidence is gone."""
    standing = Citation.objects.filter(claim=OuterRef("pk")).exclude(
        verification__status=VerificationStatus.NOT_FOUND
    )
    claims = (
        Claim.objects.published()
        .filter(Exists(Citation.objects.filter(claim=OuterRef("pk"))), ~Exists(standing))
        .select_related("framework", "feature")
    )
    for claim in claims:
        yield Finding(
            ERROR,
            "published-quotes-not-found",
            f"{claim_name(claim)} is published, but none of its quotes is on its source any "
            "more (verifykb: not found): check the sources, then fix the quotes, cite another "
            "source, or send the claim back to review.",
            claim_name(claim),
            _admin_url("claim", claim.pk),
        )


def citations_not_verified(*, now=None):
    """Citations whose quote no check has found on the source in the last N days."""
    days = settings.CITEGRID_VERIFY_STALE_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    citations = Citation.objects.filter(
        Q(verification__isnull=True)
        | Q(verification__verified_at__isnull=True)
        | Q(verification__verified_at__lt=cutoff)
    ).select_related("source", "claim__framework", "claim__feature", "verification")
    for citation in citations:
        check = getattr(citation, "verification", None)
        state = check.get_status_display().lower() if check else "never checked"
        found = f"last found {check.verified_at:%Y-%m-%d}" if check and check.verified_at else ""
        label = f"Citation #{citation.pk} of {claim_name(citation.claim)}"
        yield Finding(
            WARNING,
            "citation-not-verified",
            f"{label}: its quote has not been found on “{citation.source.title}” in the last "
            f"{days} days ({state}{'; ' + found if found else ''}): run verifykb, or fix the "
            "quote, the link or the source's text snapshot.",
            label,
            _admin_url("citation", citation.pk),
        )


def unpinned_documentation_urls():
    """Documentation read at one version but linked at a URL that follows the next release."""
    sources = Source.objects.filter(kind=SourceKind.DOCUMENTATION).exclude(url="")
    for source in sources.only("title", "url", "version_read"):
        segment = unpinned_segment(source.url)
        if segment is None:
            continue
        read = f" (read at {source.version_read})" if source.version_read else ""
        yield Finding(
            WARNING,
            "unpinned-documentation-url",
            f"Source #{source.pk} “{source.title}” links to /{segment}/{read}: that page changes "
            "with every release; link to the version that was read.",
            f"Source #{source.pk} “{source.title}”",
            _admin_url("source", source.pk),
        )


def factual_cells_resting_only_on_articles_without_url():
    """Cells of a capability or descriptor whose published claims cite only sources with no
    link (the seed articles): a fact a reader cannot check, and that an article may have got
    wrong, wants a documentation citation. Assessments may rest on articles; they are opinions
    and articles are their independent voice."""
    citations = (
        Citation.objects.filter(claim__in=Claim.objects.published())
        .exclude(claim__feature__kind=FeatureKind.ASSESSMENT)
        .exclude(claim__rank=ClaimRank.DEPRECATED)
        .select_related("source", "claim__framework", "claim__feature")
        .order_by("claim__framework__name", "claim__feature__name", "claim_id")
    )
    cells = defaultdict(list)
    for citation in citations:
        cells[citation.claim.framework_id, citation.claim.feature_id].append(citation)
    for cell_citations in cells.values():
        if any(citation.source.url for citation in cell_citations):
            continue
        claim = cell_citations[0].claim
        cell = f"{claim.framework.name} · {claim.feature.name}"
        titles = sorted({f"“{citation.source.title}”" for citation in cell_citations})
        yield Finding(
            WARNING,
            "factual-cell-articles-only",
            f"{cell} rests only on articles without a URL ({', '.join(titles)}): cite the "
            "framework's documentation, or the library's for an extension.",
            cell,
            _admin_url("claim", claim.pk),
        )


CHECKS = [
    published_claims_without_citation,
    published_claims_whose_quotes_are_all_gone,
    cells_with_disagreeing_claims,
    citations_without_quote,
    stale_sources,
    duplicate_sources,
    citations_not_verified,
    unpinned_documentation_urls,
    factual_cells_resting_only_on_articles_without_url,
]


def run_checks():
    """Every finding of every check, errors first."""
    findings = [finding for check in CHECKS for finding in check()]
    return sorted(findings, key=lambda finding: finding.severity != ERROR)
