"""The moderation queue: readers' suggestions, newest first, the undecided ones by default.

A curator opens one, reads what the reader sent (read-only: it is their evidence, not ours to
edit) and decides: accept (suggestions/services.py makes a draft claim with the citation
filled in, linked from here) or reject with a reason. A decided suggestion can only be
viewed. The reader's e-mail is shown only to users with `view_suggestion_email`, and no list
column or search reaches it.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from knowledge.models import claim_name

from . import services
from .forms import DecisionForm
from .models import Suggestion, SuggestionStatus

EMAIL_PERMISSION = "suggestions.view_suggestion_email"


class QueueFilter(admin.SimpleListFilter):
    """By status, the new ones (the queue) unless another is chosen."""

    title = "status"
    parameter_name = "queue"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*SuggestionStatus.choices, (self.ALL, "All")]

    def choices(self, changelist):
        current = self.value() or SuggestionStatus.NEW
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or SuggestionStatus.NEW
        if value == self.ALL:
            return queryset
        return queryset.filter(status=value)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    form = DecisionForm
    list_display = ["__str__", "created_at", "cell", "suggested", "status", "made_claim"]
    list_filter = [QueueFilter, "framework", "feature__category", "created_at"]
    search_fields = ["problem", "source_url", "quote", "framework__name", "feature__name"]
    SUBMITTED = [
        "cell",
        "corrected_claim",
        "problem",
        "suggested",
        "source_link",
        "quote",
        "created_at",
    ]
    DECIDED = ["status", "reason", "decided_at", "decided_by", "made_claim"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "framework",
                "feature",
                "feature_value",
                "claim__framework",
                "claim__feature",
                "draft_claim__framework",
                "draft_claim__feature",
                "decided_by",
            )
        )

    def get_fieldsets(self, request, obj=None):
        submitted = list(self.SUBMITTED)
        if request.user.has_perm(EMAIL_PERMISSION):
            submitted.append("email")
        if obj is not None and obj.status == SuggestionStatus.NEW:
            decision = ["decision", "reason"]
        else:
            decision = self.DECIDED
        return [("What the reader sent", {"fields": submitted}), ("Decision", {"fields": decision})]

    def lookup_allowed(self, lookup, value, request=None):
        # The admin accepts a filter on any field of the model in the query string
        # (?email__startswith=a), which would let a curator guess a reader's address one
        # letter at a time: no e-mail, the reader's or a user's, is ever a filter here.
        if "email" in lookup.split("__"):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_readonly_fields(self, request, obj=None):
        readonly = [*self.SUBMITTED, "email", "status", "decided_at", "decided_by", "made_claim"]
        if obj is None or obj.status != SuggestionStatus.NEW:
            readonly.append("reason")
        return readonly

    def has_add_permission(self, request):
        # Suggestions come from readers' form only.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != SuggestionStatus.NEW:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            if decision == DecisionForm.ACCEPT:
                claim = services.suggestion_accept(suggestion=obj, by=request.user, note=reason)
                self.message_user(
                    request,
                    format_html(
                        "Draft claim {} made, citing the reader's source: check it, complete "
                        "it and send it to review from there.",
                        self._claim_link(claim),
                    ),
                    messages.SUCCESS,
                )
            elif decision == DecisionForm.REJECT:
                services.suggestion_reject(suggestion=obj, by=request.user, reason=reason)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            request.suggestion_refused = True

    def log_change(self, request, obj, message):
        # A refused decision changed nothing: no "changed" entry in the admin's log.
        if not getattr(request, "suggestion_refused", False):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if getattr(request, "suggestion_refused", False):
            # Back to the suggestion with the error alone, not also "changed successfully".
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @staticmethod
    def _claim_link(claim):
        url = reverse("admin:knowledge_claim_change", args=[claim.pk])
        return format_html('<a href="{}">{}</a>', url, claim_name(claim))

    @admin.display(description="cell", ordering="framework__name")
    def cell(self, suggestion):
        return f"{suggestion.framework.name} · {suggestion.feature.name}"

    @admin.display(description="suggested")
    def suggested(self, suggestion):
        if suggestion.feature_value_id:
            return suggestion.feature_value.label
        return suggestion.get_support_display() or "—"

    @admin.display(description="claim corrected")
    def corrected_claim(self, suggestion):
        if suggestion.claim is None:
            return "None: the cell had no claim (or it was deleted since)."
        return self._claim_link(suggestion.claim)

    @admin.display(description="source URL")
    def source_link(self, suggestion):
        # A stranger's address: http(s) only (the form refuses any other), and opened
        # without telling that page where the curator came from.
        return format_html(
            '<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>',
            suggestion.source_url,
            suggestion.source_url,
        )

    @admin.display(description="draft claim made")
    def made_claim(self, suggestion):
        if suggestion.draft_claim is None:
            return "—"
        return self._claim_link(suggestion.draft_claim)
