"""A reader's e-mail is kept while their suggestion waits and SUGGESTION_EMAIL_DAYS after its
decision, then erased by `forget_suggestion_emails`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from suggestions import services
from suggestions.models import Suggestion
from tests.factories import make_claim

from .pages import claim_form_url, submit

pytestmark = pytest.mark.django_db

EMAIL = "reader@example.org"


@pytest.fixture
def curator():
    return get_user_model().objects.create_user("curator", is_staff=True)


def sent(client, claim, address):
    """A suggestion with an e-mail, sent through the public form from `address`."""
    response = submit(client, claim_form_url(claim), email=EMAIL, meta={"REMOTE_ADDR": address})
    assert response.status_code == 302
    return Suggestion.objects.latest("pk")


def decided_days_ago(suggestion, days, curator):
    services.suggestion_reject(suggestion=suggestion, by=curator, reason="Not what it says.")
    Suggestion.objects.filter(pk=suggestion.pk).update(
        decided_at=timezone.now() - timedelta(days=days)
    )


def test_emails_are_erased_only_after_the_retention_days(client, curator, settings):
    settings.SUGGESTION_EMAIL_DAYS = 30
    claim = make_claim()
    old, recent, waiting = (sent(client, claim, f"192.0.2.{n}") for n in (1, 2, 3))
    decided_days_ago(old, 31, curator)
    decided_days_ago(recent, 29, curator)
    Suggestion.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(400))

    out = StringIO()
    call_command("forget_suggestion_emails", stdout=out)
    assert "Erased 1 reader e-mail(s)" in out.getvalue()
    by_pk = dict(Suggestion.objects.values_list("pk", "email"))
    assert by_pk == {old.pk: "", recent.pk: EMAIL, waiting.pk: EMAIL}

    # Everything else of the erased one stays: the decision, its reason, what was sent.
    old.refresh_from_db()
    assert old.reason == "Not what it says." and old.quote and old.decided_by == curator

    call_command("forget_suggestion_emails", stdout=StringIO())  # again: nothing more
    assert dict(Suggestion.objects.values_list("pk", "email")) == by_pk


def test_the_rule_follows_the_setting(client, curator, settings):
    suggestion = sent(client, make_claim(), "192.0.2.9")
    decided_days_ago(suggestion, 10, curator)
    settings.SUGGESTION_EMAIL_DAYS = 11
    assert services.suggestion_emails_forget() == 0
    settings.SUGGESTION_EMAIL_DAYS = 9
    assert services.suggestion_emails_forget() == 1
    suggestion.refresh_from_db()
    assert suggestion.email == ""
