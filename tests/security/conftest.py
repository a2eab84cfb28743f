import pytest
from django.test import Client

from .planting import plant_payloads


@pytest.fixture
def planted(db):
    """Frameworks, features, claims… whose every free-text field holds a hostile payload."""
    return plant_payloads()


@pytest.fixture
def visitor():
    """An anonymous client that answers a crash with the 500 page instead of raising, so a
    test can name every URL that failed rather than stop at the first."""
    return Client(raise_request_exception=False)


@pytest.fixture
def superuser_client(admin_user):
    # force_login: the admin login form goes through django-axes, which these tests are not about.
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


@pytest.fixture
def curators(admin_user, django_user_model):
    """Two signed-in superusers, each with a client of their own."""
    other = django_user_model.objects.create_superuser("other", "o@example.org", "x")
    clients = []
    for user in (admin_user, other):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    return clients
