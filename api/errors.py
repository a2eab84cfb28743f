"""Every API error as one JSON shape: `{"status": 404, "message": "…", "errors": {…}}`.

DRF answers bad parameters, unknown objects, wrong methods and throttling with exceptions of
its own; this handler keeps DRF's status codes and headers (Allow, Retry-After) and only
gives the body a message a person can read, with the per-parameter messages under `errors`.
"""

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def _message(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "Invalid parameters; nothing was filtered. See `errors` for each parameter."
    detail = getattr(exc, "detail", None)
    return str(detail) if detail else "The request failed."


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = {"status": response.status_code, "message": _message(exc)}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        body["errors"] = {
            name: [str(item) for item in (messages if isinstance(messages, list) else [messages])]
            for name, messages in exc.detail.items()
        }
    response.data = body
    return response
