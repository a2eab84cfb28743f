"""The curators' admin for the knowledge base.

Rules live in knowledge/services.py; the admin only asks them and says what they answered.
Every changelist selects or annotates what its columns show, so a page runs the same handful
of queries however many rows the table holds (tests/knowledge/test_admin_queries.py).
"""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import IntegrityError, models
from django.db.models import Count, Exists, Max, OuterRef, ProtectedError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .forms import (
    CLAIM_FORM_FIELDS,
    BatchedAutocompleteSelect,
    CitationInlineFormSet,
    ClaimAdminForm,
)
from .models import (
    Category,
    Citation,
    Claim,
    ClaimStatus,
    Feature,
    FeatureValue,
    Framework,
    Release,
    Source,
    SourceKind,
)
from .verification.admin import (
    CitationVerificationFilter,
    SourceArchiveInline,
    SourceVerificationFilter,
    check_sources_now,
    last_check_summary,
)

# How many claims a message or the source page lists before saying "and N more".
LISTED_CLAIMS = 50

LAST_CHANGED_FILTER = ("updated_at", admin.DateFieldListFilter)

# A curator pasting "docs.example.org/x" means the https page (Django 6 makes this the default).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def claim_links(claims, *, total=None, sep=", "):
    """Safe HTML links to the claims' admin pages, at most LISTED_CLAIMS of them.

    `claims` must have framework and feature selected; `total` says how many there are when
    the caller fetched only the first few. Messages use the default comma-separated run: the
    admin styles every <li> inside a message as a message of its own.
    """
    shown = list(claims[:LISTED_CLAIMS])
    links = format_html_join(
        sep,
        '<a href="{}">{}</a>',
        (
            (reverse("admin:knowledge_claim_change", args=[claim.pk]), services.claim_label(claim))
            for claim in shown
        ),
    )
    more = (len(claims) if total is None else total) - len(shown)
    tail = format_html("{}… and {} more", sep, more) if more > 0 else ""
    return format_html("{}{}", links, tail)


class DeleteGuardMixin:
    """Refuse deletes that a rule forbids with a message that says why, on the delete page
    and in the "delete selected" action, instead of Django's generic "cannot delete" page or,
    when the rule is only enforced by the database, a 500."""

    def delete_refusal(self, objs):
        """A safe HTML message saying why `objs` cannot be deleted, or None when they can."""
        raise NotImplementedError

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            refusal = self.delete_refusal([obj])
            if refusal:
                return self._refuse_delete(request, refusal, obj)
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError:
            # Someone cited it between the check above and the delete.
            return self._refuse_delete(request, self.delete_refusal([obj]), obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (_guarded_delete_selected, name, description)
        return actions

    def _refuse_delete(self, request, refusal, obj=None):
        self.message_user(request, refusal or "This cannot be deleted now.", messages.ERROR)
        opts = self.model._meta
        if obj is None:
            return None
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", obj.pk)


def _guarded_delete_selected(modeladmin, request, queryset):
    refusal = modeladmin.delete_refusal(list(queryset))
    if refusal:
        return modeladmin._refuse_delete(request, refusal)
    try:
        return delete_selected(modeladmin, request, queryset)
    except ProtectedError:
        return modeladmin._refuse_delete(request, modeladmin.delete_refusal(list(queryset)))


# -- Categories, features, frameworks ---------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order", "feature_count", "updated_at"]
    list_editable = ["order"]
    list_filter = [LAST_CHANGED_FILTER]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "order"]}),
        ("Description", {"fields": ["description"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(feature_count=Count("features"))

    @admin.display(description="features", ordering="feature_count")
    def feature_count(self, category):
        return category.feature_count


class FeatureValueInline(admin.TabularInline):
    """The vocabulary of a descriptor feature, or the scale of an assessment, lowest first."""

    model = FeatureValue
    fields = ["position", "label", "slug", "meaning"]
    prepopulated_fields = {"slug": ["label"]}
    extra = 0
    verbose_name = "value (vocabulary or scale)"
    verbose_name_plural = "values (descriptor and assessment features only; a scale lowest first)"


@admin.register(Feature)
class FeatureAdmin(admin.ModelAdmin):
    inlines = [FeatureValueInline]
    list_display = ["name", "slug", "category", "kind", "order", "claim_count", "updated_at"]
    list_select_related = ["category"]
    list_filter = ["kind", "category", LAST_CHANGED_FILTER]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "kind", "description"]}),
        ("Ordering and tags", {"fields": ["order", "tags"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(claim_count=Count("claims"))

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, feature):
        return feature.claim_count


class ReleaseInline(admin.TabularInline):
    model = Release
    fields = ["version", "released_on", "is_lts", "end_of_support", "notes"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    inlines = [ReleaseInline]
    list_display = ["name", "slug", "language", "licence", "release_count", "claim_count"]
    list_filter = ["language", "licence", LAST_CHANGED_FILTER]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    search_fields = ["name", "slug", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description", "tags"]}),
        ("Links", {"fields": ["homepage", "repository_url", "documentation_url"]}),
        (
            "Facts",
            {
                "fields": ["maintainer", "language", "licence", "first_release_year"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        # Two counts over two joins would multiply each other: count distinct rows.
        return (
            super()
            .get_queryset(request)
            .annotate(
                claim_count=Count("claims", distinct=True),
                release_count=Count("releases", distinct=True),
            )
        )

    @admin.display(description="releases", ordering="release_count")
    def release_count(self, framework):
        return framework.release_count

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, framework):
        return framework.claim_count


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


# -- Claims and citations ---------------------------------------------------------------------


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


class BatchedAutocompleteInline(admin.StackedInline):
    """An inline whose autocomplete fields label their rows' values with one query in all."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                BatchedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": [*CLAIM_MAIN_FIELDS, "version"]}),
        ("Details", {"fields": [*CLAIM_DETAIL_FIELDS, "updated_at"], "classes": ["collapse"]}),
    ]
    history_list_display = ["status", "support", "rank"]
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
            .select_related("framework", "feature")
            .annotate(
                citation_count=Count("citations"), citations_changed=Max("citations__updated_at")
            )
        )

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
        return super().render_change_form(request, context, *args, **kwargs)

    def revert_disabled(self, request, obj=None):
        # A revert saves the claim without its citations inline, so it could republish a claim
        # whose citations were deleted since: the history is for reading here.
        return True

    def history_view(self, request, object_id, extra_context=None):
        _refuse_non_ids(object_id=(self.opts.pk, object_id))
        return super().history_view(request, object_id, extra_context)

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
        result = services.claims_set_status(claims=claims, status=status)
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
                        services.claim_label(claim),
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


@admin.register(Citation)
class CitationAdmin(DeleteGuardMixin, admin.ModelAdmin):
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
        return services.claim_label(citation.claim)

    @admin.display(description="quote", boolean=True)
    def has_quote(self, citation):
        return bool(citation.quote)

    def delete_model(self, request, obj):
        # Locks the claim, so a curator publishing it meanwhile cannot slip past the check.
        services.citations_delete([obj])

    def delete_queryset(self, request, queryset):
        services.citations_delete(list(queryset))

    def delete_refusal(self, objs):
        claims = services.citations_delete_blockers(objs)
        if not claims:
            return None
        return format_html(
            "{} These published claims would be left without a citation: {}. "
            "Add another citation to them, or send them to review, first.",
            services.UNSOURCED_MESSAGE,
            claim_links(claims),
        )
