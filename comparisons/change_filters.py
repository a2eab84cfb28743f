"""The form of the changes page and its exports: a date range, and what the changes are about.

A GET form, so every list has a shareable URL. Dates that are missing take the defaults (the
last 30 days up to today); dates that cannot be read, a range that ends before it starts, that
ends after today or that spans more than a year are form errors, and nothing is listed.
"""

from datetime import date, timedelta

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone

from knowledge.models import Category, Feature, Framework

from .widgets import CheckboxSelectMultiple

DEFAULT_DAYS = 30
# A longer range is a page no reader could read; the exports say the same as the page.
MAX_DAYS = 366
# Nothing was recorded before this day; earlier dates (down to the year 1, where date
# arithmetic overflows) are a form error.
FIRST_DAY = date(2000, 1, 1)
BEFORE_FIRST_DAY = f"No change is known before {FIRST_DAY.isoformat()}."


class ChangeFilter(forms.Form):
    since = forms.DateField(
        label="From",
        required=False,
        validators=[MinValueValidator(FIRST_DAY, message=BEFORE_FIRST_DAY)],
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day, YYYY-MM-DD.",
    )
    until = forms.DateField(
        label="To",
        required=False,
        validators=[MinValueValidator(FIRST_DAY, message=BEFORE_FIRST_DAY)],
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The last day, YYYY-MM-DD; today at the latest.",
    )
    framework = forms.MultipleChoiceField(
        label="Frameworks",
        required=False,
        widget=CheckboxSelectMultiple,
        help_text="None ticked: every framework.",
    )
    feature = forms.ChoiceField(label="Feature", required=False)
    category = forms.MultipleChoiceField(
        label="Categories", required=False, widget=CheckboxSelectMultiple
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        self.fields["framework"].choices = list(Framework.objects.values_list("slug", "name"))
        self.fields["feature"].choices = [("", "Any feature")] + list(
            Feature.objects.order_by("name", "slug").values_list("slug", "name")
        )
        self.fields["category"].choices = list(Category.objects.values_list("slug", "name"))

    def clean(self):
        data = super().clean()
        if "since" in self.errors or "until" in self.errors:
            return data
        today = timezone.localdate()
        until = data.get("until") or today
        since = data.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if until > today:
            self.add_error("until", f"No change is known after today ({today.isoformat()}).")
        elif since > until:
            self.add_error("since", "The first day comes after the last one.")
        elif (until - since).days + 1 > MAX_DAYS:
            self.add_error("since", f"Ask for at most {MAX_DAYS} days at a time.")
        data["since"], data["until"] = since, until
        return data

    def selection(self) -> dict:
        """The arguments of `change_list`, from a valid form."""
        data = self.cleaned_data
        return {
            "since": data["since"],
            "until": data["until"],
            "framework_slugs": tuple(data["framework"]),
            "feature_slugs": (data["feature"],) if data["feature"] else (),
            "category_slugs": tuple(data["category"]),
        }
