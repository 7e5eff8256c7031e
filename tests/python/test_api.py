"""The Python API of allot: engines from every config form, decide/apply/step, State, errors
that name the field or the event's index and change nothing, replay, and the GIL."""

from __future__ import annotations

import copy
import json
import pathlib
import pickle
import threading
import time

import pytest

import allot

CONFIG = """
tenant: "py"
employees { id: "a" caps { daily: 2 } }
employees { id: "b" caps { daily: 2 } }
groups { id: "g" strategy: ROUND_ROBIN members { employee: "a" } members { employee: "b" } }
entries { id: "qr" group: "g" tags: "门店" }
buffer { hold_capacity: 1 }
"""


def arrival(i: int, minute: int | None = None, entry: str = "qr", **extra) -> dict:
    minute = i if minute is None else minute
    return {"at": f"2026-11-24T09:{minute:02d}:00+08:00",
            "arrival": {"entry": entry, "customer": {"ref": f"c{i}", "keys": [f"phone:{100 + i}"]},
                        **extra}}


@pytest.fixture
def engine() -> allot.Engine:
    return allot.Engine(CONFIG)


# ---- Engine and config ----------------------------------------------------------------------

def test_every_config_form_gives_the_same_engine(tmp_path):
    as_dict = allot.parse_config(CONFIG)
    assert as_dict["employees"][0] == {"id": "a", "caps": {"daily": 2}}
    path = tmp_path / "c.txtpb"
    path.write_text(CONFIG, encoding="utf-8")
    forms = [CONFIG, as_dict, json.dumps(as_dict), "\n  " + json.dumps(as_dict), path]
    engines = [allot.Engine(form) for form in forms]
    assert all(e.config == as_dict for e in engines)
    events = [arrival(i) for i in range(6)]
    first = allot.replay(engines[0], events)
    for e in engines[1:]:
        assert allot.replay(e, events) == first
    assert repr(engines[0]) == "<allot.Engine: 2 employees, 1 groups, 1 entries>"
    assert engines[0].time_zone == "Asia/Shanghai"
    assert allot.Engine('time_zone: "Europe/Paris"').time_zone == "Europe/Paris"


def test_binary_config_is_bytes(engine):
    # A text config sent as bytes is read as binary, and is not a valid binary config.
    with pytest.raises(allot.Error, match="not a binary allot.v1.Config"):
        allot.Engine(CONFIG.encode())


def test_bad_config_raises_every_problem_with_its_field_path():
    bad = CONFIG.replace('members { employee: "b" }', 'members { employee: "e9" }')
    bad = bad.replace('id: "a" caps', 'id: "" caps')
    with pytest.raises(allot.Error) as raised:
        allot.Engine(bad)
    message = str(raised.value)
    assert isinstance(raised.value, ValueError)
    assert raised.value.code == "INVALID_ARGUMENT"
    assert "employees[0].id: must not be empty" in message
    assert 'groups[0].members[1].employee: unknown employee "e9"' in message
    problems = allot.validate(bad)
    assert len(problems) >= 2
    assert set(problems) == set(message.splitlines())
    assert allot.validate(CONFIG) == []
    assert allot.validate(allot.parse_config(CONFIG)) == []


def test_unparsable_configs():
    assert allot.validate("employees { id: ")[0].startswith("config: line 1:")
    assert "config:" in allot.validate('{"employees": [{"idd": "a"}]}')[0]
    assert "config:" in allot.validate({"employees": [{"id": {1, 2}}]})[0]
    with pytest.raises(allot.Error, match=r"config: line 1:"):
        allot.parse_config("employees { id: ")
    with pytest.raises(allot.Error, match="cannot open"):
        allot.Engine(pathlib.Path("/nonexistent/config.txtpb"))
    with pytest.raises(TypeError, match="config: expected"):
        allot.Engine(42)
    with pytest.raises(TypeError):
        allot.validate(None)


# ---- decide, apply, step ----------------------------------------------------------------------

def test_decide_is_pure_and_apply_commits(engine):
    state = allot.State()
    empty = state.to_bytes()
    decision = engine.decide(arrival(0), state)
    assert isinstance(decision, dict) and isinstance(decision, allot.Decision)
    assert decision == {"at": "2026-11-24T01:00:00Z",
                        "assignments": [{"customer": "c0", "employee": "a", "group": "g",
                                         "entry": "qr", "reason": "NEW"}],
                        "tags_added": ["门店"]}
    assert engine.decide(arrival(0), state) == decision  # deterministic
    assert state.to_bytes() == empty and state.version == 0
    engine.apply(decision, state)
    assert state.version == 1 and state.remembered_customers == 1
    assert state.clock_us == 1795482000 * 1_000_000
    assert engine.decide(arrival(1), state)["assignments"][0]["employee"] == "b"


def test_step_equals_decide_then_apply(engine):
    s1, s2 = allot.State(), allot.State()
    for i in range(8):
        d1 = engine.decide(arrival(i), s1)
        engine.apply(d1, s1)
        d2 = engine.step(json.dumps(arrival(i)), s2)  # an event as a JSON line, too
        assert d1 == d2
        assert s1 == s2
    # Caps of 2 each: the fifth is held (hold_capacity 1), then the buffer is full.
    assert engine.step(arrival(20), s1)["rejections"] == [{"customer": "c20",
                                                          "reason": "BUFFER_FULL"}]


def test_stale_decision_raises_and_changes_nothing(engine):
    state = allot.State()
    stale = engine.decide(arrival(0), state)
    engine.step(arrival(1), state)
    before = state.to_bytes()
    with pytest.raises(allot.Error, match="version") as raised:
        engine.apply(stale, state)
    assert raised.value.code == "FAILED_PRECONDITION"
    assert state.to_bytes() == before
    # Applying twice is applying a stale decision.
    fresh = engine.decide(arrival(2), state)
    engine.apply(fresh, state)
    with pytest.raises(allot.Error):
        engine.apply(fresh, state)
    assert state.version == 2


def test_decision_of_another_engine_is_refused(engine):
    other = allot.Engine(CONFIG.replace('tenant: "py"', 'tenant: "other"'))
    state = allot.State()
    decision = other.decide(arrival(0), state)
    with pytest.raises(allot.Error, match="different config"):
        engine.apply(decision, state)
    assert state.version == 0


def test_apply_needs_a_decision_not_a_dict(engine):
    state = allot.State()
    decision = engine.decide(arrival(0), state)
    with pytest.raises(TypeError, match="plain dict"):
        engine.apply(dict(decision), state)
    with pytest.raises(TypeError):
        engine.apply(json.loads(json.dumps(decision)), state)
    # Editing the dict does not change what apply commits.
    decision["assignments"][0]["employee"] = "b"
    engine.apply(decision, state)
    assert engine.step(arrival(1), state)["assignments"][0]["employee"] == "b"


def test_decision_copies_and_pickles_are_plain_dicts(engine):
    decision = engine.decide(arrival(0), allot.State())
    for twin in (copy.copy(decision), copy.deepcopy(decision),
                 pickle.loads(pickle.dumps(decision))):
        assert type(twin) is dict and twin == decision
    assert json.loads(json.dumps(decision)) == decision


@pytest.mark.parametrize("event, field", [
    (arrival(0, entry="nope"), 'arrival.entry: unknown entry "nope"'),
    ({"at": "2026-11-24T09:00:00+08:00", "arrival": {"entree": "qr"}}, "entree"),
    ({"at": "2026-11-24T09:00:00+08:00", "arrival": {"entry": 5}}, "arrival.entry"),
    ({"at": "yesterday", "tick": {}}, "(at)"),
    ({"at": "2026-11-24T09:00:00+08:00",
      "arrival": {"entry": "qr", "customer": {"ref": "c", "keys": []}}}, "customer.keys"),
    ({"at": "2026-11-24T09:00:00+08:00", "employee_status": {"employee": "zz"}},
     "employee_status.employee"),
    ({"at": "2026-11-24T08:00:00+08:00", "tick": {}}, "earlier than the state's clock"),
    ("  ", "empty line"),
    ("{not json", "event:"),
    ({"at": "2026-11-24T09:00:00+08:00", "tick": {}, "x": float("nan")}, "not JSON"),
])
def test_bad_event_names_the_field_and_changes_nothing(engine, event, field):
    state = allot.State()
    engine.step({"at": "2026-11-24T08:30:00+08:00", "tick": {}}, state)
    before = state.to_bytes()
    for call in (engine.decide, engine.step):
        with pytest.raises(allot.Error) as raised:
            call(event, state)
        assert field in str(raised.value)
        assert str(raised.value).startswith("event:")
        assert state.to_bytes() == before


def test_wrong_event_type_is_a_type_error(engine):
    with pytest.raises(TypeError, match="event: expected a dict or a JSON str"):
        engine.step(42, allot.State())
    with pytest.raises(TypeError, match=r"events\[1\]: expected"):
        allot.replay(engine, [arrival(0), 3.5])
    with pytest.raises(TypeError, match="events: expected an iterable"):
        allot.replay(engine, json.dumps(arrival(0)))


def test_roster(engine):
    state = allot.State()
    assert engine.roster("qr", state, "2026-11-24T09:00:00+08:00") == {
        "entry": "qr", "group": "g", "employees": ["a", "b"]}
    engine.step(arrival(0), state)  # a has 1 of 2 left: not above the headroom of 1
    from datetime import datetime, timedelta, timezone
    at = datetime(2026, 11, 24, 9, 5, tzinfo=timezone(timedelta(hours=8)))
    assert engine.roster("qr", state, at)["employees"] == ["b"]
    with pytest.raises(allot.Error, match="at"):
        engine.roster("qr", state, datetime(2026, 11, 24, 9, 5))
    with pytest.raises(allot.Error, match="nope"):
        engine.roster("nope", state, at)


# ---- State ------------------------------------------------------------------------------------

def test_state_bytes_round_trip(engine):
    state = allot.State()
    allot.replay(engine, [arrival(i) for i in range(5)], state)
    data = state.to_bytes()
    assert isinstance(data, bytes)
    restored = allot.State.from_bytes(data)
    assert restored == state and restored.to_bytes() == data
    assert restored.version == 5 and restored.remembered_customers == state.remembered_customers
    assert pickle.loads(pickle.dumps(state)) == state
    assert state.to_dict()["version"] == "5"
    # Caps of 2 each: the fifth customer waits in the hold pool, not remembered yet.
    assert repr(state) == "<allot.State version=5 remembered=4>"
    # Copies are independent.
    twin = state.copy()
    engine.step(arrival(9, minute=40), twin)
    assert twin.version == 6 and state.version == 5 and twin != state
    assert copy.deepcopy(state) == state
    with pytest.raises(allot.Error, match="state"):
        allot.State.from_bytes(b"\xff\xff not a state")
    with pytest.raises(TypeError):
        allot.State.from_bytes("text")


# ---- replay -----------------------------------------------------------------------------------

def test_replay_error_names_the_event_and_leaves_the_state(engine):
    state = allot.State()
    engine.step(arrival(0), state)
    before = state.to_bytes()
    events = [arrival(1), arrival(2), arrival(3, entry="nope"), arrival(4)]
    with pytest.raises(allot.Error, match=r'^events\[2\]: arrival.entry: unknown entry "nope"'):
        allot.replay(engine, events, state)
    assert state.to_bytes() == before
    with pytest.raises(allot.Error, match=r"^events\[1\]: empty line"):
        allot.replay(engine, [arrival(1), ""], state)
    assert state.to_bytes() == before
    # keep_going: {} for the bad event, as `allot replay --keep-going` writes.
    decisions = allot.replay(engine, events, state, keep_going=True)
    assert decisions[2] == {}
    assert [d["assignments"][0]["customer"] for i, d in enumerate(decisions) if i != 2] == [
        "c1", "c2", "c4"]
    assert state.version == 4


def test_replay_accepts_any_iterable_and_is_deterministic(engine):
    events = [arrival(i) for i in range(7)]
    first_state, second_state = allot.State(), allot.State()
    first = allot.replay(engine, iter(events), first_state)
    second = allot.replay(CONFIG, (json.dumps(e) for e in events), second_state)
    assert first == second
    assert first_state.to_bytes() == second_state.to_bytes()
    assert allot.replay(engine, []) == []
    assert all(type(d) is dict for d in first)


def test_a_state_in_use_by_a_replay_cannot_be_touched(engine):
    state = allot.State()
    seen = {}

    def events():
        yield arrival(0)
        # The state is being replayed into: reading it fails too, as it may be being written.
        seen["repr"] = repr(state)
        for use in (lambda: state.version, state.to_bytes, state.copy, lambda: state == state,
                    lambda: engine.decide(arrival(1), state),
                    lambda: engine.roster("qr", state, "2026-11-24T09:00:00+08:00")):
            with pytest.raises(allot.Error, match="state: in use"):
                use()
        engine.step(arrival(1), state)
        yield arrival(2)

    with pytest.raises(allot.Error, match="state: in use") as raised:
        allot.replay(engine, events(), state)
    assert raised.value.code == "FAILED_PRECONDITION"
    assert seen["repr"] == "<allot.State in use by a replay>"
    assert state.version == 0
    engine.step(arrival(1), state)  # free again
    assert state.version == 1


def test_long_replays_release_the_gil(engine):
    """While a long replay runs in one thread, another keeps running: its longest pause is a
    small part of the replay's duration."""
    config = allot.Engine("""
        employees { id: "a" } employees { id: "b" } employees { id: "c" }
        groups { id: "g" strategy: WEIGHTED members { employee: "a" } members { employee: "b" }
                 members { employee: "c" } }
        entries { id: "qr" group: "g" }""")
    lines = [json.dumps({"at": f"2026-11-24T09:00:{i // 10000:02d}.{i % 10000:04d}+08:00",
                         "arrival": {"entry": "qr", "customer": {"ref": f"c{i}",
                                                                 "keys": [f"phone:{i}"]}}})
             for i in range(60_000)]
    done = threading.Event()
    result: list = []
    timing: dict = {}

    def run() -> None:
        timing["start"] = time.perf_counter()
        result.append(allot.replay(config, lines))
        timing["end"] = time.perf_counter()
        done.set()

    worker = threading.Thread(target=run)
    longest = 0.0
    last = time.perf_counter()  # before the start: a worker holding the GIL shows as a gap
    worker.start()
    while not done.is_set():
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join()
    duration = timing["end"] - timing["start"]
    assert len(result[0]) == len(lines)
    assert longest < 0.35 * duration, (longest, duration)
