"""The knowledge base: frameworks, features, sources, and claims that cite them.

A claim says how one framework supports one feature (a *cell* of a comparison matrix). A cell
may hold several claims, because sources disagree or a claim was superseded; each claim
carries its citations, each a quote from a source.
"""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .validators import http_url_validator

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
    latest_version = models.CharField(max_length=50, blank=True, help_text="For example “5.2”.")
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


# -- Sources ----------------------------------------------------------------------------------


class SourceKind(models.TextChoices):
    DOCUMENTATION = "documentation", "Official documentation"
    ARTICLE = "article", "Article"
    SURVEY = "survey", "Survey"
    BENCHMARK = "benchmark", "Benchmark"
    BOOK = "book", "Book"
    PAPER = "paper", "Paper"
    REPOSITORY = "repository", "Repository"
    OTHER = "other", "Other"


class SourceManager(models.Manager):
    def get_by_natural_key(self, *key):
        # A source is known by its URL, or by title and publisher when it has none.
        if len(key) == 1:
            return self.get(url=key[0])
        title, publisher = key
        return self.get(url="", title=title, publisher=publisher)


class Source(TimeStampedModel):
    title = models.CharField(max_length=300)
    url = models.URLField(
        "URL",
        max_length=500,
        blank=True,
        validators=[http_url_validator],
        help_text="Leave empty only for sources that are not on the web (a printed book).",
    )
    publisher = models.CharField(
        max_length=200, blank=True, help_text="For example “Django Software Foundation”."
    )
    author = models.CharField(max_length=200, blank=True)
    published_date = models.DateField("published", null=True, blank=True)
    accessed_date = models.DateField(
        "last accessed",
        null=True,
        blank=True,
        help_text="When a curator last checked that the source still says what we quote.",
    )
    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER)
    notes = models.TextField(blank=True, help_text="Plain text, for curators.")

    objects = SourceManager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="unique_source_url",
                violation_error_message="A source with this URL already exists.",
            ),
            models.UniqueConstraint(
                fields=["title", "publisher"],
                condition=Q(url=""),
                name="unique_source_title_publisher_without_url",
                violation_error_message=(
                    "A source without URL with this title and publisher already exists."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("comparisons:source-detail", kwargs={"pk": self.pk})

    def natural_key(self):
        if self.url:
            return (self.url,)
        return (self.title, self.publisher)


# -- Claims and citations ---------------------------------------------------------------------


class SupportLevel(models.TextChoices):
    YES = "yes", "Built in"
    PARTIAL = "partial", "Partial"
    EXTENSION = "extension", "Via extension"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"
    NOT_APPLICABLE = "n/a", "Not applicable"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class ClaimRank(models.TextChoices):
    PREFERRED = "preferred", "Preferred"
    NORMAL = "normal", "Normal"
    DEPRECATED = "deprecated", "Deprecated"


class ClaimQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ClaimStatus.PUBLISHED)

    def in_review(self):
        return self.filter(status=ClaimStatus.REVIEW)

    def without_citation(self):
        return self.filter(citations__isnull=True)

    def for_cell(self, framework, feature):
        return self.filter(framework=framework, feature=feature)


class ClaimManager(models.Manager.from_queryset(ClaimQuerySet)):
    def get_by_natural_key(self, framework_slug, feature_slug, key):
        return self.get(framework__slug=framework_slug, feature__slug=feature_slug, key=key)


class Claim(TimeStampedModel):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="claims")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="claims")
    key = models.SlugField(
        max_length=60,
        default="main",
        help_text="Tells apart claims about the same framework and feature, "
        "for example “docs” or “scaleupally-2025”.",
    )
    statement = models.CharField(
        max_length=300,
        blank=True,
        help_text="One sentence in the curator's words, for example "
        "“Django ships an automatic admin interface.”",
    )
    support = models.CharField(
        "support level", max_length=12, choices=SupportLevel.choices, default=SupportLevel.UNKNOWN
    )
    value = models.CharField(
        max_length=120, blank=True, help_text="A short value shown in the cell, e.g. “Jinja2”."
    )
    note = models.TextField(blank=True, help_text="Markdown: context, caveats, disagreement.")
    note_html = models.TextField(editable=False, blank=True)
    markdown_fields = {"note": "note_html"}
    as_of_version = models.CharField(
        max_length=50,
        blank=True,
        help_text="The framework version the claim holds for, e.g. “5.2”.",
    )
    valid_until = models.DateField(
        null=True, blank=True, help_text="After this date the claim should be checked again."
    )
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, db_index=True
    )
    rank = models.CharField(max_length=10, choices=ClaimRank.choices, default=ClaimRank.NORMAL)
    published_at = models.DateTimeField(
        "published",
        null=True,
        blank=True,
        editable=False,
        help_text="When the claim was last published; empty while it is not public.",
    )

    objects = ClaimManager()
    # published_at follows status, which the history already records.
    history = HistoricalRecords(excluded_fields=["note_html", "created_at", "published_at"])

    class Meta:
        ordering = ["framework__name", "feature__name", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "feature", "key"],
                name="unique_claim_key_per_cell",
                violation_error_message="This framework and feature already have a claim "
                "with this key; choose another key.",
            ),
            models.UniqueConstraint(
                fields=["framework", "feature"],
                condition=Q(status=ClaimStatus.PUBLISHED, rank=ClaimRank.PREFERRED),
                name="one_preferred_published_claim_per_cell",
                violation_error_message="This framework and feature already have a preferred "
                "published claim; give this one another rank or demote the other.",
            ),
        ]
        indexes = [models.Index(fields=["feature", "framework", "status"])]

    def __str__(self):
        # How curators name a claim: its cell and key. Lists that show many claims select the
        # framework and feature with them (ClaimAdmin.list_select_related).
        return f"{self.framework.name} · {self.feature.name} ({self.key})"

    def save(self, *args, **kwargs):
        # The date the public first saw this version of the claim (the feed's "published"):
        # set when it becomes public, cleared when it leaves, so a claim published again
        # is dated anew.
        if self.status != ClaimStatus.PUBLISHED:
            self.published_at = None
        elif self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("comparisons:claim-detail", kwargs={"pk": self.pk})

    def natural_key(self):
        return self.framework.natural_key() + self.feature.natural_key() + (self.key,)

    natural_key.dependencies = ["knowledge.framework", "knowledge.feature"]


class CitationManager(models.Manager):
    def get_by_natural_key(self, framework_slug, feature_slug, key, *source_key):
        claim = Claim.objects.get_by_natural_key(framework_slug, feature_slug, key)
        source = Source.objects.get_by_natural_key(*source_key)
        return self.get(claim=claim, source=source)


class Citation(TimeStampedModel):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    # A source that is still cited cannot be deleted: the claims would lose their evidence.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(QUOTE_MAX_LENGTH)],
        help_text=f"The passage, verbatim, at most {QUOTE_MAX_LENGTH} characters.",
    )
    locator = models.CharField(
        max_length=200, blank=True, help_text="Section, heading or page, e.g. “§ Middleware”."
    )
    retrieved_date = models.DateField("retrieved", null=True, blank=True)

    objects = CitationManager()

    class Meta:
        ordering = ["claim", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source"],
                name="unique_citation_source_per_claim",
                violation_error_message="This claim already cites this source; "
                "put both passages in one citation.",
            )
        ]

    def __str__(self):
        return f"Citation #{self.pk}"

    def natural_key(self):
        return self.claim.natural_key() + self.source.natural_key()

    natural_key.dependencies = ["knowledge.claim", "knowledge.source"]
