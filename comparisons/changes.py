"""What changed in the published knowledge between two dates, read from the history.

A reader sees a change when what the public site showed changed: a claim published, retracted
or withdrawn (sent back to draft or review, or deleted), its support level or value changed
between two published versions, a citation added to or removed from a published claim, or a
published claim's quote no longer found word for word on its source (or found again: the
VerificationChange rows verifykb writes).
Versions saved while a claim was not published are never shown, and their content is never
compared: a draft's wording cannot leak through an "old → new" pair.

A claim's state at the start of the range is its last history row before it, so a claim
published long ago whose support changed today shows "Built in → Partial". A fixed number of
queries, whatever the size of the history or of the range.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from knowledge.models import (
    Citation,
    Claim,
    ClaimStatus,
    Feature,
    FeatureValue,
    Framework,
    Source,
    VerificationChange,
    VerificationStatus,
    claim_verdict,
)

from .canonical import page_query
from .selectors import day_end
from .support import SupportDisplay, support_display, value_display

# One admin save or one load writes the claim, then its citations: citations written this soon
# after the claim's publication (or just before its withdrawal) are part of that event.
SAME_SAVE = timedelta(seconds=5)


class ChangeKind(models.TextChoices):
    PUBLISHED = "published", "Published"
    CHANGED = "changed", "Changed"
    RETRACTED = "retracted", "Retracted"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CITATION_ADDED = "citation-added", "Citation added"
    CITATION_REMOVED = "citation-removed", "Citation removed"
    VERIFICATION_LOST = "verification-lost", "Verification lost"
    VERIFICATION_REGAINED = "verification-regained", "Verification regained"


@dataclass(frozen=True)
class Named:
    name: str
    slug: str
    url: str


@dataclass(frozen=True)
class Change:
    # "claim-12", "citation-34" (the history row's) or "verification-5": an anchor and a feed
    # entry's id
    id: str
    date: datetime
    kind: str  # a ChangeKind
    kind_label: str
    framework: Named
    feature: Named
    category: Named
    claim_id: int
    claim_url: str  # "" while the claim is not public
    statement: str  # of the published version concerned
    old: SupportDisplay | None  # what the cell said before (changed, retracted, withdrawn)
    new: SupportDisplay | None  # what it says after (published, changed)
    detail: str = ""  # "citation of “Django docs”"

    @property
    def day(self) -> date:
        return timezone.localtime(self.date).date()


@dataclass(frozen=True)
class ChangeGroup:
    framework: Named
    changes: list[Change]


@dataclass(frozen=True)
class ChangeDay:
    day: date
    groups: list[ChangeGroup]


_CLAIM_FIELDS = (
    "history_id",
    "history_date",
    "history_type",
    "history_change_reason",
    "id",
    "framework_id",
    "feature_id",
    "status",
    "support",
    "feature_value_id",
    "statement",
)
_CITATION_FIELDS = ("history_id", "history_date", "history_type", "id", "claim_id", "source_id")
_VERIFICATION_FIELDS = ("id", "old_status", "new_status")
_VERIFICATION_NAMES = {
    "history_date": F("changed_at"),
    "claim_id": F("citation__claim_id"),
    "source_id": F("citation__source_id"),
}


@dataclass(frozen=True)
class _Row:
    """A history row read with values(), as an object: claim_verdict reads attributes."""

    values: dict

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def _is_public(row: _Row | None) -> bool:
    return row is not None and row.history_type != "-" and row.status == ClaimStatus.PUBLISHED


def _scope(*, framework_slugs, feature_slugs, category_slugs) -> Q:
    scope = Q()
    if framework_slugs:
        scope &= Q(framework__slug__in=framework_slugs)
    if feature_slugs:
        scope &= Q(feature__slug__in=feature_slugs)
    if category_slugs:
        scope &= Q(feature__category__slug__in=category_slugs)
    return scope


class _Names:
    """The frameworks, features, values and sources the changes name: one query each."""

    def __init__(self, claim_rows, source_ids):
        framework_ids = {row.framework_id for row in claim_rows}
        feature_ids = {row.feature_id for row in claim_rows}
        self.frameworks = {
            pk: Named(name, slug, reverse("comparisons:framework-detail", kwargs={"slug": slug}))
            for pk, name, slug in Framework.objects.filter(pk__in=framework_ids).values_list(
                "pk", "name", "slug"
            )
        }
        self.features, self.categories, self.kinds = {}, {}, {}
        for pk, name, slug, kind, cname, cslug in Feature.objects.filter(
            pk__in=feature_ids
        ).values_list("pk", "name", "slug", "kind", "category__name", "category__slug"):
            url = reverse("comparisons:feature-detail", kwargs={"slug": slug})
            self.features[pk] = Named(name, slug, url)
            category_url = reverse("comparisons:category-detail", kwargs={"slug": cslug})
            self.categories[pk] = Named(cname, cslug, category_url)
            self.kinds[pk] = kind
        value_ids = {row.feature_value_id for row in claim_rows} - {None}
        self.values = {
            pk: (slug, label)
            for pk, slug, label in FeatureValue.objects.filter(pk__in=value_ids).values_list(
                "pk", "slug", "label"
            )
        }
        self.sources = dict(Source.objects.filter(source_ids).values_list("pk", "title"))

    def knows(self, row: _Row) -> bool:
        # A change of a framework or feature deleted since has no page to name it by.
        return row.framework_id in self.frameworks and row.feature_id in self.features

    def badge(self, row: _Row) -> SupportDisplay:
        if row.feature_value_id is None:
            return support_display(row.support)
        slug, label = self.values.get(row.feature_value_id, ("", "a removed value"))
        return value_display(kind=self.kinds[row.feature_id], slug=slug, label=label)


class _Timeline:
    """One claim's rows (the last before the range, then those in it), oldest first."""

    def __init__(self, rows: list[_Row]):
        self.rows = rows

    def state_at(self, moment: datetime) -> _Row | None:
        """The claim's last row at `moment` (None: it did not exist yet)."""
        found = None
        for row in self.rows:
            if row.history_date > moment:
                break
            found = row
        return found

    def public_since(self, moment: datetime) -> datetime | None:
        """When the claim became public, in the run of public rows that holds at `moment`."""
        since = None
        for row in self.rows:
            if row.history_date > moment:
                break
            since = (since or row.history_date) if _is_public(row) else None
        return since

    def next_after(self, moment: datetime) -> _Row | None:
        return next((row for row in self.rows if row.history_date > moment), None)


def _claim_changes(timeline: _Timeline, *, start: datetime, names: _Names, public_ids):
    """The changes a reader saw in one claim's own rows from `start` on."""
    changes = []
    before = None
    for row in timeline.rows:
        if row.history_date < start:
            before = row
            continue
        was, now = _is_public(before), _is_public(row)
        kind = None
        if now and not was:
            kind = ChangeKind.PUBLISHED
        elif was and not now:
            retracted = row.history_type != "-" and row.status == ClaimStatus.RETRACTED
            kind = ChangeKind.RETRACTED if retracted else ChangeKind.WITHDRAWN
        elif was and now and claim_verdict(before) != claim_verdict(row):
            kind = ChangeKind.CHANGED
        if kind is not None and names.knows(row):
            shown = row if now else before
            changes.append(
                _change(
                    f"claim-{row.history_id}",
                    row,
                    kind=kind,
                    names=names,
                    public_ids=public_ids,
                    statement=shown.statement,
                    old=names.badge(before) if was else None,
                    new=names.badge(row) if now else None,
                )
            )
        before = row
    return changes


def _citation_change(citation: _Row, timeline: _Timeline, *, names: _Names, public_ids):
    """The change a reader saw when a citation was added or removed, or None when its claim
    was not public then, or the citation came or went with the claim's own event."""
    if citation.history_type not in ("+", "-"):
        return None
    state = timeline.state_at(citation.history_date)
    if not _is_public(state) or not names.knows(state):
        return None
    if citation.history_type == "+":
        kind = ChangeKind.CITATION_ADDED
        if citation.history_date - timeline.public_since(citation.history_date) < SAME_SAVE:
            return None
    else:
        kind = ChangeKind.CITATION_REMOVED
        after = timeline.next_after(citation.history_date)
        gone_with_claim = after is not None and not _is_public(after)
        if gone_with_claim and after.history_date - citation.history_date < SAME_SAVE:
            return None
    title = names.sources.get(citation.source_id, "a removed source")
    return _evidence_change(
        f"citation-{citation.history_id}",
        state,
        kind=kind,
        names=names,
        public_ids=public_ids,
        date=citation.history_date,
        detail=f"citation of “{title}”",
    )


def _verification_change(event: _Row, timeline: _Timeline, *, names: _Names, public_ids):
    """The change a reader saw when a citation's quote stopped or started being found on its
    source, or None when its claim was not public then."""
    state = timeline.state_at(event.history_date)
    if not _is_public(state) or not names.knows(state):
        return None
    lost = event.old_status == VerificationStatus.VERIFIED
    detail = f"quote of “{names.sources.get(event.source_id, 'a removed source')}”"
    if lost:
        detail += f", {VerificationStatus(event.new_status).label.lower()}"
    return _evidence_change(
        f"verification-{event.id}",
        state,
        kind=ChangeKind.VERIFICATION_LOST if lost else ChangeKind.VERIFICATION_REGAINED,
        names=names,
        public_ids=public_ids,
        date=event.history_date,
        detail=detail,
    )


def _evidence_change(change_id, state: _Row, **fields) -> Change:
    """A change of a public claim's evidence: the cell's badge stays what `state` says."""
    return _change(
        change_id,
        state,
        statement=state.statement,
        old=None,
        new=fields["names"].badge(state),
        **fields,
    )


def _change(change_id, row, *, kind, names, public_ids, date=None, **fields) -> Change:
    return Change(
        id=change_id,
        date=date or row.history_date,
        kind=kind.value,
        kind_label=str(kind.label),
        framework=names.frameworks[row.framework_id],
        feature=names.features[row.feature_id],
        category=names.categories[row.feature_id],
        claim_id=row.id,
        claim_url=(
            reverse("comparisons:claim-detail", kwargs={"pk": row.id})
            if row.id in public_ids
            else ""
        ),
        **fields,
    )


def change_list(
    *,
    since: date,
    until: date,
    framework_slugs=(),
    feature_slugs=(),
    category_slugs=(),
) -> list[Change]:
    """Every change a reader saw from the start of `since` to the end of `until` (the site's
    time zone), of claims of these frameworks, features and categories (all when empty),
    newest first."""
    start, end = day_end(since - timedelta(days=1)), day_end(until)
    scope = _scope(
        framework_slugs=framework_slugs,
        feature_slugs=feature_slugs,
        category_slugs=category_slugs,
    )
    claim_history = Claim.history.model.objects
    in_range = Q(history_date__gte=start, history_date__lt=end)
    claims_in_range = claim_history.filter(scope, in_range)
    citations = Citation.history.model.objects.filter(in_range)
    if scope:
        citations = citations.filter(claim_id__in=claim_history.filter(scope).values("id"))
    citation_rows = [_Row(row) for row in citations.values(*_CITATION_FIELDS)]
    checks = VerificationChange.objects.filter(changed_at__gte=start, changed_at__lt=end)
    if scope:
        checks = checks.filter(citation__claim_id__in=claim_history.filter(scope).values("id"))
    check_rows = [_Row(row) for row in checks.values(*_VERIFICATION_FIELDS, **_VERIFICATION_NAMES)]
    # A claim's last row before the range: what the public saw when the range began.
    last_before = (
        claim_history.filter(id=OuterRef("id"), history_date__lt=start)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    touched = (
        Q(id__in=claims_in_range.values("id"))
        | Q(id__in=citations.values("claim_id"))
        | Q(id__in=checks.values("citation__claim_id"))
    )
    prior = claim_history.filter(touched, history_id=Subquery(last_before))
    claim_rows = [
        _Row(row)
        for query in (prior, claims_in_range)
        for row in query.values(*_CLAIM_FIELDS).order_by("history_date", "history_id")
    ]
    names = _Names(
        claim_rows,
        Q(pk__in=citations.values("source_id")) | Q(pk__in={row.source_id for row in check_rows}),
    )
    public_ids = set(Claim.objects.published().filter(touched).values_list("pk", flat=True))
    by_claim = defaultdict(list)
    for row in claim_rows:
        by_claim[row.id].append(row)
    timelines = {pk: _Timeline(rows) for pk, rows in by_claim.items()}
    changes = [
        change
        for timeline in timelines.values()
        for change in _claim_changes(timeline, start=start, names=names, public_ids=public_ids)
    ]
    # A citation's rows and its checks' changes, each read against its claim's timeline.
    for rows, read in ((citation_rows, _citation_change), (check_rows, _verification_change)):
        for row in rows:
            timeline = timelines.get(row.claim_id)
            change = timeline and read(row, timeline, names=names, public_ids=public_ids)
            if change:
                changes.append(change)
    changes.sort(key=lambda change: (change.date, change.id), reverse=True)
    return changes


def change_days(changes: list[Change]) -> list[ChangeDay]:
    """`changes` (newest first) by day, newest first, then by framework, by name."""
    days = []
    for day, of_day in groupby(changes, key=lambda change: change.day):
        by_framework = defaultdict(list)
        for change in of_day:
            by_framework[change.framework].append(change)
        groups = [
            ChangeGroup(framework=framework, changes=by_framework[framework])
            for framework in sorted(by_framework, key=lambda named: (named.name, named.slug))
        ]
        days.append(ChangeDay(day=day, groups=groups))
    return days


def change_days_flatten(days: list[ChangeDay]) -> list[Change]:
    """The changes of `days` in the page's order: what the exports and the API list."""
    return [change for day in days for group in day.groups for change in group.changes]


# == What one page's changes are: a framework's, a feature's, a curated comparison's ==========


@dataclass(frozen=True)
class ChangeScope:
    title: str
    link: str  # the page it belongs to
    feed_url: str
    selection: dict  # change_list's filters

    @property
    def page_url(self) -> str:
        """The changes page listing the same changes."""
        pairs = [
            (name, slug)
            for name, key in (
                ("framework", "framework_slugs"),
                ("feature", "feature_slugs"),
                ("category", "category_slugs"),
            )
            for slug in self.selection.get(key, ())
        ]
        # Spelled as the page spells it (frameworks sorted), so the link costs no redirect.
        return f"{reverse('comparisons:changes')}?{page_query('changes', pairs)}"


def change_scope_for_framework(framework: Framework) -> ChangeScope:
    return ChangeScope(
        title=framework.name,
        link=framework.get_absolute_url(),
        feed_url=reverse("comparisons:framework-changes-feed", kwargs={"slug": framework.slug}),
        selection={"framework_slugs": (framework.slug,)},
    )


def change_scope_for_feature(feature: Feature) -> ChangeScope:
    return ChangeScope(
        title=feature.name,
        link=feature.get_absolute_url(),
        feed_url=reverse("comparisons:feature-changes-feed", kwargs={"slug": feature.slug}),
        selection={"feature_slugs": (feature.slug,)},
    )


def change_scope_for_comparison(comparison) -> ChangeScope:
    """Of a `selectors.CuratedComparison`: its frameworks, over its categories."""
    return ChangeScope(
        title=comparison.title,
        link=comparison.url,
        feed_url=reverse("comparisons:comparison-changes-feed", kwargs={"slug": comparison.slug}),
        selection={
            "framework_slugs": tuple(column.slug for column in comparison.frameworks),
            "category_slugs": tuple(comparison.category_slugs),
        },
    )
