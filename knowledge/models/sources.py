"""Where evidence comes from: sources and their kinds."""

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..validators import http_url_validator
from .base import TimeStampedModel
from .choices import SourceKind
from .claims import published_claim

# -- Sources ----------------------------------------------------------------------------------


class SourceQuerySet(models.QuerySet):
    def cited(self):
        """The sources a published claim cites: the ones the public site counts."""
        return self.filter(published_claim(through="citations__claim__")).distinct()

    def public(self):
        """The sources the public site shows: all but those only unpublished claims cite. A
        source cited by drafts alone (one made from a reader's suggestion, say) is a curator's
        work in progress and shows once a claim citing it is published; a source no claim
        cites yet is a curator's reference, public as it always was."""
        citation = apps.get_model("knowledge", "Citation")  # defined after Source
        citations = citation.objects.filter(source=models.OuterRef("pk"))
        return self.filter(
            models.Exists(citations.filter(published_claim(through="claim__")))
            | ~models.Exists(citations)
        )

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
