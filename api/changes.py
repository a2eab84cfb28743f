"""The schema of `/api/v1/changes/` (documentation only): the payload is the changes page's
own JSON export (comparisons.change_exports.change_json), so the two never differ."""

from rest_framework import serializers

from comparisons.changes import ChangeKind


class NamedSchema(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class ChangeSchema(serializers.Serializer):
    id = serializers.CharField(
        help_text="Stable: “claim-12” or “citation-34” (a history row's), or “verification-5” "
        "(a citation's quote no longer found on its source, or found again)."
    )
    date = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=ChangeKind.values)
    framework = NamedSchema()
    feature = NamedSchema()
    category = NamedSchema()
    claim_id = serializers.IntegerField()
    claim_url = serializers.URLField(
        allow_null=True, help_text="The claim's page; null while it is not published."
    )
    statement = serializers.CharField(allow_blank=True)
    before = serializers.CharField(
        allow_null=True, help_text="The badge's words before: “Built in”."
    )
    after = serializers.CharField(allow_null=True, help_text="The badge's words after.")
    detail = serializers.CharField(
        allow_blank=True,
        help_text="“citation of “Django docs””, “quote of “Django docs”, not found”.",
    )


class ChangesSchema(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    changes = ChangeSchema(many=True, help_text="By day (newest first), then framework.")
