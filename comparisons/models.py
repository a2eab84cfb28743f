"""Curated comparisons: a named, ordered set of frameworks over chosen categories."""

from django.db import models
from django.urls import reverse

from knowledge.models import Category, Framework, SlugManager, TimeStampedModel


class Comparison(TimeStampedModel):
    title = models.CharField(max_length=200, help_text="For example “Django vs Flask”.")
    slug = models.SlugField(max_length=200, unique=True, help_text="For example “django-flask”.")
    intro = models.TextField(blank=True, help_text="Markdown, shown above the table.")
    intro_html = models.TextField(editable=False, blank=True)
    markdown_fields = {"intro": "intro_html"}
    frameworks = models.ManyToManyField(
        Framework, through="ComparisonFramework", related_name="comparisons"
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="comparisons",
        help_text="Leave empty to compare every category.",
    )
    order = models.PositiveIntegerField(default=0, help_text="Listed on the home page by this.")
    is_featured = models.BooleanField("featured on the home page", default=True)

    objects = SlugManager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("comparisons:comparison-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


class ComparisonFrameworkManager(models.Manager):
    def get_by_natural_key(self, comparison_slug, framework_slug):
        return self.get(comparison__slug=comparison_slug, framework__slug=framework_slug)


class ComparisonFramework(models.Model):
    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="entries")
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE)
    order = models.PositiveIntegerField(default=0)

    objects = ComparisonFrameworkManager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["comparison", "framework"], name="unique_framework_per_comparison"
            )
        ]

    def __str__(self):
        return f"framework #{self.framework_id} in comparison #{self.comparison_id}"

    def natural_key(self):
        return self.comparison.natural_key() + self.framework.natural_key()

    natural_key.dependencies = ["comparisons.comparison", "knowledge.framework"]
