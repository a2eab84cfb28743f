"""Old URLs naming a renamed slug: where they lead now, for a 301.

Frameworks, features, categories, tags and curated comparisons keep their former slugs
(knowledge.models.FormerSlug, written by a signal on every rename). An address that names one
(a detail page or feed, a compare URL, a filter of the matrix or the changes page, an API
detail or filter, a badge or an embed) answers with a permanent redirect to the same address
spelled with today's slugs. Looked up only when
the page would otherwise fail (a 404, a filter the form refused), so pages that work pay
nothing.
"""

import re
from urllib.parse import parse_qsl, urlencode

from django.db.models import Q
from django.http import HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, reverse
from taggit.models import Tag

from knowledge.models import Category, Feature, FormerSlug, Framework

from .canonical import query_text, url_match
from .models import Comparison

# The public URLs, by (namespace, name), whose path arguments name an object by slug: the
# site's pages and feeds, the API's details and the badges.
_PATH_MODELS = {
    ("comparisons", "framework-detail"): {"slug": Framework},
    ("comparisons", "framework-changes-feed"): {"slug": Framework},
    ("comparisons", "feature-detail"): {"slug": Feature},
    ("comparisons", "feature-changes-feed"): {"slug": Feature},
    ("comparisons", "category-detail"): {"slug": Category},
    ("comparisons", "tag-detail"): {"slug": Tag},
    ("comparisons", "comparison-detail"): {"slug": Comparison},
    ("comparisons", "comparison-changes-feed"): {"slug": Comparison},
    ("api", "framework-detail"): {"slug": Framework},
    ("api", "feature-detail"): {"slug": Feature},
    ("api", "category-detail"): {"slug": Category},
    ("embed", "badge"): {"framework": Framework, "feature": Feature},
}
# The URLs naming frameworks as "a-vs-b": the compare page and its embed.
_COMPARE_PATHS = {("comparisons", "compare"), ("embed", "compare")}
# The query parameters of the filtered pages that name objects by slug.
QUERY_MODELS = {"framework": Framework, "feature": Feature, "category": Category, "tag": Tag}
# What can be a slug (tags' may hold any letter); anything else is not looked up at all.
_SLUG = re.compile(r"[-\w]{1,255}")


def slugs_renamed_by_model(wanted) -> dict:
    """{model: {former slug: slug now}} for those of the slugs `wanted` ({model: slugs}) that
    are former slugs of their model: one query, and one more per model with a former slug."""
    wanted = {
        model: found
        for model, slugs in wanted.items()
        if (found := {slug for slug in slugs if _SLUG.fullmatch(slug)})
    }
    if not wanted:
        return {}
    # By the content type's natural key, joined, rather than ContentType's cache of ids: the
    # lookup costs one query whether or not the cache holds those types yet.
    asked = Q()
    for model, slugs in wanted.items():
        asked |= Q(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            slug__in=slugs,
        )
    former: dict = {}
    rows = FormerSlug.objects.filter(asked).values_list(
        "content_type__app_label", "content_type__model", "slug", "object_id"
    )
    by_label = {(model._meta.app_label, model._meta.model_name): model for model in wanted}
    for app_label, model_name, slug, object_id in rows:
        former.setdefault(by_label[app_label, model_name], {})[slug] = object_id
    renamed = {}
    for model, pks in former.items():
        now = dict(model._default_manager.filter(pk__in=pks.values()).values_list("pk", "slug"))
        renamed[model] = {old: now[pk] for old, pk in pks.items() if pk in now and now[pk] != old}
    return renamed


def slugs_renamed(model, slugs) -> dict[str, str]:
    """{former slug: slug now} for those of `slugs` that are former slugs of a `model`."""
    return slugs_renamed_by_model({model: slugs}).get(model, {})


def query_renamed(query: str) -> str | None:
    """`query` with today's slugs, or None when it names no former slug."""
    pairs = parse_qsl(query, keep_blank_values=True, errors="replace")
    by_model = slugs_renamed_by_model(
        {
            model: [value for key, value in pairs if key == name]
            for name, model in QUERY_MODELS.items()
            if any(key == name for key, _ in pairs)
        }
    )
    renamed = {name: by_model.get(model, {}) for name, model in QUERY_MODELS.items()}
    if not any(renamed.values()):
        return None
    return urlencode([(name, renamed.get(name, {}).get(value, value)) for name, value in pairs])


def _path_renamed(match) -> str | None:
    where = (match.namespace, match.url_name)
    if where in _COMPARE_PATHS:
        slugs = match.kwargs["slugs"].split("-vs-")
        now = slugs_renamed(Framework, slugs)
        kwargs = {"slugs": "-vs-".join(now.get(slug, slug) for slug in slugs)}
    elif where in _PATH_MODELS:
        kwargs = {
            name: slugs_renamed(model, [match.kwargs[name]]).get(
                match.kwargs[name], match.kwargs[name]
            )
            for name, model in _PATH_MODELS[where].items()
        }
    else:
        return None
    if kwargs == match.kwargs:
        return None
    try:
        return reverse(f"{match.namespace}:{match.url_name}", kwargs=kwargs)
    except NoReverseMatch:
        # A slug the URL cannot spell (set by hand in the database): no redirect, the 404.
        return None


def renamed_redirect(request, *, path=True):
    """A 301 to the address of `request` spelled with today's slugs, or None when it names no
    former slug (in its path, when `path`, and in its query string)."""
    location = request.path
    if path:
        match = url_match(request)
        if match is None:
            return None
        location = _path_renamed(match)
    raw = query_text(request)
    query = query_renamed(raw) if raw else None
    if location is None or (not path and query is None):
        return None
    query = raw if query is None else query
    return HttpResponsePermanentRedirect(f"{location}?{query}" if query else location)


def renamed_filter_redirect(request, errors):
    """For a page whose form refused `errors`: a 301 when a refused filter names a former slug."""
    if not any(name in QUERY_MODELS for name in errors):
        return None
    return renamed_redirect(request, path=False)


class RenamedSlugMiddleware:
    """A page that would be a 404 because its path names a former slug redirects instead (as
    django.contrib.redirects' fallback middleware does for its hand-kept list)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        return renamed_redirect(request) or response
