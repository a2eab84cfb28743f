"""What the API says about each published thing: stable ids, slugs, and absolute URLs of the
HTML pages (`url`) beside the API's own (`api_url`).

Read-only serializers over querysets that the views prepare (select_related / prefetch), so a
page of results costs the same few queries whatever its size.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from knowledge.models import (
    Category,
    Citation,
    CitationVerification,
    Claim,
    Feature,
    FeatureValue,
    Framework,
    Release,
    Source,
)


@extend_schema_field(OpenApiTypes.URI)
class PageURLField(serializers.Field):
    """The absolute URL of the object's HTML page (its get_absolute_url)."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class APIURLField(serializers.Field):
    """The absolute URL of the object in this API."""

    def __init__(self, view_name: str, lookup: str, **kwargs):
        self.view_name = view_name
        self.lookup = lookup
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return reverse(
            self.view_name,
            kwargs={self.lookup: getattr(value, self.lookup)},
            request=self.context["request"],
        )


class TagsField(serializers.ListField):
    """Tag slugs, from the `tags` prefetched by the view."""

    child = serializers.SlugField()

    def to_representation(self, data):
        return sorted(tag.slug for tag in data.all())


class CategorySerializer(serializers.ModelSerializer):
    url = PageURLField()
    api_url = APIURLField("api:category-detail", "slug")

    class Meta:
        model = Category
        fields = ["id", "slug", "name", "order", "description_html", "url", "api_url"]


class FeatureValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeatureValue
        fields = ["slug", "label", "position", "meaning"]


class FeatureSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    values = FeatureValueSerializer(
        many=True,
        read_only=True,
        help_text="A descriptor's vocabulary or an assessment's scale (lowest first); "
        "empty for a capability, whose claims give a support level.",
    )
    tags = TagsField(read_only=True)
    url = PageURLField()
    api_url = APIURLField("api:feature-detail", "slug")

    class Meta:
        model = Feature
        fields = [
            "id",
            "slug",
            "name",
            "category",
            "kind",
            "kind_label",
            "values",
            "order",
            "description_html",
            "tags",
            "url",
            "api_url",
        ]


class ReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["version", "released_on", "is_lts", "end_of_support"]


class FrameworkSerializer(serializers.ModelSerializer):
    tags = TagsField(read_only=True)
    releases = ReleaseSerializer(many=True, read_only=True, help_text="Newest first.")
    url = PageURLField()
    api_url = APIURLField("api:framework-detail", "slug")

    class Meta:
        model = Framework
        fields = [
            "id",
            "slug",
            "name",
            "summary",
            "description_html",
            "homepage",
            "repository_url",
            "documentation_url",
            "language",
            "licence",
            "first_release_year",
            "maintainer",
            "releases",
            "tags",
            "url",
            "api_url",
        ]


class SourceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    page = PageURLField(help_text="The source's page on citegrid.")
    api_url = APIURLField("api:source-detail", "pk")

    class Meta:
        model = Source
        fields = [
            "id",
            "title",
            "url",
            "kind",
            "kind_label",
            "publisher",
            "author",
            "published_date",
            "accessed_date",
            "version_read",
            "page",
            "api_url",
        ]


class VerificationSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CitationVerification
        fields = ["status", "status_label", "checked_at", "verified_at"]


class CitationSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)
    provenance_label = serializers.CharField(source="get_provenance_display", read_only=True)
    verification = serializers.SerializerMethodField(
        help_text="The last check of the quote against the source; null when never checked."
    )

    class Meta:
        model = Citation
        fields = [
            "id",
            "quote",
            "locator",
            "retrieved_date",
            "provenance",
            "provenance_label",
            "source",
            "verification",
        ]

    @extend_schema_field(VerificationSerializer(allow_null=True))
    def get_verification(self, citation):
        # Read through select_related("verification"): a missing row is a None, no query.
        try:
            check = citation.verification
        except CitationVerification.DoesNotExist:
            return None
        return VerificationSerializer(check, context=self.context).data


def _optional_slug(slug_field: str, help_text: str) -> serializers.SlugRelatedField:
    """A foreign key that may be empty, shown by one of its fields (null when empty)."""
    return serializers.SlugRelatedField(
        slug_field=slug_field, read_only=True, allow_null=True, help_text=help_text
    )


class ReviewedOnField(serializers.DateField):
    """The day another curator approved the claim's current version, never who; null when it
    was published without review (loadkb's import, a superuser's reason, review turned off)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, allow_null=True, **kwargs)

    def to_representation(self, claim):
        if claim.reviewed_at is None or claim.review_waiver:
            return None
        return super().to_representation(timezone.localdate(claim.reviewed_at))


class ClaimSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    feature = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    support_label = serializers.CharField(source="get_support_display", read_only=True)
    feature_value = _optional_slug(
        "slug", "For a descriptor or assessment: the value it picks (then `support` is empty)."
    )
    feature_value_label = serializers.CharField(
        source="feature_value.label", read_only=True, default=""
    )
    since_version = _optional_slug("version", "The release that added it.")
    until_version = _optional_slug("version", "The release that removed it.")
    citations = CitationSerializer(many=True, read_only=True, source="citation_list")
    reviewed_at = ReviewedOnField(
        help_text="The day a curator other than its last editor approved it (four-eyes review)."
    )
    url = PageURLField()
    api_url = APIURLField("api:claim-detail", "pk")

    class Meta:
        model = Claim
        fields = [
            "id",
            "framework",
            "feature",
            "key",
            "statement",
            "support",
            "support_label",
            "feature_value",
            "feature_value_label",
            "value",
            "rank",
            "note_html",
            "as_of_version",
            "since_version",
            "until_version",
            "valid_until",
            "updated_at",
            "reviewed_at",
            "citations",
            "url",
            "api_url",
        ]
