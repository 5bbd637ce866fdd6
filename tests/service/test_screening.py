"""The screen's quick look for words agrees with the case-insensitive regexes it stands for, and
each client's share of the workers holds when slots pass from one query to the next.

No store kind to choose: the screen reads the query text before any store sees it.
"""

from __future__ import annotations

import re
import threading
import time

import pytest

from policykg.service.jobs import ClientBusy, ClientSlots
from policykg.service.screening import (
    _OPERATORS,
    OPERATOR_WORDS,
    TRIGGERS,
    _folded,
    _operators,
    screen,
)

# Spellings that Python's case-insensitive matching reads as ASCII keywords: the long s, the
# dotted and the dotless capital/small i, mixed case, escapes.
HOSTILE = [
    "SELECT * { ?s ?p ?o .ſERVICE <http://x/> { ?a ?b ?c } }",
    "İNSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "ınsert data { <urn:a> <urn:b> <urn:c> }",
    "SELECT * { { ?a ?b ?c } UNİON { ?d ?e ?f } FILTER(1 && 2 || 3) }",
    "SELECT * { { ?a ?b ?c } unıon { ?d ?e ?f } OPTİONAL { ?g ?h ?i } }",
    'SELECT * WHERE { \\u0053ERVICE <x> { ?s ?p "事物" } }',
    "SELECT * FRoM <urn:g> { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "{&&&|||{",
]
WORDS = re.compile("(?i)" + "|".join(re.escape(w) for w in TRIGGERS))


@pytest.mark.parametrize("text", HOSTILE)
def test_the_quick_look_misses_no_word_the_regexes_find(text):
    folded = _folded(text)
    if WORDS.search(text):
        assert any(word in folded for word in TRIGGERS)
    assert _operators(text, folded) == len(_OPERATORS.findall(text))
    assert set(OPERATOR_WORDS) <= set(re.findall(r"[a-z]+", _OPERATORS.pattern.lower()))


def test_service_spelled_with_a_long_s_is_still_service():
    assert screen(HOSTILE[0]).uses_service


def test_a_client_never_runs_more_than_its_share_and_waiters_are_started_on_release():
    slots = ClientSlots(2)
    running, most, lock = [0], [0], threading.Lock()
    started: list[bool] = []

    def begin(block: bool) -> str:
        started.append(block)
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        return "started"

    def query() -> None:
        assert slots.start("a", begin) == "started"
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        slots.release("a")

    threads = [threading.Thread(target=query) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 2 and len(started) == 8
    assert started.count(False) >= 5  # the waiting ones were started by the query before them
    assert slots._clients == {}  # nothing left held


def test_a_client_past_its_share_for_the_whole_wait_is_refused():
    slots = ClientSlots(1)
    slots.start("a", lambda block: 1)
    with pytest.raises(ClientBusy):
        slots.start("a", lambda block: 2, wait=0.1)
    assert slots.start("b", lambda block: 3) == 3  # another client is not held back
    slots.release("a")
    slots.release("b")
    assert slots._clients == {}


def test_a_failure_to_start_a_handed_over_query_reaches_its_own_thread():
    slots = ClientSlots(1)
    slots.start("a", lambda block: 1)
    outcome: list = []

    def failing(block: bool):
        raise RuntimeError("no worker")

    def waiter() -> None:
        try:
            slots.start("a", failing)
        except RuntimeError as e:
            outcome.append(str(e))

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)
    slots.release("a")
    thread.join()
    assert outcome == ["no worker"] and slots._clients == {}
