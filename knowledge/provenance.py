"""Whose word a citation is: the framework's own (first-party) or someone else's (independent).

A guess from plain strings — the source's URL and publisher against the framework's links and
maintainer — so the same rule serves the save of a citation and the migration that fills in
the citations stored before provenance was recorded. Curators can correct the guess.
"""

import re
from urllib.parse import urlsplit

FIRST_PARTY = "first-party"
INDEPENDENT = "independent"

# Hosts shared by many projects: only a page under the framework's own path there is its own.
SHARED_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "pypi.org", "readthedocs.io"}

# Path segments after which a documentation URL names a language or a version of the docs.
_VERSION_SEGMENT = re.compile(
    r"^(en|[a-z]{2}(-[a-z]{2})?|stable|latest|dev|main|master|v?\d[\w.-]*)$"
)

# Documentation paths that follow whatever is released next rather than what was read.
UNPINNED_SEGMENTS = ("stable", "latest", "dev")


def _host_and_path(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url.strip().lower())
    host = parts.hostname or ""
    host = host.removeprefix("www.")
    return host, [segment for segment in parts.path.split("/") if segment]


def _scope(url: str) -> tuple[str, list[str]]:
    """The host and the path prefix that every page of the framework's site starts with."""
    host, path = _host_and_path(url)
    prefix = []
    for segment in path:
        if _VERSION_SEGMENT.match(segment) and host not in SHARED_HOSTS:
            break
        prefix.append(segment)
    return host, prefix


def _within(url: str, scope: tuple[str, list[str]]) -> bool:
    host, path = _host_and_path(url)
    scope_host, scope_path = scope
    if not host or not scope_host:
        return False
    if scope_host in SHARED_HOSTS or any(scope_host.endswith("." + h) for h in SHARED_HOSTS):
        return host == scope_host and bool(scope_path) and path[: len(scope_path)] == scope_path
    same_site = host == scope_host or host.endswith("." + scope_host)
    return same_site and path[: len(scope_path)] == scope_path


def guess_provenance(
    *, source_url: str, source_publisher: str, framework_urls, framework_names
) -> str:
    """FIRST_PARTY when the source is on the framework's site, docs or repository, or its
    publisher is the framework or its maintainer; INDEPENDENT otherwise."""
    names = {" ".join(name.lower().split()) for name in framework_names if name}
    if " ".join(source_publisher.lower().split()) in names:
        return FIRST_PARTY
    if source_url:
        for url in framework_urls:
            if url and _within(source_url, _scope(url)):
                return FIRST_PARTY
    return INDEPENDENT


def unpinned_segment(url: str) -> str | None:
    """The segment ("stable", "latest", "dev") that leaves a documentation URL unpinned."""
    _, path = _host_and_path(url)
    for segment in path:
        if segment in UNPINNED_SEGMENTS:
            return segment
    return None
