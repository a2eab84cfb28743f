"""Curators edit the knowledge base and nothing about users: through the admin, a staff user in
the Curators group (as `manage.py setup_roles` makes it) cannot see, add, change or delete
users or groups, and cannot grant itself superuser status or permissions."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def curator(db):
    call_command("setup_roles", stdout=io.StringIO())
    user = User.objects.create_user("curator", "c@example.org", "x", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def curator_client(curator):
    client = Client(raise_request_exception=False)
    client.force_login(curator)
    return client


@pytest.fixture
def other_user(db):
    return User.objects.create_user("other", "o@example.org", "x")


def _user_and_group_pages(curator, other_user):
    group = Group.objects.get(name="Curators")
    pages = [reverse("admin:auth_user_changelist"), reverse("admin:auth_user_add")]
    for user in (curator, other_user):
        pages += [
            reverse("admin:auth_user_change", args=[user.pk]),
            reverse("admin:auth_user_delete", args=[user.pk]),
            reverse("admin:auth_user_password_change", args=[user.pk]),
            reverse("admin:auth_user_history", args=[user.pk]),
        ]
    pages += [
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_add"),
        reverse("admin:auth_group_change", args=[group.pk]),
        reverse("admin:auth_group_delete", args=[group.pk]),
    ]
    return pages


def test_curators_reach_the_knowledge_base(curator_client):
    """The control: the same client is a working curator."""
    assert curator_client.get(reverse("admin:index")).status_code == 200
    assert curator_client.get(reverse("admin:knowledge_claim_changelist")).status_code == 200
    assert curator_client.get(reverse("admin:knowledge_claim_add")).status_code == 200


def test_curators_get_403_on_every_user_and_group_page(curator_client, curator, other_user):
    statuses = {
        url: curator_client.get(url).status_code
        for url in _user_and_group_pages(curator, other_user)
    }
    assert set(statuses.values()) == {403}, statuses


def test_curators_get_403_posting_to_user_and_group_pages(curator_client, curator, other_user):
    statuses = {
        url: curator_client.post(url, {}).status_code
        for url in _user_and_group_pages(curator, other_user)
    }
    assert set(statuses.values()) == {403}, statuses
    assert User.objects.filter(pk=other_user.pk).exists()


def test_the_admin_index_does_not_offer_users_or_groups(curator_client):
    page = curator_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:auth_user_changelist") not in page
    assert reverse("admin:auth_group_changelist") not in page


def test_a_curator_cannot_make_itself_superuser_or_grant_permissions(curator_client, curator):
    every_permission = list(Permission.objects.values_list("pk", flat=True))
    group = Group.objects.get(name="Curators")
    granted_before = set(group.permissions.values_list("pk", flat=True))
    response = curator_client.post(
        reverse("admin:auth_user_change", args=[curator.pk]),
        {
            "username": "curator",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "user_permissions": every_permission,
            "groups": [group.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 403
    response = curator_client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Curators", "permissions": every_permission},
    )
    assert response.status_code == 403
    response = curator_client.post(
        reverse("admin:auth_group_add"), {"name": "Admins", "permissions": every_permission}
    )
    assert response.status_code == 403
    curator.refresh_from_db()
    assert not curator.is_superuser
    assert not curator.user_permissions.exists()
    assert set(group.permissions.values_list("pk", flat=True)) == granted_before
    assert not Group.objects.filter(name="Admins").exists()
    assert not curator.has_perm("auth.change_user")
    assert not curator.has_perm("auth.change_group")
    assert not curator.has_perm("auth.change_permission")


def test_the_same_post_by_a_superuser_does_grant(curator, other_user):
    """The control for the test above: the post itself is a valid grant, so the 403 is the
    permission check and not a malformed form."""
    admin = User.objects.create_superuser("root", "r@example.org", "x")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_change", args=[curator.pk]),
        {
            "username": "curator",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="Curators").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    curator.refresh_from_db()
    assert curator.is_superuser
