"""A reader's suggested correction of one cell (a framework × feature), waiting for a curator.

Nothing here is ever public: a suggestion becomes knowledge only when a curator accepts it,
which makes a *draft* claim (suggestions/services.py) that then goes through the same review
and publishing as any claim. The submitter's address is not stored; their e-mail, when given,
is shown only to curators holding the `view_suggestion_email` permission.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from knowledge.models import (
    QUOTE_MAX_LENGTH,
    Claim,
    Feature,
    FeatureValue,
    Framework,
    SupportLevel,
    TimeStampedModel,
)
from knowledge.validators import http_url_validator

# What a reader may write about what is wrong: a paragraph or two, not an essay.
PROBLEM_MAX_LENGTH = 2000
# As long as a source's URL may be (knowledge.Source.url), so an accepted one always fits.
URL_MAX_LENGTH = 500
REASON_MAX_LENGTH = 1000
# The longest address mail systems deliver to (RFC 5321's path limit less its brackets).
EMAIL_MAX_LENGTH = 254


class SuggestionStatus(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted (a draft claim was made)"
    REJECTED = "rejected", "Rejected"


class SuggestionQuerySet(models.QuerySet):
    def waiting(self):
        """The moderation queue: suggestions no curator has decided yet."""
        return self.filter(status=SuggestionStatus.NEW)

    def emails_expired(self, *, now):
        """Suggestions decided more than SUGGESTION_EMAIL_DAYS before `now` that still hold
        their reader's e-mail: kept while it may be needed for a reply, not beyond."""
        cutoff = now - timedelta(days=settings.SUGGESTION_EMAIL_DAYS)
        return (
            self.exclude(status=SuggestionStatus.NEW)
            .exclude(email="")
            .filter(decided_at__lt=cutoff)
        )


class Suggestion(TimeStampedModel):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(
        Claim,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name="claim corrected",
        help_text="The published claim the reader was reading, if any; none when the cell "
        "had no claim.",
    )
    problem = models.TextField(
        "what is wrong",
        validators=[MaxLengthValidator(PROBLEM_MAX_LENGTH)],
        help_text="In the reader's words, e.g. “Flask has had async views since 2.0.”",
    )
    support = models.CharField(
        "suggested support level",
        max_length=12,
        choices=SupportLevel.choices,
        blank=True,
        help_text="For a capability feature; empty when a value of the feature is suggested.",
    )
    feature_value = models.ForeignKey(
        FeatureValue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="suggested value",
        help_text="For a descriptor or assessment feature: one value of its vocabulary.",
    )
    source_url = models.URLField(
        "source URL",
        max_length=URL_MAX_LENGTH,
        validators=[http_url_validator],
        help_text="Where the reader says it is written, e.g. “https://flask.palletsprojects."
        "com/en/3.1.x/async-await/”.",
    )
    quote = models.TextField(
        validators=[MaxLengthValidator(QUOTE_MAX_LENGTH)],
        help_text=f"The passage of the source, at most {QUOTE_MAX_LENGTH} characters.",
    )
    email = models.EmailField(
        "submitter's e-mail",
        max_length=EMAIL_MAX_LENGTH,
        blank=True,
        help_text="Given by the reader to be contacted about this suggestion; never public.",
    )
    status = models.CharField(
        max_length=10,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.NEW,
        db_index=True,
    )
    reason = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(REASON_MAX_LENGTH)],
        help_text="Why it was rejected (required then), or a note on accepting it.",
    )
    decided_at = models.DateTimeField("decided", null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    draft_claim = models.ForeignKey(
        Claim,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="draft claim made",
        help_text="The draft claim accepting it made, with the citation filled in.",
    )

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_suggestion_email", "Can see the e-mail of a suggestion's reader")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=SuggestionStatus.REJECTED) | ~Q(reason=""),
                name="rejected_suggestion_has_reason",
                violation_error_message="A rejected suggestion says why it was rejected.",
            ),
            models.CheckConstraint(
                condition=Q(status=SuggestionStatus.NEW) | Q(decided_at__isnull=False),
                name="decided_suggestion_has_date",
                violation_error_message="A decided suggestion has the date of the decision.",
            ),
        ]

    def __str__(self):
        # No query, and never the e-mail: this name shows in the admin's history and messages.
        return f"Suggestion #{self.pk}"
