"""What verification found, kept apart from the curated rows it describes.

A check never edits a Source or a Citation: their `updated_at` stays the curators' date, and a
run that fails half-way leaves the knowledge base as it was. Each source has at most one
SourceFetch (the last fetch) and each citation one CitationVerification (the last check);
VerificationChange keeps the history that matters to readers, the moments a citation's quote
stopped or started being found word for word.
"""

from django.db import models

from knowledge.validators import http_url_validator


class VerificationStatus(models.TextChoices):
    VERIFIED = "verified", "Verified"
    REWORDED = "reworded", "Reworded"
    NOT_FOUND = "not_found", "Not found"
    UNREACHABLE = "unreachable", "Unreachable"
    NOT_CHECKABLE = "not_checkable", "Not checkable"
    UNCHECKED = "unchecked", "Unchecked"


# Statuses that count as evidence still standing: the passage is on the page.
FOUND_STATUSES = (VerificationStatus.VERIFIED, VerificationStatus.REWORDED)


class TextOrigin(models.TextChoices):
    NETWORK = "network", "Fetched from the web"
    SNAPSHOT_DIR = "snapshot-dir", "Read from a snapshot file"
    CURATOR_SNAPSHOT = "curator-snapshot", "The text a curator attached"
    NONE = "", "No text"


class _BySourceManager(models.Manager):
    def get_by_natural_key(self, *source_key):
        from knowledge.models import Source

        return self.get(source=Source.objects.get_by_natural_key(*source_key))


class SourceArchive(models.Model):
    """Where a source can still be read when its own page cannot: an archived copy, its text.

    Kept beside the Source rather than on it, so the curated source rows (and the fixtures that
    carry them) stay as they are for sources that have neither.
    """

    source = models.OneToOneField(
        "knowledge.Source", on_delete=models.CASCADE, related_name="archive"
    )
    url = models.URLField(
        "archived copy",
        max_length=500,
        blank=True,
        validators=[http_url_validator],
        help_text="Shown to readers when the live link is dead, e.g. "
        "https://web.archive.org/web/2025/https://example.org/page",
    )
    text = models.TextField(
        "text snapshot",
        blank=True,
        help_text="The article's full text, pasted as plain text, for a source without a URL: "
        "verifykb checks the source's quotes against it.",
    )
    updated_at = models.DateTimeField("last changed", auto_now=True)

    objects = _BySourceManager()

    class Meta:
        verbose_name = "archived copy"

    def __str__(self):
        return f"Archived copy of source #{self.source_id}"

    def natural_key(self):
        return self.source.natural_key()

    natural_key.dependencies = ["knowledge.source"]


class SourceFetch(models.Model):
    """The last time verifykb read a source: where it landed and what came back."""

    source = models.OneToOneField(
        "knowledge.Source", on_delete=models.CASCADE, related_name="last_fetch"
    )
    fetched_at = models.DateTimeField("fetched")
    origin = models.CharField(max_length=20, choices=TextOrigin.choices, blank=True)
    final_url = models.URLField(
        "final URL",
        max_length=2000,
        blank=True,
        validators=[http_url_validator],
        help_text="Where the redirects ended, e.g. https://docs.example.org/en/stable/",
    )
    redirects = models.JSONField(
        default=list, blank=True, help_text="Each hop as [status, location]."
    )
    http_status = models.PositiveSmallIntegerField("HTTP status", null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the text the quotes were checked in."
    )
    error = models.CharField(
        max_length=300, blank=True, help_text="Why the page could not be read, if it could not."
    )
    reachable_at = models.DateTimeField("last read", null=True, blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="The first of the fetches that failed since the last read."
    )

    objects = _BySourceManager()

    class Meta:
        verbose_name = "source fetch"

    def __str__(self):
        return f"Fetch of source #{self.source_id}"

    def natural_key(self):
        return self.source.natural_key()

    natural_key.dependencies = ["knowledge.source"]


class CitationVerificationManager(models.Manager):
    def get_by_natural_key(self, *citation_key):
        from knowledge.models import Citation

        return self.get(citation=Citation.objects.get_by_natural_key(*citation_key))


class CitationVerification(models.Model):
    """The last check of one citation's quote against its source's text."""

    citation = models.OneToOneField(
        "knowledge.Citation", on_delete=models.CASCADE, related_name="verification"
    )
    status = models.CharField(
        max_length=15,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNCHECKED,
        db_index=True,
    )
    score = models.FloatField(
        null=True, blank=True, help_text="How closely the passage matches, 0–100 (fuzzy matches)."
    )
    method = models.CharField(
        max_length=12, blank=True, help_text="exact, normalised or fuzzy: how it was found."
    )
    detail = models.CharField(max_length=300, blank=True, help_text="E.g. “HTTP 404”.")
    checked_at = models.DateTimeField("checked", null=True, blank=True)
    verified_at = models.DateTimeField(
        "last found", null=True, blank=True, help_text="The last check that found the passage."
    )
    status_since = models.DateTimeField(
        null=True, blank=True, help_text="The first check of the run of checks with this status."
    )
    passage = models.TextField(blank=True, help_text="The passage as found on the page.")
    context_before = models.CharField(max_length=300, blank=True)
    context_after = models.CharField(max_length=300, blank=True)

    objects = CitationVerificationManager()

    class Meta:
        verbose_name = "citation check"

    def __str__(self):
        return f"Check of citation #{self.citation_id}"

    def natural_key(self):
        return self.citation.natural_key()

    natural_key.dependencies = ["knowledge.citation"]


class VerificationChange(models.Model):
    """A check that crossed the line between verified and not: a quote found word for word on
    its source and then no longer (or back again), as readers of /changes/ are told.

    Written by verifykb in the same batch as the checks, only when the status crosses that
    line, never for a re-check that found what the last one did: a nightly run adds a row
    per change, not per citation. The first check of a citation is no change (nothing was
    lost or regained).
    """

    citation = models.ForeignKey(
        "knowledge.Citation", on_delete=models.CASCADE, related_name="verification_changes"
    )
    changed_at = models.DateTimeField("changed", db_index=True)
    old_status = models.CharField(
        "status before", max_length=15, choices=VerificationStatus.choices
    )
    new_status = models.CharField("status after", max_length=15, choices=VerificationStatus.choices)

    class Meta:
        verbose_name = "citation verification change"
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"Verification change of citation #{self.citation_id}"


def verification_crossed(old_status: str | None, new_status: str) -> bool:
    """Whether a check going from `old_status` (None: never checked) to `new_status` is a
    VerificationChange: verified then not, or not then verified, after an earlier check."""
    if old_status in (None, VerificationStatus.UNCHECKED):
        return False
    return (old_status == VerificationStatus.VERIFIED) != (
        new_status == VerificationStatus.VERIFIED
    )
