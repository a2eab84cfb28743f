"""The OpenAPI schema's view of errors: every operation documents the answers it can give
besides 200 (304, 400, 404, 429), each error in api/errors.py's one JSON shape, so clients and
the schemathesis tests know them."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSchema(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For 400: the messages of each invalid parameter.",
    )


ERROR_RESPONSES = {
    304: OpenApiResponse(description="Not modified: the If-None-Match ETag is still current."),
    400: OpenApiResponse(ErrorSchema, description="A parameter is invalid; nothing was read."),
    404: OpenApiResponse(ErrorSchema, description="No such object, or no such page."),
    429: OpenApiResponse(
        ErrorSchema, description="Too many requests from this address: see Retry-After."
    ),
}


class ApiSchema(AutoSchema):
    def get_response_serializers(self):
        found = super().get_response_serializers()
        if isinstance(found, dict):
            return found
        return {200: found, **ERROR_RESPONSES}
