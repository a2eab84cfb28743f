"""The moderation queue through the real admin: curators read what readers sent and accept
it (a draft claim with its citation, never published) or reject it with a reason."""

from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from comparisons import cache as content_cache
from knowledge.management.commands.setup_roles import CURATORS
from knowledge.models import Citation, Claim, ClaimStatus, FeatureKind, Source, SupportLevel
from suggestions import services
from suggestions.models import Suggestion, SuggestionStatus
from tests.factories import make_claim, make_scale, make_source
from tests.knowledge.test_review import approve, messages_of
from tests.security.forms import form_data

from .pages import VALID, change_url, claim_form_url, submit

pytestmark = pytest.mark.django_db

EMAIL = "zq-reader-4@example.org"
# The queue's page, whatever its length: session, user, permissions, the counts, the rows
# with their cells and claims, the filters' frameworks and categories.
QUEUE_QUERIES = 9


def make_curator(name):
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "x", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS))
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return user, client


@pytest.fixture
def curator():
    call_command("setup_roles", stdout=StringIO())
    return make_curator("carol")


@pytest.fixture
def claim():
    return make_claim(support=SupportLevel.NO, statement="No ORM.")


@pytest.fixture
def suggestion(client, claim):
    """A suggestion sent through the public form, as a reader sends it."""
    assert submit(client, claim_form_url(claim), email=EMAIL).status_code == 302
    return Suggestion.objects.get()


def decide(client, suggestion, **choices):
    """POST the suggestion's admin page back as the curator filled it in."""
    page = client.get(change_url(suggestion))
    assert page.status_code == 200
    data = form_data(page.content.decode(), form_id="suggestion_form")
    return client.post(change_url(suggestion), {**data, **choices})


def test_the_queue_lists_new_suggestions_by_default(curator, suggestion, claim):
    _, client = curator
    decided = Suggestion.objects.create(
        framework=claim.framework,
        feature=claim.feature,
        problem="Old",
        support="yes",
        source_url="https://example.org/",
        quote="q",
        status=SuggestionStatus.REJECTED,
        reason="Spam",
        decided_at=suggestion.created_at,
    )
    changelist = reverse("admin:suggestions_suggestion_changelist")
    page = client.get(changelist).content.decode()
    assert change_url(suggestion) in page
    assert change_url(decided) not in page
    everything = client.get(changelist + "?queue=all").content.decode()
    assert change_url(decided) in everything


def test_a_curator_accepts_and_gets_a_draft_claim_with_the_citation(curator, suggestion, claim):
    user, client = curator
    response = decide(client, suggestion, decision="accept", reason="Checked the docs.")
    assert response.status_code == 302
    suggestion.refresh_from_db()
    draft = suggestion.draft_claim
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert (suggestion.decided_by, suggestion.reason) == (user, "Checked the docs.")
    assert draft.status == ClaimStatus.DRAFT
    assert (draft.framework, draft.feature, draft.support) == (
        claim.framework,
        claim.feature,
        SupportLevel.YES,
    )
    [citation] = draft.citations.select_related("source")
    assert citation.quote == VALID["quote"]
    assert citation.source.url == VALID["source_url"]
    [created] = draft.history.all()
    assert created.history_user == user
    assert created.history_change_reason == f"from a reader's suggestion (#{suggestion.pk})"
    # The claim it corrects is as it was, and the public never sees the draft.
    claim.refresh_from_db()
    assert (claim.status, claim.support) == (ClaimStatus.PUBLISHED, SupportLevel.NO)
    visitor = Client()
    assert visitor.get(draft.get_absolute_url()).status_code == 404
    for page in [
        claim.get_absolute_url(),
        claim.feature.get_absolute_url(),
        claim.framework.get_absolute_url(),
        reverse("comparisons:matrix"),
        reverse("comparisons:matrix-json"),
    ]:
        body = visitor.get(page).content.decode()
        assert draft.get_absolute_url() not in body, page
        assert VALID["quote"] not in body, page


def test_accepting_reuses_the_source_that_has_the_url(curator, suggestion):
    _, client = curator
    source = make_source(url=VALID["source_url"], title="The ORM docs")
    sources = Source.objects.count()
    assert decide(client, suggestion, decision="accept").status_code == 302
    assert Source.objects.count() == sources
    assert Citation.objects.get(claim__key=f"suggestion-{suggestion.pk}").source == source


def test_a_new_source_is_made_for_an_unknown_url(curator, suggestion):
    _, client = curator
    assert decide(client, suggestion, decision="accept").status_code == 302
    source = Source.objects.get(url=VALID["source_url"])
    assert source.title == "docs.example.org/5.2/topics/orm/"
    assert f"#{suggestion.pk}" in source.notes


def test_the_readers_source_stays_off_public_pages_until_its_claim_is_published(
    curator, suggestion
):
    """Accepting makes a source from the reader's URL for a draft: no public page or API
    shows it (nor the URL) before a claim citing it is published."""
    _, client = curator
    assert decide(client, suggestion, decision="accept").status_code == 302
    source = Source.objects.get(url=VALID["source_url"])
    visitor = Client()
    pages = [reverse("comparisons:source-list"), "/api/v1/sources/", "/sitemap.xml"]
    pages.append(f"{reverse('comparisons:search')}?q=docs.example.org")
    for page in pages:
        assert VALID["source_url"] not in visitor.get(page).content.decode(), page
    assert visitor.get(source.get_absolute_url()).status_code == 404
    assert visitor.get(f"/api/v1/sources/{source.pk}/").status_code == 404
    draft = Suggestion.objects.get().draft_claim
    Claim.objects.filter(pk=draft.pk).update(status=ClaimStatus.PUBLISHED)
    content_cache.bump_content_version()  # the test's transaction never commits
    assert visitor.get(source.get_absolute_url()).status_code == 200
    assert VALID["source_url"] in visitor.get("/api/v1/sources/").content.decode()


def test_a_descriptor_suggestion_makes_a_claim_with_the_value(curator, client):
    feature, values = make_scale(["Full stack", "Micro"], kind=FeatureKind.DESCRIPTOR)
    claim = make_claim(feature=feature, feature_value=values[0])
    submit(client, claim_form_url(claim), suggested=str(values[1].pk))
    suggestion = Suggestion.objects.get()
    assert decide(curator[1], suggestion, decision="accept").status_code == 302
    draft = Suggestion.objects.get().draft_claim
    assert (draft.support, draft.feature_value) == ("", values[1])


def test_rejecting_needs_a_reason(curator, suggestion):
    _, client = curator
    response = decide(client, suggestion, decision="reject", reason="  ")
    assert response.status_code == 200
    assert "Say why the suggestion is rejected." in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW
    response = decide(client, suggestion, decision="reject", reason="The source says otherwise.")
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == (
        SuggestionStatus.REJECTED,
        "The source says otherwise.",
    )
    assert suggestion.draft_claim is None
    assert not Claim.objects.filter(key__startswith="suggestion-").exists()


def test_saving_without_a_decision_changes_nothing(curator, suggestion):
    _, client = curator
    assert decide(client, suggestion, decision="", reason="").status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == (SuggestionStatus.NEW, "")


def test_a_reason_typed_without_a_decision_is_refused_not_dropped(curator, suggestion):
    _, client = curator
    response = decide(client, suggestion, decision="", reason="Check the 6.1 docs first.")
    assert response.status_code == 200
    page = response.content.decode()
    assert "A reason is kept only with a decision" in page
    assert "Check the 6.1 docs first." in page  # still in the form, for the curator to keep
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == (SuggestionStatus.NEW, "")


def test_a_suggestion_the_feature_no_longer_fits_cannot_be_accepted(curator, suggestion):
    """The feature became a descriptor after the reader suggested a support level."""
    _, client = curator
    Claim.objects.all().delete()
    suggestion.feature.kind = FeatureKind.DESCRIPTOR
    suggestion.feature.save()
    response = decide(client, suggestion, decision="accept")
    assert response.status_code == 200
    assert "pick one of its values" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.NEW
    assert not Claim.objects.exists()


def test_the_second_of_two_curators_deciding_at_once_changes_nothing(curator, suggestion):
    _, first = curator
    _, second = make_curator("dave")
    late = form_data(second.get(change_url(suggestion)).content.decode(), "suggestion_form")
    assert decide(first, suggestion, decision="accept").status_code == 302
    response = second.post(change_url(suggestion), {**late, "decision": "reject", "reason": "x"})
    # The page is view-only by then: a decided suggestion cannot be changed.
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert Claim.objects.filter(key=f"suggestion-{suggestion.pk}").count() == 1


def test_a_decision_refused_at_the_last_moment_says_so_alone(curator, suggestion, monkeypatch):
    """Another curator decided between this form's checks and its save (the service refuses
    under the row lock): the curator sees that error alone, and the log records no change."""
    _, client = curator

    def decided_first(**kwargs):
        raise ValidationError(services.DECIDED_ALREADY)

    monkeypatch.setattr(services, "suggestion_accept", decided_first)
    response = decide(client, suggestion, decision="accept")
    assert response.status_code == 302
    assert response["Location"] == change_url(suggestion)
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == [services.DECIDED_ALREADY]
    assert not LogEntry.objects.filter(object_id=str(suggestion.pk)).exists()


def test_a_decided_suggestion_is_view_only(curator, suggestion):
    _, client = curator
    decide(client, suggestion, decision="reject", reason="Spam")
    page = client.get(change_url(suggestion)).content.decode()
    assert 'name="decision"' not in page
    assert "Spam" in page


def test_curators_cannot_add_or_delete_suggestions(curator, suggestion):
    _, client = curator
    assert client.get(reverse("admin:suggestions_suggestion_add")).status_code == 403
    delete = reverse("admin:suggestions_suggestion_delete", args=[suggestion.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Suggestion.objects.filter(pk=suggestion.pk).exists()


def test_the_email_is_shown_only_with_its_permission(curator, suggestion):
    user, client = curator
    changelist = reverse("admin:suggestions_suggestion_changelist")
    assert EMAIL not in client.get(change_url(suggestion)).content.decode()
    assert EMAIL not in client.get(changelist).content.decode()
    # Nor can searching find out who sent what.
    search = client.get(changelist + "?q=zq-reader-4").content.decode()
    assert change_url(suggestion) not in search
    # Nor filtering the list by it, letter by letter (the admin reads any field's lookup).
    for lookup in ["email__startswith=zq", "email=" + EMAIL, "decided_by__email__contains=a"]:
        response = client.get(f"{changelist}?{lookup}")
        assert response.status_code == 400, lookup
        assert change_url(suggestion) not in response.content.decode()
    user.user_permissions.add(Permission.objects.get(codename="view_suggestion_email"))
    client.force_login(get_user_model().objects.get(pk=user.pk))  # permissions cache anew
    assert EMAIL in client.get(change_url(suggestion)).content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_the_queue_runs_the_same_queries_at_any_length(
    curator, claim, count, django_assert_max_num_queries
):
    """Guards against a query per row for its cell, value or claim link."""
    _, client = curator
    Suggestion.objects.bulk_create(
        Suggestion(
            framework=claim.framework,
            feature=claim.feature,
            claim=claim,
            problem=f"Problem {n}",
            support="yes",
            source_url="https://example.org/",
            quote="q",
        )
        for n in range(count)
    )
    with django_assert_max_num_queries(QUEUE_QUERIES):
        page = client.get(reverse("admin:suggestions_suggestion_changelist"))
    assert page.status_code == 200
    assert page.content.decode().count('class="field-cell"') == count


def test_a_suggestion_is_decided_once_even_when_two_services_race(curator, suggestion):
    """Below the admin: the second decision finds the first under the row lock."""
    user, _ = curator
    services.suggestion_accept(suggestion=suggestion, by=user)
    with pytest.raises(ValidationError, match="decided already"):
        services.suggestion_reject(suggestion=suggestion, by=user, reason="Late")
    with pytest.raises(ValidationError, match="decided already"):
        services.suggestion_accept(suggestion=suggestion, by=user)
    assert Claim.objects.filter(key=f"suggestion-{suggestion.pk}").count() == 1


@pytest.mark.usefixtures("review_required")
def test_the_curator_who_accepts_cannot_also_publish_the_draft(curator, suggestion):
    """Four-eyes review: accepting is the curator's change, so a second curator approves it
    (else one curator could publish alone what they sent in through the public form)."""
    user, client = curator
    assert decide(client, suggestion, decision="accept").status_code == 302
    draft = Suggestion.objects.get().draft_claim
    assert draft.changed_by == user
    texts = messages_of(approve(client, draft))
    draft.refresh_from_db()
    assert draft.status == ClaimStatus.DRAFT
    assert any("another curator" in text for text in texts), texts
    _, colleague = make_curator("dana")
    approve(colleague, draft)
    draft.refresh_from_db()
    assert draft.status == ClaimStatus.PUBLISHED
