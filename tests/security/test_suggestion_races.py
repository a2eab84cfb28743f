"""Two curators decide the same suggestion at the same moment, one accepting, one rejecting,
each through the admin form they opened before the other saved: exactly one decision holds,
and at most one draft claim is made. Threads with their own connections block on the row
lock, so this runs on PostgreSQL (CI's PostgreSQL leg); the step-by-step interleavings run on
both databases in tests/suggestions/test_admin.py."""

from functools import partial

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from knowledge.models import Claim
from suggestions.models import Suggestion, SuggestionStatus
from tests.factories import make_claim
from tests.suggestions.pages import change_url, claim_form_url, submit

from .forms import form_data
from .test_races import _at_once

ROUNDS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs two connections that wait on row locks"
)
def test_two_curators_deciding_at_once_leave_one_decision(curators):
    first, second = curators
    claim = make_claim()
    for n in range(ROUNDS):
        assert submit(Client(), claim_form_url(claim), problem=f"Round {n}").status_code == 302
        suggestion = Suggestion.objects.latest("id")
        url = change_url(suggestion)
        forms = [form_data(c.get(url).content.decode(), "suggestion_form") for c in curators]
        responses = _at_once(
            accept=partial(first.post, url, {**forms[0], "decision": "accept"}),
            reject=partial(second.post, url, {**forms[1], "decision": "reject", "reason": "No"}),
        )
        assert all(response.status_code in (302, 403) for response in responses.values())
        suggestion.refresh_from_db()
        drafts = Claim.objects.filter(key=f"suggestion-{suggestion.pk}")
        if suggestion.status == SuggestionStatus.ACCEPTED:
            assert drafts.count() == 1 and suggestion.draft_claim == drafts.get()
        else:
            assert suggestion.status == SuggestionStatus.REJECTED
            assert not drafts.exists() and suggestion.reason == "No"
        cache.clear()  # each round's reader is under the limit
