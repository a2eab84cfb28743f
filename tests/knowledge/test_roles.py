from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from knowledge.management.commands.setup_roles import CURATORS
from knowledge.models import Claim
from tests.factories import make_claim, make_feature, make_framework, make_source
from tests.knowledge.admin_helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(client):
    call_command("setup_roles", stdout=StringIO())
    user = get_user_model().objects.create_user("carol", "carol@example.org", "x", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS))
    client.force_login(user)
    return user


def permission_names(group):
    return set(group.permissions.values_list("content_type__app_label", "codename").order_by())


def test_setup_roles_is_idempotent_and_resets_hand_added_permissions(capsys):
    call_command("setup_roles")
    group = Group.objects.get(name=CURATORS)
    first = permission_names(group)
    call_command("setup_roles")
    assert "unchanged" in capsys.readouterr().out
    assert permission_names(group) == first
    assert Group.objects.filter(name=CURATORS).count() == 1

    group.permissions.add(Permission.objects.get(codename="change_user"))
    call_command("setup_roles")
    assert "1 removed" in capsys.readouterr().out
    assert permission_names(group) == first


def test_curators_get_content_permissions_and_none_on_accounts():
    call_command("setup_roles")
    names = permission_names(Group.objects.get(name=CURATORS))
    assert {app for app, _ in names} == {"knowledge", "comparisons", "suggestions", "taggit"}
    for model in ("category", "feature", "framework", "source", "claim", "citation"):
        for action in ("view", "add", "change"):
            assert ("knowledge", f"{action}_{model}") in names
    assert ("knowledge", "delete_citation") in names
    assert ("knowledge", "delete_claim") not in names
    assert ("knowledge", "delete_source") not in names
    assert ("comparisons", "change_comparison") in names
    assert ("comparisons", "delete_comparisonframework") in names
    assert ("taggit", "add_tag") in names
    # The moderation queue: curators see and decide; the reader's e-mail and deleting are
    # granted per person.
    assert {("suggestions", "view_suggestion"), ("suggestions", "change_suggestion")} <= names
    assert ("suggestions", "view_suggestion_email") not in names
    assert ("suggestions", "delete_suggestion") not in names
    assert ("suggestions", "add_suggestion") not in names


@pytest.mark.parametrize(
    "url",
    [
        lambda user: reverse("admin:auth_user_changelist"),
        lambda user: reverse("admin:auth_user_change", args=[user.pk]),
        lambda user: reverse("admin:auth_group_add"),
        lambda user: reverse("admin:auth_group_changelist"),
    ],
)
def test_a_curator_cannot_see_users_or_groups(client, curator, url):
    assert client.get(url(curator)).status_code == 403


def test_a_curator_cannot_make_themselves_superuser(client, curator):
    url = reverse("admin:auth_user_change", args=[curator.pk])
    response = client.post(
        url, {"username": "carol", "is_staff": "on", "is_superuser": "on", "is_active": "on"}
    )
    assert response.status_code == 403
    curator.refresh_from_db()
    assert not curator.is_superuser
    response = client.post(reverse("admin:auth_group_add"), {"name": "Admins"})
    assert response.status_code == 403
    assert not Group.objects.filter(name="Admins").exists()


def test_a_curator_adds_and_changes_a_claim(client, curator):
    add_url = reverse("admin:knowledge_claim_add")
    data = form_data(client.get(add_url))
    data.update(
        {
            "framework": make_framework().pk,
            "feature": make_feature().pk,
            "key": "docs",
            "support": "yes",
            "status": "review",
            "citations-0-source": make_source().pk,
        }
    )
    assert client.post(add_url, data).status_code == 302
    claim = Claim.objects.get()
    change_url = reverse("admin:knowledge_claim_change", args=[claim.pk])
    data = form_data(client.get(change_url))
    data["status"] = "published"
    assert client.post(change_url, data).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "published"
    assert claim.history.first().history_user == curator


def test_a_curator_cannot_delete_a_claim_or_a_source(client, curator):
    claim, source = make_claim(), make_source()
    response = client.post(
        reverse("admin:knowledge_claim_delete", args=[claim.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("admin:knowledge_source_delete", args=[source.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
