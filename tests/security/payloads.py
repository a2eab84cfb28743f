"""The hostile-input corpus: XSS, injection and spreadsheet-formula payloads, by family.

The corpus lives in xss_payloads.json (JSON because several payloads hold newlines and tabs,
which is the point of them). No payload holds a NUL character: PostgreSQL refuses NUL in
text, so a NUL can never be stored; NUL is sent in query strings by the fuzzer instead.
"""

import json
from functools import cache
from pathlib import Path

CORPUS = Path(__file__).with_name("xss_payloads.json")


@cache
def payload_families():
    return json.loads(CORPUS.read_text(encoding="utf-8"))


@cache
def all_payloads():
    return tuple(payload for family in payload_families().values() for payload in family)


def rotated(offset):
    """Every payload once, starting at `offset`: lets each field start somewhere else."""
    payloads = all_payloads()
    offset %= len(payloads)
    return payloads[offset:] + payloads[:offset]
