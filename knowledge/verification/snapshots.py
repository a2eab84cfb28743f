"""Page texts read from files instead of the network (`verifykb --snapshot-dir DIR`).

The file for a URL is named after it: the host, then the path's segments as directories, a
path ending in "/" read as ending in "/index", the query (if any) appended to the last segment
after "@", then ".txt" for plain text or ".html" for a page to parse. Characters other than
letters, digits and ``._~+-`` become "_", so no name can climb out of DIR. For example

    https://docs.djangoproject.com/en/5.2/faq/general/
        -> docs.djangoproject.com/en/5.2/faq/general/index.txt
    https://docs.pylonsproject.org/projects/pyramid/en/latest/narr/hooks.html
        -> docs.pylonsproject.org/projects/pyramid/en/latest/narr/hooks.html.txt
    https://example.org/page?lang=en
        -> example.org/page@lang_en.html  (an HTML copy)
"""

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

_UNSAFE = re.compile(r"[^A-Za-z0-9._~+-]")
SUFFIXES = {".txt": "text", ".html": "html"}


def _safe(segment: str) -> str:
    segment = _UNSAFE.sub("_", unquote(segment))
    return "_" if segment in ("", ".", "..") else segment


def snapshot_name(url: str) -> PurePosixPath:
    """The file name, without its suffix, that holds the text of `url`."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.endswith("/"):
        path += "index"
    segments = [_safe(segment) for segment in path.split("/") if segment]
    if parts.query:
        segments[-1] += "@" + _safe(parts.query)
    return PurePosixPath(_safe((parts.hostname or "").lower()), *segments)


def snapshot_file(directory: Path, url: str) -> tuple[Path, str] | None:
    """The snapshot file of `url` in `directory` and its kind ("text" or "html"), if any."""
    name = snapshot_name(url)
    for suffix, kind in SUFFIXES.items():
        path = directory / f"{name}{suffix}"
        if path.is_file():
            return path, kind
    return None
