"""Admin forms: the publish rule on the citations inline, no lost updates on claims and their
citations, and inline autocompletes that do not query once per row."""

from datetime import UTC, datetime

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.utils.html import format_html, format_html_join

from .history import claim_changes
from .models import Citation, Claim, ClaimStatus, claim_name
from .services import (
    PUBLISHED_EVIDENCE_MESSAGE,
    CuratorSave,
    citations_review_blockers,
    claim_publish_errors,
    lock_claims,
    review_required,
)

# Form fields whose change is no edit of the claim: publishing someone's version is a review.
NOT_AN_EDIT = {"status", "version", "publish_reason"}

# Fields a curator edits on the claim form, compared when two curators edit the same claim.
CLAIM_FORM_FIELDS = [
    "framework",
    "feature",
    "key",
    "statement",
    "support",
    "feature_value",
    "value",
    "note",
    "as_of_version",
    "since_version",
    "until_version",
    "valid_until",
    "status",
    "rank",
]


class BatchedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete for inline rows that takes its selected object from `selected_objects`,
    read once for all the rows by BatchedAutocompleteFormSet, where Django's widget runs one
    query per row to label the selected option."""

    selected_objects = None

    def optgroups(self, name, value, attr=None):
        empty = self.choices.field.empty_values
        selected = {str(v) for v in value if str(v) not in empty}
        known = self.selected_objects
        if known is None or not selected <= known.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected):
            label = self.choices.field.label_from_instance(known[key])
            options.append(self.create_option(name, key, label, selected, len(options)))
        return [(None, options, 0)]


class BatchedAutocompleteFormSet(forms.BaseInlineFormSet):
    """Gives the BatchedAutocompleteSelect widgets of its rows their selected objects, read
    in one query per field for the whole inline (the rows' saved values, or the posted ones)."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        for name, field in form.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # admin's related wrapper
            if isinstance(widget, BatchedAutocompleteSelect):
                widget.selected_objects = self._selected_objects(name, field)
        return form

    def _selected_objects(self, name, field):
        cache = self.__dict__.setdefault("_batched_selected", {})
        if name not in cache:
            if self.is_bound:
                keys = [f"{self.add_prefix(i)}-{name}" for i in range(self.total_form_count())]
                values = [self.data.get(key, "") for key in keys]
            else:
                values = [getattr(row, f"{name}_id") for row in self.get_queryset()]
            ids = {str(value) for value in values if str(value).isdigit()}
            objects = field.queryset.filter(pk__in=ids) if ids else []
            cache[name] = {str(obj.pk): obj for obj in objects}
        return cache[name]


class CitationInlineFormSet(BatchedAutocompleteFormSet):
    """The claim's citations; refuses to leave a published claim without one.

    The rule is checked here rather than on the claim form because the admin saves the claim
    before its inline rows: only the formset knows how many citations will remain.
    """

    def clean(self):
        super().clean()
        claim = self.instance
        # A change of the citations is an edit of the claim, for the review rule.
        review = getattr(claim, "curator_save", None)
        citations_edited = self.has_changed()
        if claim.status != ClaimStatus.PUBLISHED:
            if review is not None and citations_edited:
                review.edited = True
            return
        stored = set()
        if claim.pk:
            # The rows were read before the claim was locked (ClaimAdminForm.clean): count what
            # is stored now, so a citation deleted meanwhile on its own page is not counted.
            lock_claims([claim.pk])
            stored = set(Citation.objects.filter(claim=claim).values_list("pk", flat=True))
        deleted = {
            form.instance.pk for form in self.initial_forms if self._should_delete_form(form)
        }
        # Empty extra rows have no source; rows marked for deletion will not remain.
        added = sum(
            1
            for form in self.extra_forms
            if form.cleaned_data.get("source") and not self._should_delete_form(form)
        )
        remaining = len(stored - deleted) + added
        # The claim form validates the model's constraints itself; only the rule is ours.
        errors = claim_publish_errors(claim, citation_count=remaining, check_constraints=False)
        if review is not None and citations_edited and not (review.edited or review.refused):
            # The claim form found no edit of its own fields; this one makes it the curator's.
            review.edited = True
            errors.extend(review.review_errors(claim.status))
        if errors:
            raise ValidationError(errors)


class CitationAdminForm(forms.ModelForm):
    """A citation on its own page: not of a published claim while review is required."""

    def clean(self):
        cleaned_data = super().clean()
        claim = cleaned_data.get("claim") or getattr(self.instance, "claim", None)
        if claim is not None and citations_review_blockers([claim]):
            raise ValidationError(PUBLISHED_EVIDENCE_MESSAGE.format(claims=claim_name(claim)))
        return cleaned_data


class ClaimAdminForm(forms.ModelForm):
    """The claim form, with optimistic locking over the claim and its citations.

    `version` carries the claim's `updated_at` the form was rendered with, and its citations'
    count and latest `updated_at` (any add, edit or delete of a citation changes one of them).
    On save, the claim row is read again under SELECT … FOR UPDATE (inside the admin's
    transaction); if it or its citations changed meanwhile the save is refused with what
    another curator changed, old → new: the claim's fields from its history, the citations
    against the values this form posted. The refused form then carries the new version, so
    saving again deliberately replaces the other curator's values.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Offered to superusers only (ClaimAdmin.get_fieldsets); ignored when someone else's change
    # is being published, which is a review.
    publish_reason = forms.CharField(
        label="Reason to publish without review",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Superusers only: publishing your own change needs another curator's "
        "approval, or a reason here, e.g. “typo fix, the sources are unchanged”. Recorded in "
        "the claim's history.",
    )
    # The curator saving, set by ClaimAdmin.get_form.
    curator = None

    class Meta:
        model = Claim
        fields = CLAIM_FORM_FIELDS
        # A sentence of up to 300 characters: a one-line box hid most of it.
        widgets = {"statement": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = claim_version(self.instance)
        self._offer_only_this_cells_choices()

    def _offer_only_this_cells_choices(self):
        """The value select lists the claim's feature's values, the release selects the
        framework's releases: a short list to pick from, and one that stays short however many
        features and frameworks there are. Model validation still names a wrong pick."""
        for name, owner in (
            ("feature_value", "feature"),
            ("since_version", "framework"),
            ("until_version", "framework"),
        ):
            field = self.fields.get(name)
            if field is None:
                continue
            chosen = self.data.get(self.add_prefix(owner)) if self.is_bound else None
            chosen = chosen or getattr(self.instance, f"{owner}_id", None)
            if chosen and str(chosen).isdigit():
                field.queryset = field.queryset.filter(**{f"{owner}_id": chosen})

    def clean(self):
        cleaned_data = super().clean()
        stored = self._refuse_stale_version() if self.instance.pk else None
        self._check_review(stored)
        return cleaned_data

    def _check_review(self, stored):
        """The four-eyes rule for this save. Its record travels on the claim
        (`curator_save`), where the citations' formset, which the admin validates next, adds
        its own edits and ClaimAdmin.save_model applies it."""
        save = CuratorSave(
            by=self.curator,
            author_id=stored.changed_by_id if stored is not None else None,
            was_published=stored is not None and stored.status == ClaimStatus.PUBLISHED,
            edited=stored is None or bool(set(self.changed_data) - NOT_AN_EDIT),
            waiver=self.cleaned_data.get("publish_reason", ""),
        )
        self.instance.curator_save = save
        if review_required():
            errors = save.review_errors(self.cleaned_data.get("status"))
            if errors:
                save.refused = True
                raise ValidationError(errors)

    def _refuse_stale_version(self):
        """The stored claim, locked; raises when it changed since the form was opened."""
        current = Claim.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            raise ValidationError("Another curator deleted this claim while you were editing it.")
        posted = self.cleaned_data.get("version") or ""
        now = claim_version(current)
        if posted == now:
            return current
        # Let a second, deliberate save go through.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = now
        started_from = _parse_version(posted)
        if started_from is None:
            raise ValidationError(
                "This form does not say which version of the claim it was opened on. "
                "Check the values below and save again."
            )
        message = _conflict_message(current, started_from)
        citations = _citation_changes(current, self.data)
        if citations:
            message = format_html(
                "{}<p>Its citations changed meanwhile:</p><ul>{}</ul>", message, citations
            )
        raise ValidationError(message)


def claim_version(claim):
    """The claim's `updated_at`, and its citations' count and latest `updated_at`.

    ClaimAdmin's queryset annotates the two citation figures; other callers pay one query.
    """
    if not hasattr(claim, "citations_changed"):
        figures = claim.citations.aggregate(count=Count("pk"), changed=Max("updated_at"))
        claim.citation_count, claim.citations_changed = figures["count"], figures["changed"]
    changed = claim.citations_changed.isoformat() if claim.citations_changed else "-"
    return f"{claim.updated_at.isoformat()}~{claim.citation_count}~{changed}"


def _parse_version(value):
    try:
        # In UTC here: a forged offset that overflows on conversion is refused, not a 500.
        return datetime.fromisoformat(value.split("~", 1)[0]).astimezone(UTC) if value else None
    except (ValueError, OverflowError):
        return None


# The citation fields a conflict message compares, as the inline posts them.
CITATION_FIELDS = ["source", "quote", "locator", "retrieved_date"]


def _citation_changes(claim, data):
    """Safe HTML <li> items for the citations that differ from what the form posted."""
    prefix = "citations"
    try:
        rows = int(data.get(f"{prefix}-INITIAL_FORMS", 0))
    except (TypeError, ValueError):
        rows = 0
    posted = {}
    for i in range(min(rows, 1000)):
        pk = str(data.get(f"{prefix}-{i}-id", ""))
        if pk.isdigit():
            posted[int(pk)] = {
                name: data.get(f"{prefix}-{i}-{name}", "") for name in CITATION_FIELDS
            }
    current = {c.pk: c for c in Citation.objects.filter(claim=claim).select_related("source")}
    items = []
    for pk, citation in current.items():
        label = f"citation #{pk} ({citation.source.title})"
        if pk not in posted:
            items.append((label, "added by another curator"))
            continue
        now = {
            "source": str(citation.source_id),
            "quote": citation.quote,
            "locator": citation.locator,
            "retrieved_date": str(citation.retrieved_date or ""),
        }
        changed = [
            f"{name}: {_shown(posted[pk][name])} → {_shown(now[name])}"
            for name in CITATION_FIELDS
            if str(posted[pk][name]).replace("\r\n", "\n") != now[name]
        ]
        if changed:
            items.append((label, "; ".join(changed)))
    for pk in posted.keys() - current.keys():
        items.append((f"citation #{pk}", "deleted by another curator"))
    return format_html_join("", "<li>{}: {}</li>", items)


def _conflict_message(current, started_from):
    history = current.history.select_related("history_user")
    then = history.filter(updated_at=started_from).order_by("-history_id").first()
    latest = history.order_by("-history_id").first()
    who = "Another curator"
    if latest is not None and latest.history_user is not None:
        who = f"Another curator ({latest.history_user.get_username()})"
    intro = format_html(
        "{} changed this claim at {} while you were editing it, so your changes were not saved.",
        who,
        current.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
    )
    advice = (
        "Check the values below (they are still yours); saving again replaces the other "
        "curator's values with yours."
    )
    if then is None:
        return format_html("{} Its history does not show what changed. {}", intro, advice)
    changes = _changed_fields(then, current)
    if not changes:
        # The admin saves the claim on every save, so an edit of its citations alone lands here.
        return format_html(
            "{} Its own fields are as you found them: the change was to its citations. {}",
            intro,
            advice,
        )
    items = format_html_join("", "<li>{}: {} → {}</li>", changes)
    return format_html("{} What changed meanwhile:<ul>{}</ul>{}", intro, items, advice)


def _changed_fields(then, current):
    """(field name, old value, new value) for each form field that differs, as displayed."""
    return [
        (change.label, _shown(change.old), _shown(change.new))
        for change in claim_changes(then, current, fields=CLAIM_FORM_FIELDS)
    ]


def _shown(value):
    return "(empty)" if value is None else f"“{value}”"
