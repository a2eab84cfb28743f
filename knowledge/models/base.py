"""What every model of the knowledge base shares: timestamps and natural-key managers."""

from django.db import models

QUOTE_MAX_LENGTH = 300


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("last changed", auto_now=True)

    class Meta:
        abstract = True


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class TaggedItemManager(models.Manager):
    """Finds a tagging by its natural key (the tagged object's slug, the tag's name).

    taggit's own manager looks up `natural_key_fields`, which these through models do not
    define, so fixtures with tags could not be loaded on top of themselves without this.
    """

    def get_by_natural_key(self, object_slug, tag_name):
        return self.get(content_object__slug=object_slug, tag__name=tag_name)
