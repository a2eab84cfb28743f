"""Placeholders: the public-site work replaces each with the real view."""

from django.http import Http404
from django.shortcuts import render


def home(request):
    return render(request, "comparisons/home.html")


def _not_built_yet(request, **kwargs):
    raise Http404("Not built yet.")


matrix = matrix_csv = matrix_json = compare = comparison_list = comparison_detail = _not_built_yet
