"""The API's JSON: the bytes DRF's JSONRenderer writes, written by orjson where it can.

The matrix of a 20 × 300 knowledge base is some 4 MB of JSON; the standard library's encoder
spends about as long writing it as the matrix takes to build, and orjson a small part of that.
orjson (well kept, wheels for every platform we deploy on) is used only where its output is
DRF's own: compact, UTF-8, with DRF's encoder for every type orjson would write differently
(dates and times) or not at all (lazy strings, decimals, querysets…). Anything else it refuses
(keys that are not strings, integers beyond 64 bits), and an indented answer
(`Accept: application/json; indent=4`), goes to DRF's renderer as before.

Floats are where the two differ: orjson writes the same number with a shorter exponent (1e-7
where DRF writes 1e-07), and NaN and infinities as null where DRF refuses them. No field of
the API is a float; should one come, its tests will say which of the two it needs.
"""

import orjson
from rest_framework import renderers

# Dates, times and dataclasses reach `default`, so DRF's encoder formats them as it always has.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# DRF escapes these two so that its JSON is also valid JavaScript; orjson leaves them as UTF-8.
_LINE_SEPARATOR = ("\u2028".encode(), b"\\u2028")
_PARAGRAPH_SEPARATOR = ("\u2029".encode(), b"\\u2029")


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or not self._orjson_writes_the_same(accepted_media_type, renderer_context):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=self.encoder_class().default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        return body.replace(*_LINE_SEPARATOR).replace(*_PARAGRAPH_SEPARATOR)

    def _orjson_writes_the_same(self, accepted_media_type, renderer_context) -> bool:
        indent = self.get_indent(accepted_media_type, renderer_context or {})
        return self.compact and not self.ensure_ascii and indent is None
