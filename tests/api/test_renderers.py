"""The API's JSON renderer writes what DRF's own JSONRenderer writes, byte for byte: every
expected body here comes from DRF's renderer, never from the one under test."""

import datetime
import decimal
import json
import uuid

import pytest
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from rest_framework import renderers as drf

from api.renderers import JSONRenderer
from tests.factories import make_grid


def _lazy_text():
    return "a lazy “label”"


VALUES = {
    "unicode": {"name": "Zoë — “quoted”", "emoji": "🐍", "escapes": 'a"b\\c\n\t\x00'},
    "separators": {"quote": "line\u2028break and paragraph\u2029break"},
    "numbers": {"int": 12, "negative": -3, "float": 0.25, "big float": 1.5e300, "bool": True},
    "nothing": {"none": None, "empty": [], "nested": {"a": [{}, [None]]}},
    "dates": {
        "aware": datetime.datetime(2026, 12, 2, 9, 30, 1, 123456, tzinfo=datetime.UTC),
        "naive": datetime.datetime(2026, 12, 2, 9, 30),
        "date": datetime.date(2026, 12, 2),
        "time": datetime.time(9, 30, 1, 500),
    },
    "other types": {
        "decimal": decimal.Decimal("1.50"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": lazy(_lazy_text, str)(),
        "safe": mark_safe("<b>bold</b>"),
        "tuple": (1, "two"),
        "set": {3},
        "duration": datetime.timedelta(seconds=90),
    },
    "what orjson refuses": {1: "an integer key", "huge": 2**70},
    "a list": [1, "a", None],
}


@pytest.mark.parametrize("name", VALUES)
def test_it_writes_the_bytes_drfs_renderer_writes(name):
    data = VALUES[name]
    assert JSONRenderer().render(data) == drf.JSONRenderer().render(data)


def test_floats_keep_their_value_though_an_exponent_may_be_written_shorter():
    data = {"small": 1e-7, "tiny": 2.5e-12}
    ours, drfs = JSONRenderer().render(data), drf.JSONRenderer().render(data)
    assert json.loads(ours) == json.loads(drfs) == data
    assert ours == b'{"small":1e-7,"tiny":2.5e-12}'


@pytest.mark.parametrize("accepted", ["application/json; indent=4", "application/json; indent=0"])
def test_an_indented_answer_is_indented_as_drf_indents_it(accepted):
    data = VALUES["unicode"] | VALUES["dates"]
    assert JSONRenderer().render(data, accepted) == drf.JSONRenderer().render(data, accepted)


def test_nothing_renders_as_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_what_neither_can_write_fails_as_drf_fails():
    with pytest.raises(TypeError):
        drf.JSONRenderer().render({"object": object()})
    with pytest.raises(TypeError):
        JSONRenderer().render({"object": object()})


@pytest.mark.django_db
def test_the_api_matrix_is_the_body_drfs_renderer_would_write(client):
    make_grid(4, 12, categories=3)
    response = client.get(reverse("api:matrix"))
    assert response.status_code == 200
    # The payload is plain JSON data, so reading the body back gives DRF the same input.
    assert response.content == drf.JSONRenderer().render(json.loads(response.content))
    assert response["Content-Type"] == "application/json"
