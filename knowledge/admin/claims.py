"""The admin of claims: the curators' main form, its citation inline, filters and actions."""

from contextlib import suppress

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import (
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, Max, OuterRef
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..forms import (
    CLAIM_FORM_FIELDS,
    CitationInlineFormSet,
    ClaimAdminForm,
    claim_version,
)
from ..models import (
    Citation,
    Claim,
    ClaimStatus,
    FeatureValue,
    Release,
    Source,
    SourceKind,
    claim_name,
)

# -- Claims and citations ---------------------------------------------------------------------
from .common import BatchedAutocompleteInline


class CitationPresenceFilter(admin.SimpleListFilter):
    title = "citations"
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("no", "Has no citation"), ("yes", "Has a citation")]

    def queryset(self, request, queryset):
        cited = Exists(Citation.objects.filter(claim=OuterRef("pk")))
        if self.value() == "no":
            return queryset.filter(~cited)
        if self.value() == "yes":
            return queryset.filter(cited)
        return queryset


class SourceKindFilter(admin.SimpleListFilter):
    title = "kind of cited source"
    parameter_name = "source_kind"

    def lookups(self, request, model_admin):
        return SourceKind.choices

    def queryset(self, request, queryset):
        if self.value() in SourceKind.values:
            cites_kind = Citation.objects.filter(claim=OuterRef("pk"), source__kind=self.value())
            return queryset.filter(Exists(cites_kind))
        return queryset


class CitedSourceFilter(admin.SimpleListFilter):
    """The claims citing one source; offered only when reached from that source's page."""

    title = "cited source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value or not value.isdigit():
            return []
        title = Source.objects.filter(pk=value).values_list("title", flat=True).first()
        return [(value, title)] if title else []

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            cites = Citation.objects.filter(claim=OuterRef("pk"), source_id=self.value())
            return queryset.filter(Exists(cites))
        return queryset


CLAIM_DETAIL_FIELDS = ["note", "as_of_version", "since_version", "until_version", "valid_until"]
CLAIM_MAIN_FIELDS = [name for name in CLAIM_FORM_FIELDS if name not in CLAIM_DETAIL_FIELDS]


class CitationInline(BatchedAutocompleteInline):
    """Stacked: in a table row the quote, source picker, locator and date did not fit a
    1280 px screen, and the row's fields had only the column headers for labels."""

    model = Citation
    formset = CitationInlineFormSet
    fields = ["source", "quote", "locator", "retrieved_date", "provenance"]
    autocomplete_fields = ["source"]
    # A quote is at most a few lines; the default ten-row box pushes the next citation away.
    formfield_overrides = {models.TextField: {"widget": AdminTextareaWidget(attrs={"rows": 3})}}
    extra = 1


def _refuse_non_ids(**ids):
    """400 for an id in the URL that its field cannot hold ("abc"): simple_history looks its
    ids up as they came, and such a lookup raises."""
    for name, (field, value) in ids.items():
        try:
            field.to_python(unquote(value))
        except ValidationError:
            raise BadRequest(f"The {name} in the address is not a number.") from None


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    # A value or a release is shown with what it belongs to: "Learning curve: Steep".
    labelled_choices = {
        "feature_value": (FeatureValue, "feature", lambda value: f"{value.feature}: {value}"),
        "since_version": (Release, "framework", lambda release: f"{release.framework} {release}"),
        "until_version": (Release, "framework", lambda release: f"{release.framework} {release}"),
    }

    form = ClaimAdminForm
    inlines = [CitationInline]
    list_display = [
        "__str__",
        "framework",
        "feature",
        "key",
        "support",
        "feature_value",
        "status",
        "rank",
        "citation_count",
        "updated_at",
    ]
    list_select_related = ["framework", "feature", "feature_value"]
    list_filter = [
        "status",
        "support",
        "rank",
        "framework",
        "feature__category",
        SourceKindFilter,
        CitationPresenceFilter,
        CitedSourceFilter,
    ]
    search_fields = ["framework__name", "feature__name", "key", "statement", "value"]
    autocomplete_fields = ["framework", "feature"]
    readonly_fields = ["updated_at", "review"]
    fieldsets = [
        (None, {"fields": [*CLAIM_MAIN_FIELDS, "version"]}),
        ("Review", {"fields": ["review", "publish_reason"]}),
        ("Details", {"fields": [*CLAIM_DETAIL_FIELDS, "updated_at"], "classes": ["collapse"]}),
    ]
    history_list_display = ["status", "support", "rank", "reviewed_at", "review_waiver"]
    actions = ["publish", "send_to_review", "retract"]

    class Media:
        js = ["knowledge/autocomplete_labels.js"]
        css = {"all": ["knowledge/claim_admin.css"]}

    def get_queryset(self, request):
        # Both citation figures are part of the change form's version (forms.ClaimAdminForm);
        # the framework and feature name the claim (its __str__) on every page that shows it.
        return (
            super()
            .get_queryset(request)
            .select_related("framework", "feature", "changed_by", "reviewed_by")
            .annotate(
                citation_count=Count("citations"), citations_changed=Max("citations__updated_at")
            )
        )

    def get_fieldsets(self, request, obj=None):
        # Only a superuser may publish without review, so only they get the reason's box.
        if request.user.is_superuser and services.review_required():
            return self.fieldsets
        review = ("Review", {"fields": ["review"]})
        return [review if name == "Review" else (name, opts) for name, opts in self.fieldsets]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # A class made for this request (modelform_factory), so the attribute is this request's.
        form = super().get_form(request, obj, change=change, **kwargs)
        form.curator = request.user
        return form

    def save_model(self, request, obj, form, change):
        save = getattr(obj, "curator_save", None)
        if save is not None:
            services.claim_apply_curator_save(obj, save)
        super().save_model(request, obj, form, change)

    def get_urls(self):
        approve = path(
            "<path:object_id>/approve/",
            self.admin_site.admin_view(self.approve_view),
            name="knowledge_claim_approve",
        )
        return [approve, *super().get_urls()]

    def approve_view(self, request, object_id):
        """Publish the claim as approved by this curator: the reviewer's button on its page.

        The page posts the version it showed (the claim's and its citations', as the form's
        lost-update guard has it), so nobody approves what they have not seen."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        _refuse_non_ids(object_id=(self.opts.pk, object_id))
        claim = (
            Claim.objects.select_related("framework", "feature").filter(pk=unquote(object_id))
        ).first()
        if claim is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, claim):
            raise PermissionDenied
        try:
            with transaction.atomic():
                services.lock_claims([claim.pk])
                claim.refresh_from_db()  # as committed before the lock
                if request.POST.get("version", "") != claim_version(claim):
                    raise ValidationError(
                        "The claim changed since you opened it: check it again, then approve."
                    )
                services.claim_publish(claim=claim, by=request.user)
        except ValidationError as error:
            self.message_user(
                request,
                f"{claim_name(claim)} was not published: {' '.join(error.messages)}",
                messages.ERROR,
            )
        else:
            self.message_user(
                request, f"{claim_name(claim)} was approved and published.", messages.SUCCESS
            )
        return redirect("admin:knowledge_claim_change", claim.pk)

    @admin.display(description="review")
    def review(self, claim):
        """Who changed the claim last and who approved it: for curators only, never public."""
        if not services.review_required():
            return "Review is off on this site (CITEGRID_REVIEW_REQUIRED): any curator publishes."
        if claim.pk is None:
            return "A new claim: another curator approves it once you have saved it."
        author = _curator(claim.changed_by) if claim.changed_by_id else "loadkb or code"
        parts = [f"Last changed by {author}."]
        if claim.reviewed_at is None:
            parts.append("Not approved yet.")
        elif claim.review_waiver:
            parts.append(
                f"Published without review by {_curator(claim.reviewed_by)} on "
                f"{claim.reviewed_at:%Y-%m-%d %H:%M} UTC, because: “{claim.review_waiver}”."
            )
        else:
            parts.append(
                f"Approved by {_curator(claim.reviewed_by)} on "
                f"{claim.reviewed_at:%Y-%m-%d %H:%M} UTC."
            )
        return " ".join(parts)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            # PostgreSQL's last line of defence (migration 0002) refused the commit: the form's
            # checks passed, but a concurrent write left the claim without a citation.
            if not services.breaks_citation_rule(error):
                raise
            self.message_user(request, services.UNSOURCED_MESSAGE, messages.ERROR)
            return redirect(request.get_full_path())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.labelled_choices:
            model, owner, label = self.labelled_choices[db_field.name]
            kwargs["queryset"] = model.objects.select_related(owner)
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = label
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def render_change_form(self, request, context, *args, **kwargs):
        # Why a publish was refused goes at the top of the form too, where a curator looks
        # after saving, not only at the citations below the fold.
        form = context["adminform"].form
        for inline in context.get("inline_admin_formsets", []):
            for error in inline.formset.non_form_errors():
                form.add_error(None, error)
        # The reviewer's button (templates/admin/knowledge/claim/change_form.html) posts the
        # version it was shown.
        claim = kwargs.get("obj")
        if claim is not None and claim.status != ClaimStatus.PUBLISHED:
            context["approve_version"] = claim_version(claim)
        return super().render_change_form(request, context, *args, **kwargs)

    def revert_disabled(self, request, obj=None):
        # A revert saves the claim without its citations inline, so it could republish a claim
        # whose citations were deleted since: the history is for reading here.
        return True

    def history_view(self, request, object_id, extra_context=None):
        _refuse_non_ids(object_id=(self.opts.pk, object_id))
        return super().history_view(request, object_id, extra_context)

    def render_history_view(self, request, template, context, **kwargs):
        # Each version is named by its cell like every claim, but a version's claim is made
        # afresh from its row, without relations: hand it the framework and feature that
        # simple_history selects with the rows, rather than a query per row.
        # (The same hook renders one version's page, which has no list.)
        page = context.get("page_obj")
        for record in page.object_list if page else ():
            claim = record.history_object
            claim.framework, claim.feature = record.framework, record.feature
            record.history_object = claim
        return super().render_history_view(request, template, context, **kwargs)

    def history_form_view_title(self, request, obj):
        # One version's claim, made afresh from its row: read its framework and feature once
        # (cached on it from then on), so its title and breadcrumbs name it by its cell.
        with suppress(ObjectDoesNotExist):  # deleted since: then named by its key
            claim_name(obj)
        return super().history_form_view_title(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _refuse_non_ids(
            object_id=(self.opts.pk, object_id),
            version_id=(self.model.history.model._meta.pk, version_id),
        )
        # simple_history only hides the Revert button; refuse a revert posted by hand too.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    @admin.display(description="citations", ordering="citation_count")
    def citation_count(self, claim):
        return claim.citation_count

    @admin.action(description="Publish selected claims", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, ClaimStatus.PUBLISHED, "published")

    @admin.action(description="Send selected claims to review", permissions=["change"])
    def send_to_review(self, request, queryset):
        self._set_status(request, queryset, ClaimStatus.REVIEW, "sent to review")

    @admin.action(description="Retract selected claims", permissions=["change"])
    def retract(self, request, queryset):
        self._set_status(request, queryset, ClaimStatus.RETRACTED, "retracted")

    def _set_status(self, request, queryset, status, done):
        # A fresh query without the changelist's annotation, so rows are plain claims.
        claims = Claim.objects.filter(pk__in=queryset.values("pk")).select_related(
            "framework", "feature"
        )
        result = services.claims_set_status(claims=claims, status=status, by=request.user)
        if result.changed:
            self.message_user(request, f"{len(result.changed)} claim(s) {done}.", messages.SUCCESS)
        if result.unchanged:
            self.message_user(
                request, f"{len(result.unchanged)} claim(s) were already {done}.", messages.INFO
            )
        if result.refused:
            reasons = format_html_join(
                ";",
                ' <a href="{}">{}</a>: {}',
                (
                    (
                        reverse("admin:knowledge_claim_change", args=[claim.pk]),
                        claim_name(claim),
                        " ".join(errors).rstrip("."),
                    )
                    for claim, errors in result.refused
                ),
            )
            self.message_user(
                request,
                format_html(
                    "{} claim(s) were not {} and are unchanged:{}.",
                    len(result.refused),
                    done,
                    reasons,
                ),
                messages.ERROR,
            )


def _curator(user) -> str:
    return user.get_username() if user is not None else "a deleted user"
