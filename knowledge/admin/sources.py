"""The admin of sources: their citations, verification and archived copy."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import services
from ..models import (
    Source,
)
from ..verification.admin import (
    SourceArchiveInline,
    SourceVerificationFilter,
    check_sources_now,
)
from .common import (
    LAST_CHANGED_FILTER,
    LISTED_CLAIMS,
    URL_FIELDS_ASSUME_HTTPS,
    DeleteGuardMixin,
    claim_links,
)

# -- Sources ----------------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(DeleteGuardMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "publisher", "accessed_date", "claim_count", "last_fetch"]
    list_select_related = ["last_fetch"]
    list_filter = ["kind", "accessed_date", SourceVerificationFilter, LAST_CHANGED_FILTER]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    search_fields = ["title", "url", "publisher", "author"]
    readonly_fields = ["citing_claims"]
    inlines = [SourceArchiveInline]
    actions = [check_sources_now]
    fieldsets = [
        (None, {"fields": ["title", "url", "version_read", "kind", "publisher", "author"]}),
        ("Dates", {"fields": ["published_date", "accessed_date"]}),
        ("Curators' notes", {"fields": ["notes"], "classes": ["collapse"]}),
        ("Cited by", {"fields": ["citing_claims"]}),
    ]

    def get_queryset(self, request):
        # A claim cites a source at most once (unique_citation_source_per_claim), so counting
        # citations counts the claims.
        return super().get_queryset(request).annotate(claim_count=Count("citations"))

    @admin.display(description="cited by (claims)", ordering="claim_count")
    def claim_count(self, source):
        return source.claim_count

    @admin.display(description="last fetch", ordering="last_fetch__fetched_at")
    def last_fetch(self, source):
        fetch = getattr(source, "last_fetch", None)
        if fetch is None:
            return "never"
        return f"{fetch.fetched_at:%Y-%m-%d}: {fetch.error or 'read'}"

    @admin.display(description="claims citing this source")
    def citing_claims(self, source):
        if source.pk is None:
            return "—"
        count = source.claim_count
        if not count:
            return "No claim cites this source yet."
        claims = services.source_citing_claims(source)[:LISTED_CLAIMS]
        see_all = reverse("admin:knowledge_claim_changelist") + f"?source={source.pk}"
        return format_html(
            '{}<p><a href="{}">Open the {} claim(s) in the claims list</a></p>',
            claim_links(claims, total=count, sep=mark_safe("<br>")),
            see_all,
            count,
        )

    def delete_refusal(self, objs):
        blockers = services.sources_delete_blockers(objs)
        if not blockers:
            return None
        parts = format_html_join(
            "",
            " “{}” is cited by {} claim(s): {}.",
            (
                (source.title, len(claims), claim_links(claims))
                for source, claims in blockers.items()
            ),
        )
        return format_html(
            "A source that claims cite cannot be deleted: the claims would lose their evidence. "
            "Remove or replace these citations first, then delete the source.{}",
            parts,
        )
