"""Former slugs: every slug a framework, feature, category, tag or curated comparison had.

Written by a signal whenever a slug changes (knowledge/signals.py), never by hand, so that an
old URL (a detail page, a compare URL, a filter naming it) still finds its object and
redirects to the new one. The object is named by content type and id, not by its new slug: a
slug renamed twice leads from both old ones to wherever it is now. In fixtures (dumpkb,
loadkb) the object is named by its natural key instead (knowledge/former_slug_fixtures.py), so
that a reload into another database keeps the old URLs working.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class FormerSlugManager(models.Manager):
    def get_by_natural_key(self, app_label, model, slug):
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        return self.get(content_type=content_type, slug=slug)


class FormerSlug(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    slug = models.CharField(
        "former slug",
        max_length=255,
        help_text="The slug the object had before, e.g. “django-rest” renamed “drf”.",
    )
    renamed_at = models.DateTimeField("renamed", auto_now=True)

    objects = FormerSlugManager()

    class Meta:
        verbose_name = "former slug"
        constraints = [
            # One object per old slug: when another object later gives up the same slug, the
            # URL leads to that one, the last to have it.
            models.UniqueConstraint(
                fields=["content_type", "slug"],
                name="unique_former_slug_per_kind",
                violation_error_message="This slug already leads to another object.",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"former slug “{self.slug}”"

    def natural_key(self):
        return (*self.content_type.natural_key(), self.slug)

    natural_key.dependencies = ["contenttypes.contenttype"]
