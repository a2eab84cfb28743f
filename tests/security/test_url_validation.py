"""Links on sources and frameworks are web links only: every way in refuses other schemes.

A `javascript:` or `data:` URL stored in a URL field would run in a reader's browser when a
page renders it as a link, whatever the template escapes. The model validator refuses them;
these tests prove that each door uses it: the model, the admin add and change forms, and the
loadkb command.
"""

import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse

from knowledge.models import Framework, Source
from knowledge.validators import http_url_validator
from tests.factories import make_framework, make_source

from .forms import form_data
from .payloads import all_payloads

pytestmark = pytest.mark.django_db

REFUSED_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "javascript://example.org/%0Aalert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "ftp://example.org/file.txt",
    "file:///etc/passwd",
    "mailto:someone@example.org",
]


def _field_errors(response):
    """The change form's errors by field: the form is shown again, the field named."""
    assert response.status_code == 200, "the form must be shown again with the error"
    return response.context["adminform"].form.errors


def _url_fields():
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_label in {"knowledge", "comparisons", "suggestions"}
        for field in model._meta.concrete_fields
        if isinstance(field, models.URLField)
    ]


def test_every_url_field_of_the_knowledge_base_allows_only_http():
    fields = _url_fields()
    assert {(m.__name__, f.name) for m, f in fields} >= {
        ("Framework", "homepage"),
        ("Framework", "repository_url"),
        ("Framework", "documentation_url"),
        ("Source", "url"),
        ("Suggestion", "source_url"),
    }
    for model, field in fields:
        assert http_url_validator in field.validators, f"{model.__name__}.{field.name}"


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_model_validation_refuses_non_web_urls(url):
    source = Source(title="A source", url=url)
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "url" in error.value.message_dict


def _post_admin_form(client, url, changes):
    page = client.get(url)
    assert page.status_code == 200
    # The admin names its change form after the model; the first form is the logout button.
    model_name = url.strip("/").split("/")[2]
    data = form_data(page.content.decode(), form_id=f"{model_name}_form")
    for name in changes:
        assert name in data, f"the admin form at {url} has no field {name}"
    data.update(changes)
    return client.post(url, data)


FRAMEWORK_URL_FIELDS = ["homepage", "repository_url", "documentation_url"]


@pytest.mark.parametrize("field", FRAMEWORK_URL_FIELDS)
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/"])
def test_admin_framework_change_form_refuses_non_web_urls(superuser_client, field, url):
    framework = make_framework(homepage="https://example.org/")
    before = Framework.objects.values().get(pk=framework.pk)
    change = reverse("admin:knowledge_framework_change", args=[framework.pk])
    response = _post_admin_form(superuser_client, change, {field: url})
    assert field in _field_errors(response)
    assert Framework.objects.values().get(pk=framework.pk) == before


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_admin_source_add_form_refuses_non_web_urls(superuser_client, url):
    add = reverse("admin:knowledge_source_add")
    response = _post_admin_form(superuser_client, add, {"title": "Hostile", "url": url})
    assert "url" in _field_errors(response)
    assert not Source.objects.filter(title="Hostile").exists()


def test_admin_source_change_form_refuses_javascript_url(superuser_client):
    source = make_source(url="https://example.org/a")
    change = reverse("admin:knowledge_source_change", args=[source.pk])
    response = _post_admin_form(superuser_client, change, {"url": "javascript:alert(1)"})
    assert "url" in _field_errors(response)
    source.refresh_from_db()
    assert source.url == "https://example.org/a"


def test_admin_forms_accept_web_urls(superuser_client):
    """The control: the same posts with an https URL save, so the refusals above are the
    validator's doing and not a form these tests fill in wrongly."""
    framework = make_framework()
    change = reverse("admin:knowledge_framework_change", args=[framework.pk])
    response = _post_admin_form(superuser_client, change, {"homepage": "https://example.org/x"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    framework.refresh_from_db()
    assert framework.homepage == "https://example.org/x"
    add = reverse("admin:knowledge_source_add")
    response = _post_admin_form(
        superuser_client, add, {"title": "Fine", "url": "https://example.org/fine"}
    )
    assert response.status_code == 302
    assert Source.objects.filter(title="Fine", url="https://example.org/fine").exists()


def _fixture(tmp_path, model, fields):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps([{"model": model, "fields": fields}]), encoding="utf-8")
    return path


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://example.org/"])
def test_loadkb_refuses_a_source_with_a_non_web_url(tmp_path, url):
    path = _fixture(
        tmp_path, "knowledge.source", {"title": "Hostile", "url": url, "kind": "article"}
    )
    with pytest.raises(CommandError):
        call_command("loadkb", str(path))
    assert not Source.objects.filter(title="Hostile").exists()


@pytest.mark.parametrize("field", FRAMEWORK_URL_FIELDS)
def test_loadkb_refuses_a_framework_with_a_javascript_url(tmp_path, field):
    path = _fixture(
        tmp_path,
        "knowledge.framework",
        {"name": "Hostile", "slug": "hostile", field: "JaVaScRiPt:alert(1)"},
    )
    with pytest.raises(CommandError):
        call_command("loadkb", str(path))
    assert not Framework.objects.filter(slug="hostile").exists()


def test_loadkb_accepts_the_same_framework_with_a_web_url(tmp_path):
    """The control for the two tests above."""
    path = _fixture(
        tmp_path,
        "knowledge.framework",
        {"name": "Fine", "slug": "fine", "homepage": "https://example.org/"},
    )
    call_command("loadkb", str(path))
    assert Framework.objects.filter(slug="fine", homepage="https://example.org/").exists()


def test_no_payload_of_the_corpus_is_accepted_as_a_url():
    """URL fields cannot hold the XSS corpus at all, which is why planting.py gives them
    accepted-but-hostile http(s) URLs instead."""
    accepted = []
    for payload in all_payloads():
        try:
            http_url_validator(payload)
        except ValidationError:
            continue
        accepted.append(payload)
    assert accepted == []
