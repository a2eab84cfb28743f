"""Helpers for the curation tests: admin forms through the test client, and claims that
compete for one cell."""

from django.urls import reverse

from knowledge.models import ClaimRank, ClaimStatus
from tests.factories import make_claim, make_feature, make_framework


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def form_data(response):
    """What the browser would POST back for the admin form in `response`, unchanged."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form[name].html_name] = "on" if value is True else str(value)
    return data


def make_rival_claims(**cell):
    """Two cited claims in review, both preferred, for one cell: only one can be published."""
    cell.setdefault("framework", make_framework())
    cell.setdefault("feature", make_feature())
    return [
        make_claim(key=key, rank=ClaimRank.PREFERRED, status=ClaimStatus.REVIEW, **cell)
        for key in ("a", "b")
    ]
