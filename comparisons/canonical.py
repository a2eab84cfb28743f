"""One spelling for each public page's URL: the pages redirect to it and the page cache
stores only it, so a crawler adding junk parameters finds the page it already cached.

`?tag=&q=`, `?support=yes&category=web` and `?category=web&support=yes&differ=0` ask for the
same rows as one canonical query string: filters in the form's order, empty values and unknown
parameters left out, switches as `on`, repeated values once, and values whose order means
nothing (categories, support levels) sorted. Only the columns keep their order: it is the
order of the table's columns. Values that are not valid stay as they are, for the form to
show its error. No database read: the middleware calls this before any view.

The other pages of the `comparisons` namespace read a page number and search words at most,
but for the changes page and its exports, which read a date range and repeatable choices
(`page_parameters`); page numbers are spelled as whole numbers above 1 (the pager's links),
anything else is page 1 to Django's `Paginator.get_page` and so is left out. Every other
parameter, on every page, is left out.
"""

import re
from datetime import date
from functools import cache
from urllib.parse import parse_qsl, urlencode

from django.urls import Resolver404, resolve

from . import search
from .filters import MatrixFilter, SwitchFilter, switch
from .parts import part_number

# The pages whose query string is a filter of the matrix (the exports hold the matrix's rows),
# and those of them shown in parts.
FILTERED_PAGES = frozenset({"matrix", "compare", "comparison-detail", "matrix-csv", "matrix-json"})
PAGED_PAGES = frozenset({"matrix", "compare", "comparison-detail"})
FIXED_COLUMN_PAGES = frozenset({"compare", "comparison-detail"})
_NAMES = list(MatrixFilter.base_filters)
_SWITCHES = {name for name, f in MatrixFilter.base_filters.items() if isinstance(f, SwitchFilter)}
_MULTIPLE = {"framework", "category", "support"}
# The only values whose order the page follows: its columns.
_ORDERED = {"framework"}


# The filters a page with fixed columns (a head-to-head, a curated comparison) does not
# offer: it reads neither (comparisons.filters.MatrixFilter drops them).
_FIXED_COLUMNS = frozenset({"framework", "order"})
_DATES = {"as_of"}
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def canonical_day(value: str) -> str:
    """A day as YYYY-MM-DD (`2026-11-1` is the day `2026-11-01` names, to the date forms), or
    `value` as given when it is no day, for the form to show its error."""
    found = _DAY.fullmatch(value.strip())
    if found is None:
        return value
    try:
        return date(*(int(part) for part in found.groups())).isoformat()
    except ValueError:
        return value


def canonical_query(pairs, *, parts: bool = False, fixed_columns: bool = False) -> str:
    """The canonical query string of `pairs` ((name, value), in any order); with `parts`, a
    page of the matrix's (comparisons/parts.py) whose `part` comes last, the first left out;
    with `fixed_columns`, a page whose columns and row order are its own (no `framework` or
    `order`)."""
    names = [name for name in _NAMES if not (fixed_columns and name in _FIXED_COLUMNS)]
    values: dict[str, list[str]] = {name: [] for name in names}
    for name, value in pairs:
        if name in values:
            values[name].append(str(value))
    canonical = []
    for name in names:
        given = values[name]
        if name not in _MULTIPLE:
            # As QueryDict.get(): the last value is the one the form reads, even when empty
            # or off (then the parameter is left out).
            value = given[-1] if given else ""
            if name in _SWITCHES and value.strip():
                on = switch(value)
                value = "" if on is False else "on" if on else value
            elif name in _DATES:
                value = canonical_day(value)
            if value.strip():
                canonical.append((name, value))
            continue
        given = [value for value in given if value.strip()]
        if not given:
            continue
        once = list(dict.fromkeys(given))
        canonical.extend((name, value) for value in (once if name in _ORDERED else sorted(once)))
    if parts:
        numbers = [value for name, value in pairs if name == "part"]
        number = part_number(numbers[-1]) if numbers else None
        if number is not None:
            canonical.append(("part", str(number)))
    return urlencode(canonical)


# How a parameter of the other pages is spelled: a page number (a whole number above 1), text
# (search words), a date (the changes page's range, left as given for its form to judge) or a
# choice that may repeat (each value once, sorted: their order means nothing).
PAGE, TEXT, DATE, CHOICES = "page", "text", "date", "choices"


@cache
def page_parameters() -> dict[str, tuple[tuple[str, str], ...]]:
    """The parameters each other page reads, with their kinds, in their canonical order (a
    function: the search kinds are known once the apps are loaded)."""
    pages = (("page", PAGE),)
    changes = (
        ("since", DATE),
        ("until", DATE),
        ("framework", CHOICES),
        ("feature", TEXT),
        ("category", CHOICES),
    )
    return {
        "source-list": pages,
        "source-detail": pages,
        "search": (
            ("q", TEXT),
            *((search.page_parameter(name), PAGE) for name in search.search_kinds()),
        ),
        "changes": changes,
        "changes-csv": changes,
        "changes-json": changes,
    }


def page_query(url_name: str, pairs) -> str:
    """The canonical query string of `pairs` for the page named `url_name` (not a filtered
    one): its parameters in their order, each once (the last, as QueryDict.get reads it) but
    for repeatable choices, empty values and page 1 left out."""
    kinds = dict(page_parameters().get(url_name, ()))
    given: dict[str, list[str]] = {}
    for name, value in pairs:
        if name not in kinds:
            continue
        value = str(value)
        if kinds[name] == CHOICES:
            if value.strip():
                given.setdefault(name, []).append(value)
            continue
        # The last value is the one the page reads, even when empty (then it is left out).
        given.pop(name, None)
        if not value.strip():
            continue
        if kinds[name] == PAGE:
            number = part_number(value)  # page numbers are spelled as part numbers are
            if number is None:
                continue
            value = str(number)
        elif kinds[name] == DATE:
            value = canonical_day(value)
        given[name] = [value]
    canonical = []
    for name in kinds:
        values = given.get(name, [])
        if kinds[name] == CHOICES:
            values = sorted(dict.fromkeys(values))
        canonical.extend((name, value) for value in values)
    return urlencode(canonical)


def url_match(request):
    """The ResolverMatch of `request`'s path, or None when no URL pattern matches it."""
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def comparisons_match(request):
    """The ResolverMatch of `request`'s path when it is a page of the `comparisons` namespace,
    else None."""
    match = url_match(request)
    return match if match is not None and match.namespace == "comparisons" else None


def query_text(request) -> str:
    """The request's query string as text. WSGI hands it over decoded as latin-1; a browser
    that sends raw UTF-8 bytes (`?q=é` unescaped) means UTF-8, as Django's QueryDict reads it."""
    raw = request.META.get("QUERY_STRING", "")
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return raw


def canonical_path(request, *, match=None) -> str | None:
    """The canonical path and query of a public page, or None when `request` has it already
    (or is not a page of the `comparisons` namespace). `match`: the path's ResolverMatch, when
    the caller has resolved it already."""
    if match is None:
        match = comparisons_match(request)
    if match is None or match.namespace != "comparisons":
        return None
    raw = request.META.get("QUERY_STRING", "")
    pairs = parse_qsl(query_text(request), keep_blank_values=True, errors="replace")
    if match.url_name in FILTERED_PAGES:
        query = canonical_query(
            pairs,
            parts=match.url_name in PAGED_PAGES,
            fixed_columns=match.url_name in FIXED_COLUMN_PAGES,
        )
    else:
        query = page_query(match.url_name, pairs)
    if query == raw:
        return None
    return f"{request.path}?{query}" if query else request.path
