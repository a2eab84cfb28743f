"""The garbage collector paused while a matrix's records are made (comparisons/matrix.py,
api/matrix.py)."""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

# The collector is one per process, and a gthread worker makes pages in several threads at
# once: the pauses are counted, so that it is back on when the last one ends, and only if it
# was on when the first began. (Each thread's own "was it on?" could see another's pause and
# leave the collector off for good.)
_pauses_lock = threading.Lock()
_pauses = SimpleNamespace(open=0, resume=False)


@contextmanager
def no_collections() -> Iterator[None]:
    """The garbage collector off while the records are made.

    A 20 × 300 matrix makes some 30,000 records, all tracked by the collector; made with it on,
    they set off a full collection of the whole process on nearly every cold matrix, which
    finds nothing to free (the records hold no cycles) and cost a sizeable share of the page
    (see `manage.py benchmark`). Pausing it here keeps that trick out of the data model.
    """
    with _pauses_lock:
        if not _pauses.open:
            _pauses.resume = gc.isenabled()
            gc.disable()
        _pauses.open += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses.open -= 1
            if not _pauses.open and _pauses.resume:
                gc.enable()
