"""The admin on knowledge model v2: a feature's vocabulary edited inline, a claim's value
chosen from its own feature's list, releases of its own framework."""

import pytest
from django.contrib.auth import get_user_model

from knowledge.models import FeatureKind, FeatureValue
from tests.factories import make_claim, make_framework, make_release, make_scale
from tests.knowledge.admin_helpers import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client):
    client.force_login(get_user_model().objects.create_superuser("alice", "a@example.org", "x"))
    return client


def test_a_features_scale_is_edited_inline(curator_client):
    feature, values = make_scale(name="Learning curve")
    data = form_data(curator_client.get(change_url(feature)))
    prefix = "values"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(total + 1),
            f"{prefix}-{total}-position": "4",
            f"{prefix}-{total}-label": "Very steep",
            f"{prefix}-{total}-slug": "very-steep",
        }
    )
    response = curator_client.post(change_url(feature), data)
    assert response.status_code == 302
    assert list(feature.values.values_list("slug", flat=True)) == [
        "gentle",
        "moderate",
        "steep",
        "very-steep",
    ]


def test_a_claim_form_offers_only_its_features_values_and_its_frameworks_releases(curator_client):
    feature, (gentle, _, steep) = make_scale(name="Learning curve")
    make_scale(labels=["Microframework"], kind=FeatureKind.DESCRIPTOR)
    framework = make_framework()
    mine = make_release(framework=framework, version="3.1")
    make_release(version="9.9")
    claim = make_claim(framework=framework, feature=feature, feature_value=gentle)
    form = curator_client.get(change_url(claim)).context["adminform"].form
    assert set(form.fields["feature_value"].queryset) == set(feature.values.all())
    assert list(form.fields["since_version"].queryset) == [mine]
    data = form_data(curator_client.get(change_url(claim)))
    data["feature_value"] = str(FeatureValue.objects.get(slug="microframework").pk)
    response = curator_client.post(change_url(claim), data)
    assert response.status_code == 200  # refused, with the form again
    assert "Select a valid choice" in response.content.decode()
    data["feature_value"] = str(steep.pk)
    assert curator_client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert claim.feature_value == steep


def test_a_support_level_on_an_assessment_claim_is_refused_in_the_admin(curator_client):
    feature, (gentle, _, _) = make_scale(name="Learning curve")
    claim = make_claim(feature=feature, feature_value=gentle)
    data = form_data(curator_client.get(change_url(claim)))
    data["support"] = "yes"
    response = curator_client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "pick one of its values instead of a support level" in response.content.decode()
