"""The public history of a claim says what changed and when, never who: a curator's user
name on a public page would hand an attacker half of an admin login."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from knowledge.models import Claim, ClaimStatus
from suggestions.models import Suggestion
from suggestions.services import suggestion_accept
from tests.factories import make_claim
from tests.suggestions.pages import claim_form_url, submit

from .forms import form_data
from .urlmap import real_urls

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


READER_EMAIL = "zq-reader-8@example.org"


def test_a_readers_email_is_on_no_public_page(planted, visitor):
    """Sent with a suggestion, accepted, its draft claim published: the address the reader
    gave is on none of the public pages, the claim's own included."""
    claim = planted.claims[0]
    reader = Client()
    assert submit(reader, claim_form_url(claim), email=READER_EMAIL).status_code == 302
    suggestion = Suggestion.objects.get(email=READER_EMAIL)
    curator = get_user_model().objects.create_superuser("zq-moderator", "m@example.org", "x")
    draft = suggestion_accept(suggestion=suggestion, by=curator)
    # Published directly: this test is about what pages show, not the publishing path.
    Claim.objects.filter(pk=draft.pk).update(status=ClaimStatus.PUBLISHED)
    urls = [url for group in real_urls(planted).values() for url in group[:5]]
    urls += [draft.get_absolute_url(), draft.feature.get_absolute_url(), "/api/v1/claims/"]
    for url in urls:
        response = visitor.get(url)
        body = b"".join(response) if response.streaming else response.content
        assert b"zq-reader-8" not in body, url
    assert visitor.get(draft.get_absolute_url()).status_code == 200
    # The search page repeats the words searched for; it must find nothing.
    assert "Nothing matches" in visitor.get("/search/?q=zq-reader-8").content.decode()
