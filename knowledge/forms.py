"""Admin forms: the publish rule on the citations inline, no lost updates on claims, and
inline autocompletes that do not query once per row."""

from datetime import UTC, datetime

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from .models import Claim, ClaimStatus
from .services import claim_publish_errors

# Fields a curator edits on the claim form, compared when two curators edit the same claim.
CLAIM_FORM_FIELDS = [
    "framework",
    "feature",
    "key",
    "statement",
    "support",
    "value",
    "note",
    "as_of_version",
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
        if claim.status != ClaimStatus.PUBLISHED:
            return
        # Empty extra rows have no source; rows marked for deletion will not remain.
        remaining = sum(
            1
            for form in self.forms
            if form.cleaned_data.get("source") and not self._should_delete_form(form)
        )
        # The claim form validates the model's constraints itself; only the rule is ours.
        errors = claim_publish_errors(claim, citation_count=remaining, check_constraints=False)
        if errors:
            raise ValidationError(errors)


class ClaimAdminForm(forms.ModelForm):
    """The claim form, with optimistic locking.

    `version` carries the `updated_at` the form was rendered with. On save, the claim row is
    read again under SELECT … FOR UPDATE (inside the admin's transaction); if it changed
    meanwhile the save is refused with the fields another curator changed, old → new, taken
    from the claim's history. The refused form then carries the new version, so saving again
    deliberately replaces the other curator's values.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Claim
        fields = CLAIM_FORM_FIELDS
        # A sentence of up to 300 characters: a one-line box hid most of it.
        widgets = {"statement": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk:
            self._refuse_stale_version()
        return cleaned_data

    def _refuse_stale_version(self):
        current = Claim.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            raise ValidationError("Another curator deleted this claim while you were editing it.")
        started_from = _parse_version(self.cleaned_data.get("version"))
        if started_from == current.updated_at:
            return
        # Let a second, deliberate save go through.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = current.updated_at.isoformat()
        if started_from is None:
            raise ValidationError(
                "This form does not say which version of the claim it was opened on. "
                "Check the values below and save again."
            )
        raise ValidationError(_conflict_message(current, started_from))


def _parse_version(value):
    try:
        # In UTC here: a forged offset that overflows on conversion is refused, not a 500.
        return datetime.fromisoformat(value).astimezone(UTC) if value else None
    except (ValueError, OverflowError):
        return None


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
    rows = []
    names = {}
    for name in CLAIM_FORM_FIELDS:
        model_field = Claim._meta.get_field(name)
        attname = model_field.attname
        old, new = getattr(then, attname), getattr(current, attname)
        if old == new:
            continue
        if model_field.is_relation:
            names.setdefault(model_field.related_model, set()).update({old, new})
        rows.append((model_field, old, new))
    # One query per related model that changed, never per row.
    labels = {
        model: dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
        for model, ids in names.items()
    }
    result = []
    for model_field, old, new in rows:
        if model_field.is_relation:
            known = labels[model_field.related_model]
            old, new = known.get(old, old), known.get(new, new)
        elif model_field.choices:
            choices = dict(model_field.flatchoices)
            old, new = choices.get(old, old), choices.get(new, new)
        result.append((model_field.verbose_name, _shown(old), _shown(new)))
    return result


def _shown(value):
    return "(empty)" if value in (None, "") else f"“{value}”"
