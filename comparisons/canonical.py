"""One spelling for each filtered matrix URL: the pages redirect to it and the page cache
stores only it.

`?tag=&q=`, `?support=yes&category=web` and `?category=web&support=yes&differ=0` ask for the
same rows as one canonical query string: filters in the form's order, empty values and unknown
parameters left out, switches as `on`, repeated values once, and values whose order means
nothing (categories, support levels) sorted. Only the columns keep their order: it is the
order of the table's columns. Values that are not valid stay as they are, for the form to
show its error. No database read: the middleware calls this before any view.
"""

from urllib.parse import parse_qsl, urlencode

from django.urls import Resolver404, resolve

from .filters import MatrixFilter, SwitchFilter, switch

# The pages whose query string is a filter of the matrix.
FILTERED_PAGES = frozenset({"matrix", "compare", "comparison-detail"})
_NAMES = list(MatrixFilter.base_filters)
_SWITCHES = {name for name, f in MatrixFilter.base_filters.items() if isinstance(f, SwitchFilter)}
_MULTIPLE = {"framework", "category", "support"}
# The only values whose order the page follows: its columns.
_ORDERED = {"framework"}


def canonical_query(pairs) -> str:
    """The canonical query string of `pairs` ((name, value), in any order)."""
    values: dict[str, list[str]] = {name: [] for name in _NAMES}
    for name, value in pairs:
        if name not in values or not str(value).strip():
            continue
        if name in _SWITCHES:
            on = switch(value)
            if on is False:
                continue
            value = "on" if on else value
        values[name].append(str(value))
    canonical = []
    for name in _NAMES:
        given = values[name]
        if not given:
            continue
        if name not in _MULTIPLE:
            # As QueryDict.get(): the last value is the one the form reads.
            canonical.append((name, given[-1]))
            continue
        once = list(dict.fromkeys(given))
        canonical.extend((name, value) for value in (once if name in _ORDERED else sorted(once)))
    return urlencode(canonical)


def canonical_path(request) -> str | None:
    """The canonical path and query of a filtered page, or None when `request` has it already
    (or is not a filtered page)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.namespace != "comparisons" or match.url_name not in FILTERED_PAGES:
        return None
    raw = request.META.get("QUERY_STRING", "")
    query = canonical_query(parse_qsl(raw, keep_blank_values=True, errors="replace"))
    if query == raw:
        return None
    return f"{request.path}?{query}" if query else request.path
