"""The public URL patterns, found by walking the URL configuration rather than listed by hand.

A pattern added to comparisons/urls.py (or config/urls.py) is picked up by every security
test at once. A pattern with arguments needs real values to be reached: `real_urls` builds
them from a data set and fails loudly, naming the pattern, when it cannot build one.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from knowledge.models import ClaimStatus

# Paths that are not the public site: the admin, and the static files Whitenoise serves.
PRIVATE_PREFIXES = ("admin/",)
# The public pages that take a POST: the readers' correction forms (suggestions/). They set
# the CSRF cookie and accept a write, so the tests that every other public page sets no
# cookie and refuses writes leave them out, by name (read_only_urls), and test them on
# their own (tests/security/test_suggestion_input.py, tests/suggestions/).
FORM_PAGES = frozenset({"suggestions:claim", "suggestions:cell"})


@dataclass(frozen=True)
class PublicPattern:
    name: str  # "comparisons:framework-detail"
    regexes: tuple  # one compiled regex per level of include(), outermost first
    arguments: tuple  # the names of its captured arguments

    @property
    def takes_arguments(self):
        return bool(self.arguments)


def _walk(patterns, regexes=(), namespace=""):
    for entry in patterns:
        regex = entry.pattern.regex
        route = str(entry.pattern)
        if not regexes and route.startswith(PRIVATE_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, (*regexes, regex), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else route
            arguments = tuple(sorted({name for r in (*regexes, regex) for name in r.groupindex}))
            yield PublicPattern(name, (*regexes, regex), arguments)


def public_patterns():
    return list(_walk(get_resolver().url_patterns))


def pattern_of(url):
    """The name of the public pattern `url` resolves to (None when it is not public)."""
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return None
    return match.view_name


def argument_values(data):
    """Real values for each argument name, taken from a data set (see planting.PlantedData)."""
    frameworks = [framework.slug for framework in data.frameworks]
    return {
        "slug": [
            *(obj.slug for obj in data.frameworks),
            *(obj.slug for obj in data.features),
            *(obj.slug for obj in data.categories),
            *(obj.slug for obj in data.comparisons),
            *(obj.slug for obj in data.tags),
        ],
        "pk": [*(obj.pk for obj in data.claims), *(obj.pk for obj in data.sources)],
        "slugs": [
            "-vs-".join(frameworks[i : i + width])
            for width in (2, 3)
            for i in range(0, len(frameworks) - width + 1, width)
        ],
    }


def _api_urls(data):
    """The API's detail of every planted object that has one, a badge per cell, and the feed
    of changes of each framework, feature and curated comparison."""
    names = {p.name for p in public_patterns()}
    urls = []
    for obj in data.objects():
        name = f"api:{obj._meta.model_name}-detail"
        if name in names:
            lookup = "slug" if hasattr(obj, "slug") else "pk"
            urls.append(reverse(name, kwargs={lookup: getattr(obj, lookup)}))
    # Each framework, feature and curated comparison has its feed of changes.
    for obj in data.objects():
        name = f"comparisons:{obj._meta.model_name}-changes-feed"
        if name in names:
            urls.append(reverse(name, kwargs={"slug": obj.slug}))
    if "api:not-found" in names:
        urls.append(reverse("api:not-found", kwargs={"rest": "no-such-thing/"}))
    if "suggestions:claim" in names:
        # Every published claim's page links its correction form; the form of any cell too.
        urls += [
            reverse("suggestions:claim", kwargs={"pk": claim.pk})
            for claim in data.claims
            if claim.status == ClaimStatus.PUBLISHED
        ]
        urls += [
            reverse("suggestions:cell") + f"?framework={framework.slug}&feature={feature.slug}"
            for framework in data.frameworks[:2]
            for feature in data.features[:2]
        ]
    if "embed:badge" in names:
        urls += [
            reverse("embed:badge", args=[framework.slug, feature.slug])
            for framework in data.frameworks
            for feature in data.features
        ]
    return urls


def real_urls(data):
    """{pattern name: [URLs]} for every public pattern, reached with the data set's objects.

    Objects give their own pages (get_absolute_url); tags and compare pages, which have no
    model method, are reversed from `argument_values`. Fails if a pattern stays unreached.
    """
    urls = {}
    candidates = [obj.get_absolute_url() for obj in data.objects()]
    candidates += _api_urls(data)
    values = argument_values(data)
    for pattern in public_patterns():
        if not pattern.takes_arguments:
            candidates.append(reverse(pattern.name))
        elif pattern.arguments == ("slugs",) or pattern.name.endswith("tag-detail"):
            (argument,) = pattern.arguments
            candidates.extend(
                reverse(pattern.name, kwargs={argument: value})
                for value in values[argument]
                if argument != "slug" or value in {tag.slug for tag in data.tags}
            )
    for url in candidates:
        urls.setdefault(pattern_of(url), []).append(url)
    urls.pop(None, None)
    unreached = [p.name for p in public_patterns() if p.name not in urls]
    assert not unreached, (
        f"No URL reaches the public pattern(s) {unreached}: teach tests/security/urlmap.py "
        "how to build one from the planted data, so the security tests cover it."
    )
    return urls


def read_only_urls(data):
    """`real_urls` but for the FORM_PAGES: the pages that must set no cookie, change nothing
    and answer a write with 405."""
    return {name: urls for name, urls in real_urls(data).items() if name not in FORM_PAGES}


def route_regex_source(pattern):
    """One regex for the whole path of `pattern`, for generating garbage that still matches."""
    parts = []
    for regex in pattern.regexes:
        source = regex.pattern
        source = source.removeprefix("^")
        source = re.sub(r"(\\Z|\$)$", "", source)
        parts.append(source)
    return "^/" + "".join(parts) + r"\Z"
