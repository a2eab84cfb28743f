"""The admin of citations, one by one."""

from django.contrib import admin
from django.utils.html import format_html

from .. import services
from ..forms import CitationAdminForm
from ..models import Citation, claim_name
from ..verification.admin import (
    CitationVerificationFilter,
    last_check_summary,
)
from .common import DeleteGuardMixin, claim_links


@admin.register(Citation)
class CitationAdmin(DeleteGuardMixin, admin.ModelAdmin):
    form = CitationAdminForm
    list_display = [
        "__str__",
        "claim_cell",
        "source",
        "locator",
        "has_quote",
        "retrieved_date",
        "verification_status",
    ]
    list_select_related = ["claim__framework", "claim__feature", "source", "verification"]
    list_filter = [
        "source__kind",
        "provenance",
        "claim__status",
        CitationVerificationFilter,
        "retrieved_date",
    ]
    search_fields = ["quote", "locator", "source__title", "claim__framework__name"]
    autocomplete_fields = ["claim", "source"]
    fieldsets = [
        (None, {"fields": ["claim", "source", "quote", "locator", "provenance"]}),
        ("Retrieval", {"fields": ["retrieved_date"], "classes": ["collapse"]}),
        ("Verification", {"fields": ["last_check"]}),
    ]

    def get_queryset(self, request):
        # The change page names the citation's claim by its cell (Claim.__str__). A
        # select_related here stands in for list_select_related, so it names all the list reads.
        return (
            super()
            .get_queryset(request)
            .select_related("claim__framework", "claim__feature", "source", "verification")
        )

    def get_readonly_fields(self, request, obj=None):
        # Moving a citation to another claim could leave a published claim unsourced; add a
        # new citation to the other claim instead.
        return ["claim", "last_check"] if obj is not None else ["last_check"]

    @admin.display(description="verification", ordering="verification__status")
    def verification_status(self, citation):
        check = getattr(citation, "verification", None)
        return check.get_status_display() if check else "Unchecked"

    @admin.display(description="last check")
    def last_check(self, citation):
        return last_check_summary(citation)

    @admin.display(description="claim", ordering="claim__framework__name")
    def claim_cell(self, citation):
        return claim_name(citation.claim)

    @admin.display(description="quote", boolean=True)
    def has_quote(self, citation):
        return bool(citation.quote)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.claims_note_citation_edit(claim_ids=[obj.claim_id], by=request.user)

    def delete_model(self, request, obj):
        # Locks the claim, so a curator publishing it meanwhile cannot slip past the check.
        services.citations_delete([obj])
        services.claims_note_citation_edit(claim_ids=[obj.claim_id], by=request.user)

    def delete_queryset(self, request, queryset):
        citations = list(queryset)
        services.citations_delete(citations)
        claim_ids = {citation.claim_id for citation in citations}
        services.claims_note_citation_edit(claim_ids=claim_ids, by=request.user)

    def delete_refusal(self, objs):
        claims = services.citations_delete_blockers(objs)
        if not claims:
            published = services.citations_review_blockers(
                {citation.claim_id: citation.claim for citation in objs}.values()
            )
            if published:
                return format_html(
                    services.PUBLISHED_EVIDENCE_MESSAGE, claims=claim_links(published)
                )
            return None
        return format_html(
            "{} These published claims would be left without a citation: {}. "
            "Add another citation to them, or send them to review, first.",
            services.UNSOURCED_MESSAGE,
            claim_links(claims),
        )
