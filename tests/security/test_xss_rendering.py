"""Every public page and every admin page escapes or sanitises the hostile payloads planted in
every free-text field, and reflects none from the query string.

The pages are found from the URL configuration (urlmap.py) and from the admin registry, so a
page added later is audited without touching this file.
"""

from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from knowledge.models import Claim

from .forms import page_parameters
from .payloads import all_payloads
from .planting import planted_text_fields
from .responses import problems
from .urlmap import public_patterns, real_urls

pytestmark = pytest.mark.django_db

# Query parameters sent on every page besides the ones its own GET forms name.
COMMON_PARAMETERS = ("q", "page", "sort", "order", "format", "tag", "framework", "feature")
ADMIN_DETAIL_PAGES_PER_MODEL = 6


def _assert_clean(found):
    assert not found, f"{len(found)} problem(s):\n" + "\n".join(found[:40])


def test_every_payload_is_planted_in_a_markdown_and_a_plain_text_field(planted):
    notes = set(Claim.objects.values_list("note", flat=True))
    statements = set(Claim.objects.values_list("statement", flat=True))
    limit = Claim._meta.get_field("statement").max_length
    for payload in all_payloads():
        assert payload in notes
        assert payload[:limit] in statements
    assert len(all_payloads()) >= 150


def test_public_pages_escape_planted_payloads(visitor, planted):
    found = []
    for urls in real_urls(planted).values():
        for url in urls:
            found.extend(problems(url, visitor.get(url)))
    _assert_clean(found)


def test_planted_public_pages_are_reachable(visitor, planted):
    """The audit above means something only if the pages show the planted objects."""
    statuses = {
        url: visitor.get(url).status_code for urls in real_urls(planted).values() for url in urls
    }
    # The API's catch-all answers every unknown address with its JSON 404, by design.
    not_found = reverse("api:not-found", kwargs={"rest": "no-such-thing/"})
    missing = sorted(
        url for url, status in statuses.items() if status != (404 if url == not_found else 200)
    )
    assert not missing, f"{len(missing)} planted page(s) do not answer 200: {missing[:20]}"


def test_query_strings_are_never_reflected_unescaped(visitor, planted):
    payloads = all_payloads()
    found = []
    for pattern in public_patterns():
        if pattern.takes_arguments:
            continue
        url = reverse(pattern.name)
        first = visitor.get(url)
        parameters = sorted(set(COMMON_PARAMETERS) | page_parameters(first.content.decode())[0])
        # Each request carries one payload in every parameter, rotated, so every payload
        # reaches every page in a few dozen requests.
        step = len(parameters)
        for start in range(0, len(payloads), step):
            chunk = [payloads[(start + k) % len(payloads)] for k in range(step)]
            query = urlencode(list(zip(parameters, chunk, strict=True)))
            found.extend(problems(f"{url}?{query}", visitor.get(f"{url}?{query}")))
    _assert_clean(found)


def test_search_escapes_every_payload_as_query(visitor, planted):
    url = reverse("comparisons:search")
    found = []
    for payload in all_payloads():
        response = visitor.get(url, {"q": payload})
        found.extend(problems(f"{url}?q={payload!r}", response))
    _assert_clean(found)


def test_not_found_pages_escape_the_path(visitor, planted):
    found = []
    for payload in all_payloads()[::7]:
        url = "/no-such-page/" + quote(payload, safe="") + "/"
        response = visitor.get(url)
        assert response.status_code == 404
        found.extend(problems(url, response))
    _assert_clean(found)


def _admin_urls(data):
    by_model = {}
    for obj in [*data.objects(), *data.citations, *data.tags, *data.suggestions]:
        by_model.setdefault(type(obj), []).append(obj)
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        yield reverse(f"{prefix}_changelist")
        yield reverse(f"{prefix}_changelist") + "?" + urlencode({"q": all_payloads()[0]})
        yield reverse(f"{prefix}_add")
        objects = by_model.get(model, [])
        for index, obj in enumerate(objects):
            yield reverse(f"{prefix}_change", args=[obj.pk])
            if index < ADMIN_DETAIL_PAGES_PER_MODEL:
                yield reverse(f"{prefix}_history", args=[obj.pk])
                yield reverse(f"{prefix}_delete", args=[obj.pk])
        if isinstance(model_admin, SimpleHistoryAdmin):
            # One past version of each object, as the history page shows it.
            for obj in objects[:ADMIN_DETAIL_PAGES_PER_MODEL]:
                record = model.history.filter(id=obj.pk).first()
                if record is not None:
                    yield reverse(f"{prefix}_simple_history", args=[obj.pk, record.history_id])


def test_admin_pages_escape_planted_payloads(superuser_client, planted):
    found = []
    seen = 0
    for url in _admin_urls(planted):
        response = superuser_client.get(url)
        assert response.status_code in {200, 302, 403}, f"{url}: {response.status_code}"
        found.extend(problems(url, response))
        seen += 1
    assert seen > len(planted.claims)
    _assert_clean(found)


def test_planted_fields_cover_every_free_text_field_of_the_public_models(planted):
    """A new CharField or TextField on a model is planted automatically; prove the finder sees
    the fields the pages show today, so a change to it cannot quietly plant nothing."""
    names = {
        f"{type(obj).__name__}.{f.name}"
        for obj in [planted.frameworks[0], planted.sources[0], planted.claims[0]]
        for f in planted_text_fields(type(obj))
    }
    assert {
        "Framework.name",
        "Framework.summary",
        "Framework.description",
        "Source.title",
        "Source.publisher",
        "Source.author",
        "Claim.statement",
        "Claim.value",
        "Claim.note",
    } <= names
