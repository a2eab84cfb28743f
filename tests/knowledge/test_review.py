"""Four-eyes review through the real admin forms: two curators of the Curators group (as
`setup_roles` makes it) and a superuser, each with a logged-in test client. A claim reaches the
public only when someone other than its last editor approves it; the public page then says
"reviewed ‹date›" and names nobody."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Claim, ClaimStatus, claim_name
from knowledge.services import OWN_CHANGE_MESSAGE, UNSOURCED_MESSAGE
from tests.factories import make_claim, make_feature, make_framework, make_source
from tests.knowledge.admin_helpers import change_url, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("review_required")]

User = get_user_model()


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)  # force_login: axes needs a request to authenticate
    return client


@pytest.fixture
def curators(db):
    call_command("setup_roles", stdout=io.StringIO())
    group = Group.objects.get(name="Curators")
    users = []
    for name in ("alice", "bob"):
        user = User.objects.create_user(name, f"{name}@example.org", "x", is_staff=True)
        user.groups.add(group)
        users.append(user)
    return users


@pytest.fixture
def alice(curators):
    return _client(curators[0])


@pytest.fixture
def bob(curators):
    return _client(curators[1])


@pytest.fixture
def root(db):
    return _client(User.objects.create_superuser("root", "root@example.org", "x"))


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def add_claim(client, *, status=ClaimStatus.REVIEW, statement="Ships an admin."):
    """Add a cited claim through the add form, as `client`; returns it."""
    response = post_add_form(client, status=status, statement=statement)
    assert response.status_code == 302, response.content.decode()
    return Claim.objects.get(key="docs", statement=statement)


def post_add_form(client, *, status, statement):
    framework, feature, source = make_framework(), make_feature(), make_source()
    add_url = reverse("admin:knowledge_claim_add")
    data = form_data(client.get(add_url))
    data.update(
        {
            "framework": framework.pk,
            "feature": feature.pk,
            "key": "docs",
            "statement": statement,
            "support": "yes",
            "status": status,
            "rank": "normal",
            "citations-0-source": source.pk,
            "citations-0-quote": "An automatic admin interface.",
            "citations-0-locator": "Admin",
        }
    )
    return client.post(add_url, data)


def save_form(client, claim, **changes):
    """Post the claim's change form as `client` with `changes` applied."""
    data = form_data(client.get(change_url(claim)))
    data.update(changes)
    return client.post(change_url(claim), data)


def approve(client, claim):
    """Press "Approve and publish" on the claim's page, as the page offers it."""
    page = client.get(change_url(claim)).content.decode()
    action, version = _approve_form(page)
    return client.post(action, {"version": version}, follow=True)


def _approve_form(page):
    match = re.search(
        r'<form method="post" action="([^"]+)" class="approve-form">.*?name="version" '
        r'value="([^"]+)"',
        page,
        re.S,
    )
    assert match, "the claim's page offers no Approve button"
    return match.group(1), match.group(2).replace("&#x2B;", "+")


class _Facts(HTMLParser):
    """The public claim page's facts list, {term: text}."""

    def __init__(self):
        super().__init__()
        self.facts, self._in, self._term = {}, None, None

    def handle_starttag(self, tag, attrs):
        if tag in ("dt", "dd"):
            self._in = tag
            if tag == "dd":
                self.facts[self._term] = ""

    def handle_endtag(self, tag):
        if tag in ("dt", "dd"):
            self._in = None

    def handle_data(self, data):
        if self._in == "dt":
            self._term = data.strip()
        elif self._in == "dd":
            self.facts[self._term] += data


def public_facts(claim):
    response = Client().get(claim.get_absolute_url())
    assert response.status_code == 200
    parser = _Facts()
    parser.feed(response.content.decode())
    return parser.facts, response.content.decode()


def _status(claim):
    claim.refresh_from_db()
    return claim.status


# -- The author cannot publish; another curator approves -----------------------------------


def test_the_author_cannot_publish_their_own_change(alice):
    claim = add_claim(alice)
    response = save_form(alice, claim, status=ClaimStatus.PUBLISHED)
    assert response.status_code == 200
    assert OWN_CHANGE_MESSAGE in response.content.decode()
    assert _status(claim) == ClaimStatus.REVIEW
    # Nor through the reviewer's button, which refuses with the same reason.
    texts = messages_of(approve(alice, claim))
    assert any(OWN_CHANGE_MESSAGE in text for text in texts)
    assert _status(claim) == ClaimStatus.REVIEW
    assert Client().get(claim.get_absolute_url()).status_code == 404


def test_adding_a_published_claim_is_refused_and_saves_nothing(alice):
    response = post_add_form(alice, status=ClaimStatus.PUBLISHED, statement="New.")
    assert response.status_code == 200
    assert OWN_CHANGE_MESSAGE in response.content.decode()
    assert not Claim.objects.exists()


def test_another_curator_approves_and_the_public_page_says_reviewed_without_a_name(
    alice, bob, curators
):
    claim = add_claim(alice)
    texts = messages_of(approve(bob, claim))
    assert any("approved and published" in text for text in texts)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PUBLISHED
    assert (claim.changed_by, claim.reviewed_by) == (curators[0], curators[1])
    assert claim.reviewed_at is not None and claim.review_waiver == ""
    facts, html = public_facts(claim)
    today = timezone.localdate(claim.reviewed_at)
    assert facts["Reviewed"].split()[:4] == [
        "reviewed",
        str(today.day),
        f"{today:%b}",
        str(today.year),
    ]
    assert f'datetime="{today.isoformat()}"' in html
    for name in ("alice", "bob"):
        assert name not in html.lower()
    # The history keeps the approval: the row of the publication names its reviewer.
    row = claim.history.order_by("-history_id").first()
    assert (row.status, row.reviewed_by_id, row.history_user_id) == (
        ClaimStatus.PUBLISHED,
        curators[1].pk,
        curators[1].pk,
    )


def test_another_curator_may_publish_by_setting_the_status_on_the_form(alice, bob, curators):
    claim = add_claim(alice)
    response = save_form(bob, claim, status=ClaimStatus.PUBLISHED)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by, claim.changed_by) == (
        ClaimStatus.PUBLISHED,
        curators[1],
        curators[0],
    )


def test_a_reviewer_who_edits_while_publishing_becomes_the_author(alice, bob):
    claim = add_claim(alice)
    response = save_form(bob, claim, status=ClaimStatus.PUBLISHED, statement="Bob's words.")
    assert response.status_code == 200
    assert OWN_CHANGE_MESSAGE in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.statement) == (ClaimStatus.REVIEW, "Ships an admin.")


# -- An edit after approval needs a fresh review -----------------------------------------------


def test_an_edit_after_approval_needs_a_fresh_review_by_someone_else(alice, bob, curators):
    claim = add_claim(alice)
    approve(bob, claim)
    # Alice edits the published claim: she cannot keep it published with her change.
    response = save_form(alice, claim, statement="Alice's second thoughts.")
    assert response.status_code == 200
    assert OWN_CHANGE_MESSAGE in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).statement == "Ships an admin."
    # Saved for review, it leaves the public pages and the earlier approval is gone.
    response = save_form(
        alice, claim, statement="Alice's second thoughts.", status=ClaimStatus.REVIEW
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.changed_by, claim.reviewed_by, claim.reviewed_at) == (curators[0], None, None)
    assert Client().get(claim.get_absolute_url()).status_code == 404
    # Bob, the approver of the last version, edits it: now he is its author and Alice reviews.
    save_form(bob, claim, statement="Bob's wording.")
    texts = messages_of(approve(bob, claim))
    assert any(OWN_CHANGE_MESSAGE in text for text in texts)
    assert _status(claim) == ClaimStatus.REVIEW
    approve(alice, claim)
    claim.refresh_from_db()
    assert (claim.status, claim.changed_by, claim.reviewed_by) == (
        ClaimStatus.PUBLISHED,
        curators[1],
        curators[0],
    )


def test_the_author_publishing_with_a_citation_edit_is_told_once(alice):
    claim = add_claim(alice)
    response = save_form(
        alice, claim, status=ClaimStatus.PUBLISHED, **{"citations-0-quote": "Edited."}
    )
    assert response.status_code == 200
    assert response.content.decode().count(OWN_CHANGE_MESSAGE) == 1
    assert claim.citations.get().quote == "An automatic admin interface."


def test_a_change_of_citations_alone_is_an_edit_too(alice, bob, curators):
    claim = add_claim(alice)
    approve(bob, claim)
    # Bob edits only the quote of the published claim's citation: that needs Alice's review.
    response = save_form(bob, claim, **{"citations-0-quote": "A quote bob changed."})
    assert response.status_code == 200
    assert OWN_CHANGE_MESSAGE in response.content.decode()
    assert claim.citations.get().quote == "An automatic admin interface."
    response = save_form(
        bob, claim, status=ClaimStatus.REVIEW, **{"citations-0-quote": "A quote bob changed."}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.changed_by, claim.reviewed_by) == (curators[1], None)


def test_the_approve_button_refuses_a_version_it_did_not_show(alice, bob):
    claim = add_claim(alice)
    action, version = _approve_form(bob.get(change_url(claim)).content.decode())
    save_form(alice, claim, statement="Changed after Bob opened it.")
    texts = messages_of(bob.post(action, {"version": version}, follow=True))
    assert any("changed since you opened it" in text for text in texts)
    assert _status(claim) == ClaimStatus.REVIEW
    assert bob.get(action).status_code == 405


def test_the_approve_button_refuses_when_only_the_citations_changed_since(alice, bob):
    claim = add_claim(alice)
    action, version = _approve_form(bob.get(change_url(claim)).content.decode())
    citation = claim.citations.get()
    url = reverse("admin:knowledge_citation_change", args=[citation.pk])
    alice.post(url, {**form_data(alice.get(url)), "quote": "A quote changed meanwhile."})
    assert claim.citations.get().quote == "A quote changed meanwhile."
    texts = messages_of(bob.post(action, {"version": version}, follow=True))
    assert any("changed since you opened it" in text for text in texts)
    assert _status(claim) == ClaimStatus.REVIEW


# -- The bulk action ---------------------------------------------------------------------------


def test_bulk_publish_publishes_what_alice_may_approve_and_lists_the_rest_with_why(
    alice, bob, curators
):
    own = add_claim(alice, statement="Alice's claim.")
    bobs = add_claim(bob, statement="Bob's claim.")
    loaded = make_claim(status=ClaimStatus.REVIEW)  # from code or loadkb: no author
    unsourced = make_claim(citations=0, status=ClaimStatus.DRAFT, support="unknown")
    response = alice.post(
        reverse("admin:knowledge_claim_changelist"),
        {
            "action": "publish",
            "_selected_action": [c.pk for c in (own, bobs, loaded, unsourced)],
        },
        follow=True,
    )
    texts = messages_of(response)
    assert "2 claim(s) published." in texts
    [refusal] = [text for text in texts if "were not published" in text]
    assert refusal.startswith("2 claim(s) were not published")
    named = {c.pk: claim_name(c) for c in Claim.objects.select_related("framework", "feature")}
    assert f"{named[own.pk]}</a>: {OWN_CHANGE_MESSAGE.rstrip('.')}" in refusal
    assert f"{named[unsourced.pk]}</a>: {UNSOURCED_MESSAGE.rstrip('.')}" in refusal
    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses == {
        own.pk: ClaimStatus.REVIEW,
        bobs.pk: ClaimStatus.PUBLISHED,
        loaded.pk: ClaimStatus.PUBLISHED,
        unsourced.pk: ClaimStatus.DRAFT,
    }
    approvers = dict(Claim.objects.published().values_list("pk", "reviewed_by"))
    assert approvers == {bobs.pk: curators[0].pk, loaded.pk: curators[0].pk}


# -- A superuser without review, with a reason --------------------------------------------------


def test_a_superuser_publishes_their_own_change_only_with_a_reason(root, bob):
    claim = add_claim(root)
    response = save_form(root, claim, status=ClaimStatus.PUBLISHED)
    assert response.status_code == 200
    assert "giving a reason" in response.content.decode()
    assert _status(claim) == ClaimStatus.REVIEW
    reason = "Typo fix; the sources are unchanged."
    response = save_form(root, claim, status=ClaimStatus.PUBLISHED, publish_reason=reason)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.review_waiver, claim.reviewed_by.username) == (
        ClaimStatus.PUBLISHED,
        reason,
        "root",
    )
    row = claim.history.order_by("-history_id").first()
    assert (row.status, row.review_waiver, row.history_user.username) == (
        ClaimStatus.PUBLISHED,
        reason,
        "root",
    )
    # Curators see why in the admin; the public page does not say "reviewed".
    page = bob.get(change_url(claim)).content.decode()
    assert "Published without review by root" in page and reason in page
    facts, html = public_facts(claim)
    assert "Reviewed" not in facts and reason not in html


def test_a_curator_is_not_offered_the_reason_and_cannot_forge_it(alice):
    claim = add_claim(alice)
    assert 'name="publish_reason"' not in alice.get(change_url(claim)).content.decode()
    response = save_form(alice, claim, status=ClaimStatus.PUBLISHED, publish_reason="Trust me.")
    assert response.status_code == 200
    assert _status(claim) == ClaimStatus.REVIEW


def test_a_superuser_reviewing_someone_elses_change_is_a_review(alice, root):
    claim = add_claim(alice)
    save_form(root, claim, status=ClaimStatus.PUBLISHED, publish_reason="Not needed.")
    claim.refresh_from_db()
    assert (claim.status, claim.review_waiver, claim.reviewed_by.username) == (
        ClaimStatus.PUBLISHED,
        "",
        "root",
    )


# -- Review off, and what is shipped -----------------------------------------------------------


def test_with_review_off_a_curator_publishes_their_own_change(alice, settings):
    settings.CITEGRID_REVIEW_REQUIRED = False
    claim = add_claim(alice)
    assert save_form(alice, claim, status=ClaimStatus.PUBLISHED).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by, claim.reviewed_at) == (
        ClaimStatus.PUBLISHED,
        None,
        None,
    )
    facts, _ = public_facts(claim)
    assert "Reviewed" not in facts


def test_dumpkb_ships_no_review_record_and_loadkb_imports_published_claims(alice, bob, tmp_path):
    claim = add_claim(alice)
    approve(bob, claim)
    call_command("dumpkb", str(tmp_path), stdout=io.StringIO())
    dumped = (tmp_path / "04_claims.json").read_text()
    assert "reviewed" not in dumped and "changed_by" not in dumped
    assert "alice" not in dumped and "bob" not in dumped
    # Loaded elsewhere, a maintainer's import: published as the fixture says, with no reviewer.
    Claim.objects.all().delete()
    files = sorted(str(path) for path in tmp_path.glob("*.json"))
    call_command("loadkb", *files, stdout=io.StringIO())
    loaded = Claim.objects.get(key="docs")
    assert (loaded.status, loaded.reviewed_by, loaded.changed_by) == (
        ClaimStatus.PUBLISHED,
        None,
        None,
    )
    assert "Reviewed" not in public_facts(loaded)[0]


def test_the_citation_admin_cannot_change_a_published_claims_evidence_behind_its_review(bob):
    claim = make_claim(citations=2)
    first, second = claim.citations.order_by("pk")
    url = reverse("admin:knowledge_citation_change", args=[first.pk])
    response = bob.post(url, {**form_data(bob.get(url)), "quote": "Bob's quote."})
    assert response.status_code == 200
    assert "changed on the claim's own page" in response.content.decode().replace("&#x27;", "'")
    delete_url = reverse("admin:knowledge_citation_delete", args=[second.pk])
    [text] = messages_of(bob.post(delete_url, {"post": "yes"}, follow=True))
    assert "changed on the claim's own page" in text.replace("&#x27;", "'")
    assert change_url(claim) in text
    assert [c.quote for c in claim.citations.order_by("pk")] == [first.quote, second.quote]
    # A claim in review takes citations there as before: its publication is the review.
    claim.status = ClaimStatus.REVIEW
    claim.save()
    response = bob.post(url, {**form_data(bob.get(url)), "quote": "Bob's quote."})
    assert response.status_code == 302
    assert claim.citations.get(pk=first.pk).quote == "Bob's quote."
    # …and that makes Bob the claim's last editor: he cannot approve it now.
    claim.refresh_from_db()
    assert claim.changed_by.username == "bob"
    texts = messages_of(approve(bob, claim))
    assert any(OWN_CHANGE_MESSAGE in text for text in texts)


def test_the_api_says_the_day_it_was_reviewed_and_not_by_whom(alice, bob, root):
    reviewed = add_claim(alice)
    approve(bob, reviewed)
    waived = add_claim(root, statement="Root's own.")
    save_form(root, waived, status=ClaimStatus.PUBLISHED, publish_reason="Imported by hand.")
    reviewed.refresh_from_db()
    body = Client().get(reverse("api:claim-list")).json()
    days = {claim["id"]: claim["reviewed_at"] for claim in body["results"]}
    assert days == {
        reviewed.pk: timezone.localdate(reviewed.reviewed_at).isoformat(),
        waived.pk: None,
    }
    detail = Client().get(reverse("api:claim-detail", args=[reviewed.pk])).content.decode()
    for secret in ("alice", "bob", "root", "Imported by hand"):
        assert secret not in detail
