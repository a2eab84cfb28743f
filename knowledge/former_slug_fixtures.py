"""Former slugs in fixtures: each names its object by the object's natural key.

A FormerSlug points at its object by content type and primary key, and primary keys differ
from one database to the next. So `dumpkb` writes the object's natural key in `object_id`
(`["django-web"]` for a framework) and `loadkb` turns it back into the object's primary key
in the database being loaded, before validating the row as any other. (Django's `loaddata`
cannot read such a key: a fixture holding former slugs needs `loadkb`.)
"""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist

FORMER_SLUG = "knowledge.formerslug"


def _model(content_type_key):
    return ContentType.objects.get_by_natural_key(*content_type_key).model_class()


def former_slugs_for_fixture(text: str) -> str:
    """The JSON `text` dumpkb serialized, each former slug naming its object by natural key."""
    kept = []
    for item in json.loads(text):
        if item["model"] == FORMER_SLUG:
            fields = item["fields"]
            manager = _model(fields["content_type"])._default_manager
            target = manager.filter(pk=fields["object_id"]).first()
            if target is None:
                continue  # its object was deleted (before deletions forgot their slugs)
            fields["object_id"] = list(target.natural_key())
        kept.append(item)
    return json.dumps(kept, indent=2, ensure_ascii=False)


def former_slug_fields_resolve(fields: dict) -> list[str]:
    """Turn the natural key in a fixture's `object_id` into the object's primary key, in
    place; the messages saying why it cannot be, if it cannot."""
    key, content_type = fields.get("object_id"), fields.get("content_type")
    if not isinstance(key, list):
        return []  # a plain primary key (or none): validation judges it
    if not (isinstance(content_type, list) and all(isinstance(p, str) for p in content_type)):
        return ['content_type: expected a content type\'s natural key, e.g. ["knowledge", …].']
    if not all(isinstance(part, str) for part in key):
        return [f"object_id: {key!r} is not a natural key (a list of strings)."]
    try:
        model = _model(content_type)
        target = model._default_manager.get_by_natural_key(*key)
    except (ObjectDoesNotExist, AttributeError, TypeError, ValueError):
        label = ".".join(content_type)
        return [f"object_id: no {label} with natural key {tuple(key)!r}."]
    fields["object_id"] = target.pk
    return []
