"""comparisons.collector: the collector paused while a matrix's records are made."""

import gc
import threading

from comparisons.collector import no_collections


def test_the_collector_pause_ends_with_the_last_of_several_threads():
    """Pages are made in several threads of a worker at once, and the collector is the
    process's: it stays off until the last pause ends, and is then on again, whichever ends
    first."""
    first_in, second_in, first_out = (threading.Event() for _ in range(3))
    seen = {}

    def first():
        with no_collections():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second():
        first_in.wait(5)
        with no_collections():
            second_in.set()
            first_out.wait(5)
            seen["after the first ended"] = gc.isenabled()

    assert gc.isenabled()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after the first ended": False}
    assert gc.isenabled()


def test_a_collector_turned_off_before_a_pause_stays_off_after_it():
    gc.disable()
    try:
        with no_collections():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
