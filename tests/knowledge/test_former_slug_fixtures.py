"""dumpkb writes the former slugs, naming each object by its natural key, and loadkb reads them
back into another database's primary keys: a reload keeps every old URL working."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from taggit.models import Tag

from knowledge.models import FormerSlug, Framework
from tests.factories import make_claim, make_comparison, make_feature, make_framework
from tests.knowledge.shipped_kb import delete_shipped

pytestmark = pytest.mark.django_db


def rename(obj, slug):
    obj.slug = slug
    obj.save()


def dump(directory):
    call_command("dumpkb", str(directory), stdout=io.StringIO())
    return sorted(directory.glob("*.json"))


def test_a_reload_keeps_the_old_urls_of_every_kind(client, tmp_path):
    django, flask = make_framework(slug="django"), make_framework(slug="flask")
    orm = make_feature(slug="orm")
    for framework in (django, flask):
        make_claim(framework=framework, feature=orm)
    django.tags.add("python")
    comparison = make_comparison("Django vs Flask", "django-flask", [django, flask])
    comparison.categories.add(orm.category)
    old_category = orm.category.slug
    rename(django, "django-web")
    rename(orm, "object-relational-mapper")
    rename(orm.category, "data-layer")
    rename(Tag.objects.get(slug="python"), "python-3")
    rename(comparison, "django-and-flask")
    files = dump(tmp_path)
    written = json.loads((tmp_path / "07_former_slugs.json").read_text(encoding="utf-8"))
    # Named by natural keys, never by this database's primary keys.
    assert {
        (tuple(o["fields"]["content_type"]), o["fields"]["slug"]): o["fields"]["object_id"]
        for o in written
    } == {
        (("knowledge", "framework"), "django"): ["django-web"],
        (("knowledge", "feature"), "orm"): ["object-relational-mapper"],
        (("knowledge", "category"), old_category): ["data-layer"],
        (("taggit", "tag"), "python"): ["python"],  # a tag's natural key is its name
        (("comparisons", "comparison"), "django-flask"): ["django-and-flask"],
    }
    old_pk = Framework.objects.get(slug="django-web").pk
    delete_shipped()
    assert not FormerSlug.objects.exists()
    call_command("loadkb", *map(str, files), stdout=io.StringIO())
    assert Framework.objects.get(slug="django-web").pk != old_pk  # other keys, same URLs
    for old, new in [
        ("/frameworks/django/", "/frameworks/django-web/"),
        ("/features/orm/", "/features/object-relational-mapper/"),
        (f"/categories/{old_category}/", "/categories/data-layer/"),
        ("/tags/python/", "/tags/python-3/"),
        ("/comparisons/django-flask/", "/comparisons/django-and-flask/"),
        ("/api/v1/frameworks/django/", "/api/v1/frameworks/django-web/"),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    # Loaded again on top of itself: nothing new, and the same files come out.
    call_command("loadkb", *map(str, files), stdout=io.StringIO())
    assert FormerSlug.objects.count() == len(written)
    again = tmp_path / "again"
    again.mkdir()
    dump(again)
    for path in files:
        assert (again / path.name).read_text() == path.read_text(), path.name


def test_a_former_slug_naming_a_missing_object_is_refused_whole(tmp_path):
    make_framework(slug="django")
    path = tmp_path / "07_former_slugs.json"
    path.write_text(
        json.dumps(
            [
                {
                    "model": "knowledge.formerslug",
                    "fields": {
                        "content_type": ["knowledge", "framework"],
                        "object_id": ["django"],
                        "slug": "django-old",
                        "renamed_at": "2026-11-01T00:00:00Z",
                    },
                },
                {
                    "model": "knowledge.formerslug",
                    "fields": {
                        "content_type": ["knowledge", "framework"],
                        "object_id": ["no-such-framework"],
                        "slug": "gone",
                        "renamed_at": "2026-11-01T00:00:00Z",
                    },
                },
            ]
        )
    )
    with pytest.raises(CommandError) as error:
        call_command("loadkb", str(path), stdout=io.StringIO())
    assert "object_id: no knowledge.framework with natural key ('no-such-framework',)" in str(
        error.value
    )
    assert not FormerSlug.objects.exists()


def test_deleting_a_renamed_object_forgets_its_former_slugs_and_dumpkb_still_runs(tmp_path):
    make_claim(framework=make_framework(slug="keep"))
    tag = Tag.objects.create(name="Old tag", slug="old-tag")
    rename(tag, "new-tag")
    # One row as an older database may hold it: its object deleted before deletions
    # forgot their slugs.
    orphan = FormerSlug.objects.get(slug="old-tag")
    FormerSlug.objects.create(
        content_type=orphan.content_type, object_id=tag.pk + 1000, slug="orphan-tag"
    )
    tag.delete()
    assert list(FormerSlug.objects.values_list("slug", flat=True)) == ["orphan-tag"]
    files = {path.name: path for path in dump(tmp_path)}
    assert json.loads(files["07_former_slugs.json"].read_text()) == []
