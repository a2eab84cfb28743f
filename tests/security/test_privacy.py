"""The public history of a claim says what changed and when, never who: a curator's user
name on a public page would hand an attacker half of an admin login."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import make_claim

from .forms import form_data

pytestmark = pytest.mark.django_db

EDITOR = "zq-editor-9"


def test_public_pages_do_not_name_the_curator_who_edited_a_claim(visitor):
    claim = make_claim(statement="Before the edit.")
    editor = get_user_model().objects.create_superuser(EDITOR, "e@example.org", "x")
    admin = Client()
    admin.force_login(editor)
    url = reverse("admin:knowledge_claim_change", args=[claim.pk])
    data = form_data(admin.get(url).content.decode(), form_id="claim_form")
    assert admin.post(url, {**data, "statement": "After the edit."}).status_code == 302
    assert claim.history.filter(history_user__username=EDITOR).exists()
    for page in [
        claim.get_absolute_url(),
        claim.framework.get_absolute_url(),
        claim.feature.get_absolute_url(),
        reverse("comparisons:claims-feed"),
        reverse("comparisons:matrix"),
        reverse("comparisons:matrix-json"),
    ]:
        body = visitor.get(page).content.decode()
        assert EDITOR not in body, page
    assert "After the edit." in visitor.get(claim.get_absolute_url()).content.decode()
