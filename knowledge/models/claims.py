"""Claims: what a framework does about a feature (one cell of a matrix), with the rules that
say what is public, which claim a cell shows, and when claims disagree."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .base import TimeStampedModel
from .catalogue import Feature, FeatureValue, Framework
from .choices import SUPPORT_WITH_VALUE, ClaimRank, ClaimStatus, SupportLevel
from .releases import Release, version_key

# -- Claims and citations ---------------------------------------------------------------------


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


def claims_in_cell_order(queryset):
    """`queryset` of claims, or of their history rows, ordered so that the first claim of each
    cell is the one the cell shows."""
    return queryset.alias(rank_order=_RANK_ORDER).order_by("rank_order", "-updated_at", "-id")


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
        return claims_in_cell_order(self)


def _curator_field(verbose_name: str, help_text: str) -> models.ForeignKey:
    """A curator named by a claim's review record; emptied if that user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=verbose_name,
        help_text=help_text,
    )


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
    # Four-eyes review (knowledge/services.py): who made the change the claim shows now, and
    # who approved it for the public. Set by the services and the admin, never typed.
    changed_by = _curator_field(
        "last changed by",
        "The curator whose change the claim shows now; empty when it came from loadkb or "
        "code. Another curator must approve it before it is published.",
    )
    reviewed_by = _curator_field(
        "approved by",
        "The curator who published this version: a reviewer other than the one who changed "
        "it, or a superuser who gave a reason to publish without review.",
    )
    reviewed_at = models.DateTimeField(
        "approved",
        null=True,
        blank=True,
        editable=False,
        help_text="When this version was approved for publication; empty until it is.",
    )
    review_waiver = models.CharField(
        "published without review because",
        max_length=300,
        blank=True,
        editable=False,
        help_text="A superuser's reason for publishing their own change without review, e.g. "
        "“typo in the statement, the sources are unchanged”. Empty when it was reviewed.",
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
        # No query from here: named by its cell when the framework and feature were selected
        # with it, as every admin queryset of claims does (ClaimAdmin.get_queryset, the
        # citation admin's, services' messages); else by its key alone.
        relations = (Claim.framework.field, Claim.feature.field)
        if all(relation.get_cached_value(self, None) is not None for relation in relations):
            return claim_name(self)
        return f"claim “{self.key}”"

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

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise _naming_the_preferred_claim(self, error) from None

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


def claim_name(claim) -> str:
    """How curators name a claim, everywhere: its cell and key, “Django · ORM (docs)”. Takes a
    claim whose framework and feature were selected with it."""
    return f"{claim.framework.name} · {claim.feature.name} ({claim.key})"


_ONE_PREFERRED = "one_preferred_published_claim_per_cell"


def _naming_the_preferred_claim(claim, error: ValidationError) -> ValidationError:
    """`error` with the refusal of a second preferred published claim naming the claim that
    is preferred already, so a curator knows which one to demote."""
    [constraint] = [c for c in Claim._meta.constraints if c.name == _ONE_PREFERRED]
    generic = constraint.get_violation_error_message()
    errors = error.update_error_dict({})
    refusals = errors.get(NON_FIELD_ERRORS, [])
    if not any(getattr(e, "message", e) == generic for e in refusals):
        return error
    other = (
        Claim.objects.published()
        .filter(framework_id=claim.framework_id, feature_id=claim.feature_id)
        .filter(rank=ClaimRank.PREFERRED)
        .exclude(pk=claim.pk)
        .select_related("framework", "feature")
        .first()
    )
    if other is None:
        return error
    named = ValidationError(
        f"{claim_name(other)} is already the preferred published claim of this cell; give "
        "this one another rank, or demote that one first.",
        code="second_preferred",
    )
    errors[NON_FIELD_ERRORS] = [
        named if getattr(e, "message", e) == generic else e for e in refusals
    ]
    return ValidationError(errors)


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
