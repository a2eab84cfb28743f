"""The matrix markup drawn three ways from the same records, for the benchmark's renderer table.

The page draws its rows, its cells with several claims and its footnotes with the Python
writers of comparisons/templatetags/matrix.py. The benchmark times the same three parts drawn
by Django's template engine and by Jinja2 (Django's own `Jinja2` backend) from the same
`Matrix`, so that the choice of renderer rests on a measurement: the templates here write the
page's bytes (tests/devtools/test_renderers.py) and exist only to be measured.
"""

from collections.abc import Callable
from pathlib import Path

from django.template.backends.django import DjangoTemplates
from django.template.backends.jinja2 import Jinja2

from comparisons.records import Matrix
from comparisons.templatetags import matrix as markup

HERE = Path(__file__).resolve().parent
PARTS = ("matrix_rows", "several_claims", "footnotes")


def _rows(matrix: Matrix):
    return [row for section in matrix.sections for group in section.groups for row in group.rows]


def _several(matrix: Matrix) -> list[tuple]:
    """(row, cell, [(claim, its footnotes)]) for each cell with several claims: a template
    cannot index the footnotes by number, so each claim's run is sliced out for it here (a few
    cells' claims, not the 12,000 footnotes)."""
    notes = matrix.footnotes
    return [
        (
            row,
            cell,
            [
                (
                    claim,
                    notes[
                        claim.first_footnote - 1 : claim.first_footnote - 1 + claim.footnote_count
                    ],
                )
                for claim in cell.claims
            ],
        )
        for row, cell in matrix.several_claims
    ]


def _context(matrix: Matrix) -> dict:
    return {"rows": _rows(matrix), "several": _several(matrix), "footnotes": matrix.footnotes}


def python(matrix: Matrix) -> list[str]:
    """What the page writes (its template tags, called without a page's context: their
    fragments come back as they are, not held for a splice)."""
    return [
        markup.matrix_rows({}, _rows(matrix)),
        markup.several_claims({}, matrix.several_claims, matrix.footnotes),
        markup.footnote_items({}, matrix.footnotes),
    ]


def _engine_renderer(engine) -> Callable[[Matrix], list[str]]:
    templates = [engine.get_template(f"devtools/{part}.html") for part in PARTS]

    def render(matrix: Matrix) -> list[str]:
        context = _context(matrix)
        return [template.render(context) for template in templates]

    return render


def renderers() -> dict[str, Callable[[Matrix], list[str]]]:
    """{name: a function drawing the three parts of `matrix`}; engines made once, per call."""
    options = {"APP_DIRS": False, "OPTIONS": {}}
    return {
        "python": python,
        "django": _engine_renderer(
            DjangoTemplates({"NAME": "devtools-django", "DIRS": [HERE / "templates"], **options})
        ),
        "jinja2": _engine_renderer(
            Jinja2({"NAME": "devtools-jinja2", "DIRS": [HERE / "jinja2"], **options})
        ),
    }
