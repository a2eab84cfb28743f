"""What is compared: categories of features, features (with the values of a descriptor or
assessment feature), and frameworks."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from ..validators import http_url_validator
from .base import SlugManager, TaggedItemManager, TimeStampedModel
from .choices import FeatureKind, SupportLevel

# -- Categories and features ------------------------------------------------------------------


class Category(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True, help_text="For example “Data layer”.")
    slug = models.SlugField(max_length=100, unique=True, help_text="For example “data-layer”.")
    order = models.PositiveIntegerField(
        default=0, help_text="Categories are listed by this number, then by name."
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(editable=False, blank=True)

    markdown_fields = {"description": "description_html"}
    objects = SlugManager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("comparisons:category-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class TaggedFeature(TaggedItemBase):
    content_object = models.ForeignKey("Feature", on_delete=models.CASCADE)

    objects = TaggedItemManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_feature_tag")
        ]

    def __str__(self):
        return f"feature #{self.content_object_id} tagged #{self.tag_id}"

    def natural_key(self):
        return self.content_object.natural_key() + tuple(self.tag.natural_key())

    natural_key.dependencies = ["knowledge.feature", "taggit.tag"]


class Feature(TimeStampedModel):
    name = models.CharField(max_length=150, help_text="For example “Object-relational mapper”.")
    slug = models.SlugField(max_length=150, unique=True, help_text="For example “orm”.")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="features")
    description = models.TextField(blank=True, help_text="Markdown: what the feature means.")
    description_html = models.TextField(editable=False, blank=True)
    markdown_fields = {"description": "description_html"}
    order = models.PositiveIntegerField(
        default=0, help_text="Features are listed by this number within their category."
    )
    kind = models.CharField(
        max_length=12,
        choices=FeatureKind.choices,
        default=FeatureKind.CAPABILITY,
        help_text="What a claim about it says: a support level (“ORM”: built in, via extension "
        "…), a value of its vocabulary (“scope”: full-stack, microframework …) or a position on "
        "its scale (“learning curve”: gentle < moderate < steep).",
    )
    tags = TaggableManager(through=TaggedFeature, blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["category__order", "category__name", "order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("comparisons:feature-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    @property
    def has_values(self):
        """Whether its claims pick one of its values rather than a support level."""
        return self.kind != FeatureKind.CAPABILITY

    def clean(self):
        if self.pk is None:
            return
        # A kind change must not strand claims that no longer fit (ORM access in a model's
        # clean() is how Django's own validate_unique works too).
        if self.has_values:
            misfits = self.claims.exclude(support__in=["", SupportLevel.UNKNOWN])
            reason = "give a support level"
        else:
            misfits = self.claims.filter(feature_value__isnull=False)
            reason = "pick a value of its vocabulary or scale"
        count = misfits.count()
        if count:
            raise ValidationError(
                {
                    "kind": f"{count} claim(s) of this feature {reason}; change them first, "
                    f"then the kind ({self.get_kind_display()})."
                }
            )


class FeatureValueManager(models.Manager):
    def get_by_natural_key(self, feature_slug, slug):
        return self.get(feature__slug=feature_slug, slug=slug)


class FeatureValue(models.Model):
    """One value of a descriptor feature's vocabulary, or one step of an assessment's scale."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="values")
    slug = models.SlugField(max_length=60, help_text="For example “microframework”.")
    label = models.CharField(
        max_length=80, help_text="Shown as the cell's badge: “Microframework”."
    )
    position = models.PositiveSmallIntegerField(
        default=0,
        help_text="Values are listed by this number; on a scale it is the order, lowest first "
        "(gentle 1, moderate 2, steep 3).",
    )
    meaning = models.CharField(
        max_length=200, blank=True, help_text="One sentence for the key: what the value means."
    )

    objects = FeatureValueManager()

    class Meta:
        ordering = ["feature", "position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["feature", "slug"],
                name="unique_feature_value_slug",
                violation_error_message="This feature already has a value with this slug.",
            ),
            models.UniqueConstraint(
                fields=["feature", "label"],
                name="unique_feature_value_label",
                violation_error_message="This feature already has a value with this label.",
            ),
        ]

    def __str__(self):
        return self.label

    def natural_key(self):
        return self.feature.natural_key() + (self.slug,)

    natural_key.dependencies = ["knowledge.feature"]


# -- Frameworks -------------------------------------------------------------------------------


class TaggedFramework(TaggedItemBase):
    content_object = models.ForeignKey("Framework", on_delete=models.CASCADE)

    objects = TaggedItemManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_framework_tag")
        ]

    def __str__(self):
        return f"framework #{self.content_object_id} tagged #{self.tag_id}"

    def natural_key(self):
        return self.content_object.natural_key() + tuple(self.tag.natural_key())

    natural_key.dependencies = ["knowledge.framework", "taggit.tag"]


class Framework(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True, help_text="For example “Django”.")
    slug = models.SlugField(max_length=100, unique=True, help_text="For example “django”.")
    summary = models.CharField(
        max_length=300, blank=True, help_text="One sentence, plain text, shown under the name."
    )
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(editable=False, blank=True)
    markdown_fields = {"description": "description_html"}
    homepage = models.URLField(blank=True, validators=[http_url_validator])
    repository_url = models.URLField(
        "repository",
        blank=True,
        validators=[http_url_validator],
        help_text="For example https://github.com/django/django",
    )
    documentation_url = models.URLField(
        "documentation", blank=True, validators=[http_url_validator]
    )
    language = models.CharField(max_length=50, default="Python")
    licence = models.CharField(max_length=100, blank=True, help_text="For example “BSD-3-Clause”.")
    first_release_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1970), MaxValueValidator(2100)]
    )
    maintainer = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who publishes it, e.g. “Django Software Foundation”: a source with this "
        "publisher is first-party.",
    )
    tags = TaggableManager(through=TaggedFramework, blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("comparisons:framework-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)
