"""Stable URLs: renaming a slug keeps every old address working, with a 301 to the new one."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from knowledge.models import FormerSlug
from tests.factories import make_claim, make_comparison, make_feature, make_framework

pytestmark = pytest.mark.django_db


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def follows(client, old, new):
    """`old` answers 301 to `new`, which answers 200, and no answer sets a cookie."""
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new), old
    assert not response.cookies
    assert client.get(new).status_code == 200, new


@pytest.fixture
def world():
    django, flask = make_framework(slug="django"), make_framework(slug="flask")
    orm = make_feature(slug="orm")
    for framework in (django, flask):
        make_claim(framework=framework, feature=orm)
    django.tags.add("python")
    orm.tags.add("data")
    comparison = make_comparison("Django vs Flask", "django-flask", [django, flask])
    comparison.categories.add(orm.category)
    return {"django": django, "flask": flask, "orm": orm, "comparison": comparison}


def test_a_renamed_framework_keeps_its_pages_compare_urls_and_filters(client, world):
    rename(world["django"], "django-web")
    follows(client, "/frameworks/django/", "/frameworks/django-web/")
    follows(client, "/feeds/frameworks/django/", "/feeds/frameworks/django-web/")
    follows(client, "/compare/django-vs-flask/", "/compare/django-web-vs-flask/")
    follows(
        client,
        "/compare/flask-vs-django/?category=" + world["orm"].category.slug,
        "/compare/flask-vs-django-web/?category=" + world["orm"].category.slug,
    )
    follows(
        client,
        "/matrix/?framework=django&framework=flask",
        "/matrix/?framework=django-web&framework=flask",
    )
    follows(
        client, "/matrix/export.csv?framework=django", "/matrix/export.csv?framework=django-web"
    )
    follows(client, "/changes/?framework=django", "/changes/?framework=django-web")
    follows(
        client, "/changes/export.json?framework=django", "/changes/export.json?framework=django-web"
    )


def test_a_renamed_feature_category_tag_and_comparison(client, world):
    orm, category = world["orm"], world["orm"].category
    rename(orm, "object-relational-mapper")
    follows(client, "/features/orm/", "/features/object-relational-mapper/")
    follows(client, "/feeds/features/orm/", "/feeds/features/object-relational-mapper/")
    follows(client, "/changes/?feature=orm", "/changes/?feature=object-relational-mapper")
    old_category = category.slug
    rename(category, "data-layer")
    follows(client, f"/categories/{old_category}/", "/categories/data-layer/")
    follows(client, f"/matrix/?category={old_category}", "/matrix/?category=data-layer")
    follows(
        client,
        f"/comparisons/django-flask/?category={old_category}",
        "/comparisons/django-flask/?category=data-layer",
    )
    follows(client, f"/changes/?category={old_category}", "/changes/?category=data-layer")
    rename(Tag.objects.get(slug="python"), "python-3")
    follows(client, "/tags/python/", "/tags/python-3/")
    follows(client, "/matrix/?tag=python", "/matrix/?tag=python-3")
    rename(world["comparison"], "django-and-flask")
    follows(client, "/comparisons/django-flask/", "/comparisons/django-and-flask/")
    follows(client, "/feeds/comparisons/django-flask/", "/feeds/comparisons/django-and-flask/")


def test_a_slug_renamed_twice_leads_from_both_old_ones(client, world):
    rename(rename(world["flask"], "flask-2"), "pallets-flask")
    follows(client, "/frameworks/flask/", "/frameworks/pallets-flask/")
    follows(client, "/frameworks/flask-2/", "/frameworks/pallets-flask/")
    assert FormerSlug.objects.filter(object_id=world["flask"].pk).count() == 2


def test_a_former_slug_taken_again_is_that_object_s(client, world):
    rename(world["django"], "django-web")
    rename(world["flask"], "django")
    assert client.get("/frameworks/django/").status_code == 200
    assert world["flask"].name in client.get("/frameworks/django/").content.decode()
    assert not FormerSlug.objects.filter(slug="django").exists()
    # Flask's own former slug still leads to it.
    follows(client, "/frameworks/flask/", "/frameworks/django/")


def test_unknown_slugs_stay_404_and_saves_without_rename_record_nothing(client, world):
    world["django"].name = "Django!"
    world["django"].save()
    assert not FormerSlug.objects.exists()
    assert client.get("/frameworks/nope/").status_code == 404
    assert client.get("/compare/nope-vs-flask/").status_code == 404
    response = client.get("/matrix/?framework=nope")
    assert response.status_code == 200 and 'class="form-error"' in response.content.decode()
    assert client.get(reverse("comparisons:changes"), {"framework": "nope\x00"}).status_code == 400


# -- The API, the badges and the embeds -------------------------------------------------------


def test_api_details_and_filters_follow_renames(client, world):
    rename(world["django"], "django-web")
    follows(client, "/api/v1/frameworks/django/", "/api/v1/frameworks/django-web/")
    follows(client, "/api/v1/claims/?framework=django", "/api/v1/claims/?framework=django-web")
    follows(client, "/api/v1/matrix/?framework=django", "/api/v1/matrix/?framework=django-web")
    follows(client, "/api/v1/changes/?framework=django", "/api/v1/changes/?framework=django-web")
    orm = world["orm"]
    rename(orm, "object-relational-mapper")
    follows(client, "/api/v1/features/orm/", "/api/v1/features/object-relational-mapper/")
    follows(
        client, "/api/v1/claims/?feature=orm", "/api/v1/claims/?feature=object-relational-mapper"
    )
    old_category = orm.category.slug
    rename(orm.category, "data-layer")
    follows(client, f"/api/v1/categories/{old_category}/", "/api/v1/categories/data-layer/")
    follows(
        client,
        f"/api/v1/features/?category={old_category}",
        "/api/v1/features/?category=data-layer",
    )
    # What answers at the new address is the renamed object.
    assert client.get("/api/v1/frameworks/django-web/").json()["slug"] == "django-web"
    # Unknown slugs stay the API's JSON 404 and 400.
    assert client.get("/api/v1/frameworks/nope/").json()["status"] == 404
    assert client.get("/api/v1/claims/?framework=nope").status_code == 400


def test_badges_and_embeds_follow_renames(client, world):
    rename(world["django"], "django-web")
    rename(world["orm"], "object-relational-mapper")
    follows(client, "/badge/django/orm.svg", "/badge/django-web/object-relational-mapper.svg")
    follows(client, "/badge/flask/orm.svg", "/badge/flask/object-relational-mapper.svg")
    follows(client, "/embed/compare/django-vs-flask/", "/embed/compare/django-web-vs-flask/")
    old_category = world["orm"].category.slug
    rename(world["orm"].category, "data-layer")
    follows(
        client,
        f"/embed/compare/flask-vs-django-web/?category={old_category}",
        "/embed/compare/flask-vs-django-web/?category=data-layer",
    )
    assert client.get("/badge/nope/nope.svg").status_code == 404
