"""Exports carry curator text to spreadsheets and scripts: no cell may start a formula, and
the JSON is data (its own content type, never sniffed as HTML)."""

import csv
import io
import json

import pytest
from django.urls import reverse

from tests.factories import make_category, make_claim, make_feature, make_framework

from .responses import FORMULA_STARTS

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("https://evil.example/","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)"]


@pytest.fixture
def formula_matrix(db):
    category = make_category(name=FORMULAS[0])
    frameworks = [make_framework(name=name) for name in FORMULAS]
    features = [make_feature(name=name, category=category) for name in FORMULAS]
    for framework in frameworks:
        for feature in features:
            make_claim(framework=framework, feature=feature, value=FORMULAS[3])
    return frameworks


def test_csv_export_starts_no_cell_with_a_formula(visitor, formula_matrix):
    response = visitor.get(reverse("comparisons:matrix-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows for cell in row]
    assert any("HYPERLINK" in cell for cell in cells), "the hostile names must be exported"
    assert [c for c in cells if c.startswith(FORMULA_STARTS)] == []


def test_json_export_is_json_and_not_sniffable(visitor, formula_matrix):
    response = visitor.get(reverse("comparisons:matrix-json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert FORMULAS[1] in json.dumps(json.loads(response.content), ensure_ascii=False)
