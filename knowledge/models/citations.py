"""Citations: a claim's evidence, a quote from a source, first-party or independent."""

from django.core.validators import MaxLengthValidator
from django.db import models
from simple_history.models import HistoricalRecords

from .base import QUOTE_MAX_LENGTH, TimeStampedModel
from .choices import Provenance
from .claims import Claim, published_claim
from .sources import Source


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
