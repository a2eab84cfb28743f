"""The curators' side of verification: list filters, the archive inline, "Check these sources now".

Used by the source and citation admins in knowledge/admin.py. The filters treat a citation
without a check record as "unchecked", which is what it is.
"""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.html import format_html

from knowledge.models import Citation

from . import run
from .models import SourceArchive, VerificationStatus

# The admin action checks sources while the curator waits; a bigger batch is verifykb's job.
CHECK_NOW_LIMIT = 20


def status_q(status, prefix=""):
    """Citations (through `prefix`, e.g. "citations__") whose last check has `status`."""
    if status == VerificationStatus.UNCHECKED:
        return Q(**{f"{prefix}verification__isnull": True}) | Q(
            **{f"{prefix}verification__status": status}
        )
    return Q(**{f"{prefix}verification__status": status})


class CitationVerificationFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return VerificationStatus.choices

    def queryset(self, request, queryset):
        if self.value() in VerificationStatus.values:
            return queryset.filter(status_q(self.value()))
        return queryset


class SourceVerificationFilter(admin.SimpleListFilter):
    title = "a citation's verification"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return VerificationStatus.choices

    def queryset(self, request, queryset):
        if self.value() in VerificationStatus.values:
            citations = Citation.objects.filter(status_q(self.value()), source=OuterRef("pk"))
            return queryset.filter(Exists(citations))
        return queryset


class SourceArchiveInline(admin.StackedInline):
    model = SourceArchive
    fields = ["url", "text"]
    extra = 0
    max_num = 1
    can_delete = True
    verbose_name_plural = "archived copy and text snapshot"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


def last_check_summary(citation):
    """A citation's last check in a line, with the passage found, for its admin page."""
    check = getattr(citation, "verification", None) if citation.pk else None
    if check is None:
        return "Not checked yet: run verifykb, or “Check these sources now” on the source."
    return format_html(
        "{} on {}{}{}",
        check.get_status_display(),
        f"{check.checked_at:%Y-%m-%d %H:%M}",
        f" ({check.detail})" if check.detail else "",
        format_html("<br>Found: “{}”", check.passage) if check.passage else "",
    )


@admin.action(description="Check these sources now", permissions=["change"])
def check_sources_now(modeladmin, request, queryset):
    pks = list(queryset.order_by("pk").values_list("pk", flat=True)[: CHECK_NOW_LIMIT + 1])
    if len(pks) > CHECK_NOW_LIMIT:
        modeladmin.message_user(
            request,
            f"Select at most {CHECK_NOW_LIMIT} sources to check at once; nothing was checked. "
            "For more, run `manage.py verifykb --source …` on the server.",
            messages.ERROR,
        )
        return
    summary = run.run(run.sources_to_check(pks=pks))
    counts = ", ".join(
        f"{summary.counts[status]} {status.label.lower()}"
        for status in VerificationStatus
        if summary.counts[status]
    )
    level = messages.SUCCESS if not summary.not_verified else messages.WARNING
    text = f"{summary.sources_checked} source(s) checked: {counts or 'no citations'}."
    if summary.skipped:
        text += f" {sum(summary.skipped.values())} skipped (another run was checking them)."
    modeladmin.message_user(request, text, level)
