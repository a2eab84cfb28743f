"""/changes/: what changed in the published knowledge, as a page, CSV and JSON.

All three read the same form and the same `change_list`, so an export holds exactly the
page's changes for the same query string.
"""

import csv
from functools import wraps

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .change_exports import change_csv_rows, change_json
from .change_filters import ChangeFilter
from .changes import change_days, change_days_flatten, change_list
from .renames import renamed_filter_redirect


class _Renamed(Exception):
    def __init__(self, response):
        self.response = response


def _selected(request):
    """The valid form and its changes by day, or the form and None when it is not valid;
    raises _Renamed when its filters name a renamed slug."""
    form = ChangeFilter(request.GET)
    if not form.is_valid():
        renamed = renamed_filter_redirect(request, form.errors)
        if renamed:
            raise _Renamed(renamed)
        return form, None
    return form, change_days(change_list(**form.selection()))


def _following_renames(view):
    """`view`, but a filter naming a renamed slug redirects to today's slug."""

    @wraps(view)
    def following(request):
        try:
            return view(request)
        except _Renamed as renamed:
            return renamed.response

    return following


@require_safe
@_following_renames
def changes(request):
    form, days = _selected(request)
    context = {"form": form, "days": days}
    if days is not None:
        context.update(selection=form.selection(), count=len(change_days_flatten(days)))
    # A range that cannot be read is the reader's mistake: say so, list nothing.
    status = 200 if days is not None else 400
    return render(request, "comparisons/changes.html", context, status=status)


def _invalid(form) -> HttpResponseBadRequest:
    errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
    return HttpResponseBadRequest(
        f"Invalid dates or filters, nothing exported. {errors}", content_type="text/plain"
    )


@require_safe
@_following_renames
def changes_csv(request):
    form, days = _selected(request)
    if days is None:
        return _invalid(form)
    found = change_days_flatten(days)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="citegrid-changes.csv"'
    csv.writer(response).writerows(change_csv_rows(found, absolute=request.build_absolute_uri))
    return response


@require_safe
@_following_renames
def changes_json(request):
    form, days = _selected(request)
    if days is None:
        return _invalid(form)
    found = change_days_flatten(days)
    payload = change_json(found, selection=form.selection(), absolute=request.build_absolute_uri)
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'attachment; filename="citegrid-changes.json"'
    return response
