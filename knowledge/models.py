"""The knowledge base: frameworks, features, sources, and claims that cite them.

A claim says how one framework supports one feature (a *cell* of a comparison matrix). A cell
may hold several claims, because sources disagree or a claim was superseded; each claim
carries its citations, each a quote from a source.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
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


class FeatureKind(models.TextChoices):
    CAPABILITY = "capability", "Capability (a support level)"
    DESCRIPTOR = "descriptor", "Descriptor (one value of the feature's vocabulary)"
    ASSESSMENT = "assessment", "Assessment (a position on the feature's ordered scale)"


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


def version_key(version: str) -> tuple:
    """A version string as something that sorts: "0.9" < "0.10" < "1.0" < "1.0.1".

    Numbers compare as numbers and any other text as text; releases name their versions with
    dots and digits, so nothing more (PEP 440 parsing) is needed.
    """
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|[a-z]+", version.lower())
    )


class ReleaseManager(models.Manager):
    def get_by_natural_key(self, framework_slug, version):
        return self.get(framework__slug=framework_slug, version=version)


class Release(models.Model):
    """One released version of a framework: the latest and the supported ones derive from these."""

    framework = models.ForeignKey("Framework", on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=50, help_text="As the project names it: “5.2”, “3.1”.")
    released_on = models.DateField(
        "released", null=True, blank=True, help_text="The date of the release, when known."
    )
    is_lts = models.BooleanField("long-term support", default=False)
    end_of_support = models.DateField(
        null=True,
        blank=True,
        help_text="The last day of security fixes, where the project has announced one.",
    )
    notes = models.CharField(
        max_length=300, blank=True, help_text="Where the date comes from (a change log, notes)."
    )

    objects = ReleaseManager()

    class Meta:
        ordering = ["framework", "-released_on", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version"],
                name="unique_release_version",
                violation_error_message="This framework already has a release with this version.",
            ),
            models.CheckConstraint(
                condition=Q(end_of_support__isnull=True)
                | Q(released_on__isnull=True)
                | Q(end_of_support__gte=models.F("released_on")),
                name="release_support_ends_after_release",
                violation_error_message="Support cannot end before the release date.",
            ),
        ]

    def __str__(self):
        return self.version

    def natural_key(self):
        return self.framework.natural_key() + (self.version,)

    natural_key.dependencies = ["knowledge.framework"]


def latest_release(releases):
    """The latest of `releases` (already fetched): the newest date, then the highest version."""
    return max(
        releases,
        key=lambda release: (
            release.released_on is not None,
            release.released_on,
            version_key(release.version),
        ),
        default=None,
    )


def releases_supported(releases, *, today):
    """Of `releases` (already fetched), those still supported on `today`, newest first.

    A release is supported until its announced end of support; the latest release is
    supported while its project has announced no end for it.
    """
    latest = latest_release(releases)
    supported = [
        release
        for release in releases
        if (release.end_of_support and release.end_of_support >= today)
        or (release == latest and release.end_of_support is None)
    ]
    return sorted(supported, key=lambda release: version_key(release.version), reverse=True)


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


class SourceQuerySet(models.QuerySet):
    def cited(self):
        """The sources a published claim cites: the ones the public site counts."""
        return self.filter(published_claim(through="citations__claim__")).distinct()

    def with_claim_count(self):
        """Each source with `claim_count`: how many published claims cite it."""
        return self.annotate(
            claim_count=models.Count(
                "citations__claim",
                filter=published_claim(through="citations__claim__"),
                distinct=True,
            )
        )


class SourceManager(models.Manager.from_queryset(SourceQuerySet)):
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
    version_read = models.CharField(
        "version read",
        max_length=80,
        blank=True,
        help_text="The version or revision of the page as it was read: “5.2”, “3.1.x”, a commit. "
        "Pin documentation URLs to it where the docs have versions (not /stable/ or /latest/).",
    )
    notes = models.TextField(blank=True, help_text="Plain text, for curators.")

    objects = SourceManager()
    # Readers see a cited source's title and URL, so their changes show in claims' histories.
    history = HistoricalRecords(excluded_fields=["created_at", "notes"])

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


# The support levels a claim on a descriptor or assessment feature may carry: none (it picks a
# value instead), or "unknown" for a placeholder of a cell with no source yet.
SUPPORT_WITH_VALUE = ""


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class ClaimRank(models.TextChoices):
    PREFERRED = "preferred", "Preferred"
    NORMAL = "normal", "Normal"
    DEPRECATED = "deprecated", "Deprecated"


def published_claim(*, through: str = "") -> Q:
    """What is public, stated once: a published claim, tested on claims themselves or through a
    relation to them (`through="claim__"` from a citation, `"claims__"` from a framework).
    Every public read goes through it, mostly as `published()`."""
    return Q(**{f"{through}status": ClaimStatus.PUBLISHED})


# Within one cell (framework × feature) the claim a reader sees first: a preferred claim, then
# normal, then deprecated; among equals the most recently changed one.
_RANK_ORDER = models.Case(
    models.When(rank=ClaimRank.PREFERRED, then=models.Value(0)),
    models.When(rank=ClaimRank.NORMAL, then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)


def claim_verdict(claim):
    """What a claim says, the thing compared across a cell: the value it picks of a descriptor's
    vocabulary or an assessment's scale, else its support level. Reads `feature_value_id` and
    `support`, of a claim or of a row."""
    return ("value", claim.feature_value_id) if claim.feature_value_id else ("level", claim.support)


def claims_disagree(claims) -> bool:
    """Whether the published claims of one cell disagree: their current ones say different
    things (support levels, or values). Deprecated claims are kept for the record, so they
    cannot disagree. Reads `support`, `feature_value_id` and `rank`, of claims or of rows."""
    current = {claim_verdict(claim) for claim in claims if claim.rank != ClaimRank.DEPRECATED}
    return len(current) > 1


class ClaimQuerySet(models.QuerySet):
    def with_last_changed(self):
        """Annotates `last_changed`: the claim's own last change or its evidence's, later one."""
        return self.annotate(
            last_changed=Greatest("updated_at", Coalesce("evidence_changed_at", "updated_at"))
        )

    def published(self):
        return self.filter(published_claim())

    def without_citation(self):
        return self.filter(citations__isnull=True)

    def in_cell_order(self):
        """Ordered so that the first claim of each cell is the one the cell shows."""
        return self.alias(rank_order=_RANK_ORDER).order_by("rank_order", "-updated_at", "-pk")


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
        "support level",
        max_length=12,
        choices=SupportLevel.choices,
        default=SupportLevel.UNKNOWN,
        blank=True,
        help_text="For a capability feature. Leave empty on a descriptor or assessment feature "
        "and pick its value below instead. “Not applicable” means the question does not arise.",
    )
    feature_value = models.ForeignKey(
        FeatureValue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name="value of the feature",
        help_text="For a descriptor or assessment feature: one value of its vocabulary or scale.",
    )
    value = models.CharField(
        "detail",
        max_length=120,
        blank=True,
        help_text="A short detail shown in the cell, e.g. “Jinja2”; none when not applicable.",
    )
    note = models.TextField(blank=True, help_text="Markdown: context, caveats, disagreement.")
    note_html = models.TextField(editable=False, blank=True)
    markdown_fields = {"note": "note_html"}
    as_of_version = models.CharField(
        max_length=50,
        blank=True,
        help_text="The framework version the claim holds for, e.g. “5.2”.",
    )
    since_version = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The release that added it (“added in 3.1”), a release of this framework.",
    )
    until_version = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The release that removed it (“removed in 4.0”), a release of this framework.",
    )
    valid_until = models.DateField(
        null=True, blank=True, help_text="After this date the claim should be checked again."
    )
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT, db_index=True
    )
    rank = models.CharField(max_length=10, choices=ClaimRank.choices, default=ClaimRank.NORMAL)
    # Kept apart from updated_at, which is the claim row's own version (the admin's lost-update
    # guard and loadkb's "edited since the dump" compare it).
    evidence_changed_at = models.DateTimeField(
        "evidence last changed",
        null=True,
        blank=True,
        editable=False,
        help_text="When a citation of it, or a source it cites, last changed.",
    )
    published_at = models.DateTimeField(
        "published",
        null=True,
        blank=True,
        editable=False,
        help_text="When the claim was last published; empty while it is not public.",
    )

    objects = ClaimManager()
    # published_at follows status, which the history already records.
    history = HistoricalRecords(
        excluded_fields=["note_html", "created_at", "evidence_changed_at", "published_at"]
    )

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
            models.CheckConstraint(
                condition=Q(support=SUPPORT_WITH_VALUE, feature_value__isnull=False)
                | (~Q(support=SUPPORT_WITH_VALUE) & Q(feature_value__isnull=True)),
                name="claim_support_or_feature_value",
                violation_error_message="A claim gives either a support level (capability "
                "features) or a value of its feature (descriptor and assessment features), "
                "not both and not neither.",
            ),
            models.CheckConstraint(
                condition=~Q(support=SupportLevel.NOT_APPLICABLE) | Q(value=""),
                name="claim_not_applicable_without_detail",
                violation_error_message="A claim that the question does not arise (not "
                "applicable) carries no detail: a verdict belongs on a descriptor or "
                "assessment feature.",
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

    def clean(self):
        errors = {}
        feature = self.feature if self.feature_id else None
        if feature is not None:
            errors.update(_kind_errors(self, feature))
        for name in ("since_version", "until_version"):
            release = getattr(self, name)
            if (
                release is not None
                and self.framework_id
                and release.framework_id != self.framework_id
            ):
                errors[name] = (
                    f"{release} is a release of another framework; pick a release of this "
                    "claim's framework (add it under the framework's releases first)."
                )
        since, until = self.since_version, self.until_version
        ordered = "since_version" not in errors and "until_version" not in errors
        if ordered and since and until and version_key(until.version) <= version_key(since.version):
            errors["until_version"] = (
                f"Removed in {until} cannot come before or with added in {since}."
            )
        if errors:
            raise ValidationError(errors)


def _kind_errors(claim, feature):
    """What is wrong with `claim`'s support level or value for the kind of `feature`."""
    if not feature.has_values:
        if claim.feature_value_id is not None:
            return {
                "feature_value": f"“{feature}” is a capability feature: give a support level, "
                "not a value."
            }
        if claim.support == SUPPORT_WITH_VALUE:
            return {"support": f"“{feature}” is a capability feature: give a support level."}
        return {}
    if claim.support not in (SUPPORT_WITH_VALUE, SupportLevel.UNKNOWN):
        return {
            "support": f"“{feature}” is a {feature.kind} feature: pick one of its values "
            "instead of a support level (or “Unknown” while no source says)."
        }
    value = claim.feature_value
    if value is not None and value.feature_id != feature.pk:
        allowed = ", ".join(feature.values.values_list("slug", flat=True)) or "none defined yet"
        return {
            "feature_value": f"“{value}” is a value of another feature; “{feature}” takes one "
            f"of: {allowed}."
        }
    if value is None and claim.support == SUPPORT_WITH_VALUE:
        return {"feature_value": f"Pick one of the values of “{feature}”."}
    return {}


class Provenance(models.TextChoices):
    FIRST_PARTY = "first-party", "First-party (the framework's own documentation or maintainers)"
    INDEPENDENT = "independent", "Independent"


class CitationQuerySet(models.QuerySet):
    def published(self):
        """The citations of published claims."""
        return self.filter(published_claim(through="claim__"))


class CitationManager(models.Manager.from_queryset(CitationQuerySet)):
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
    provenance = models.CharField(
        max_length=12,
        choices=Provenance.choices,
        blank=True,
        help_text="Leave empty to have it set from the source and the framework (the URL's "
        "host, the publisher); change it when that guess is wrong.",
    )

    objects = CitationManager()
    # Quotes and sources are what a reader checks a claim against: every change is recorded.
    history = HistoricalRecords(excluded_fields=["created_at"])

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


# The verification records live in their own module (knowledge/verification/models.py); they
# are imported here so that Django finds them as models of this app.
from .verification.models import (  # noqa: E402, F401
    CitationVerification,
    SourceArchive,
    SourceFetch,
    VerificationStatus,
)
