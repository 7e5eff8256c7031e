"""replay_columns / replay_frame: one row per outcome, consistent with the decisions; a pandas
DataFrame when pandas is there, plain columns (and an importable allot) when it is not."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime

import pytest

import allot
import tracegen


@pytest.fixture(scope="module")
def retail(retail_config, retail_lines):
    events = [json.loads(line) for line in retail_lines]
    return allot.Engine(retail_config), events, allot.replay(retail_config, events)


@pytest.fixture(scope="module")
def generated():
    events = tracegen.trace(5)
    return (allot.Engine(tracegen.CONFIG), events,
            allot.replay(tracegen.CONFIG, events, keep_going=True))


@pytest.mark.parametrize("trace", ["retail", "generated"])
def test_one_row_per_outcome(trace, request):
    engine, events, decisions = request.getfixturevalue(trace)
    columns = allot.replay_columns(engine, events, keep_going=True)
    assert list(columns) == list(allot.COLUMNS)
    assert len({len(c) for c in columns.values()}) == 1
    rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
    expected = Counter()
    for d in decisions:
        expected["assigned"] += len(d.get("assignments", ()))
        expected["held"] += len(d.get("held", ()))
        expected["rejected"] += len(d.get("rejections", ()))
    assert Counter(r["kind"] for r in rows) == expected
    assert expected["assigned"] > 0 and expected["held"] > 0
    assert expected["rejected"] > 0 or trace == "retail"  # the retail day rejects nobody
    for r in rows:
        d = decisions[r["event"]]
        assert r["time"].utcoffset().total_seconds() == 8 * 3600  # Asia/Shanghai
        assert r["time"] == datetime.fromisoformat(d["at"].replace("Z", "+00:00"))
        if r["kind"] == "assigned":
            a = next(a for a in d["assignments"] if a["customer"] == r["customer"])
            assert (r["employee"], r["entry"], r["group"], r["reason"], r["used_reserve"]) == (
                a["employee"], a.get("entry"), a.get("group"), a["reason"],
                a.get("used_reserve", False))
        else:
            # A hold or rejection of the arriving customer names the arrival's entry.
            arrival = events[r["event"]].get("arrival")
            if arrival and arrival["customer"]["ref"] == r["customer"]:
                assert r["entry"] == arrival["entry"]
                assert r["tags"] == tuple(d.get("tags_added", ()))
            else:
                assert r["entry"] is None and r["tags"] == ()
    held = [r for r in rows if r["kind"] == "held"]
    assert "OFF_HOURS" in {r["reason"] for r in held}
    if trace == "retail":  # only the store code has hours
        assert all(r["entry"] == "store-qr" for r in held if r["reason"] == "OFF_HOURS")


def test_frame_is_a_dataframe_in_local_time(retail):
    pandas = pytest.importorskip("pandas")
    engine, events, decisions = retail
    frame = allot.replay_frame(engine, events)
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(allot.COLUMNS)
    columns = allot.replay_columns(engine, events)
    assert len(frame) == len(columns["event"])
    assert str(frame["time"].dt.tz) == "Asia/Shanghai"
    assert list(frame["time"].dt.hour) == [t.hour for t in columns["time"]]
    assert frame["customer"].tolist() == columns["customer"]
    # The first store scans of the day (before 09:00) are held, then released at 09:00.
    released = frame[(frame.kind == "assigned") & (frame.reason == "RELEASED")]
    assert len(released) > 0
    assert int(released["time"].dt.hour.min()) == 9
    assigned = frame[frame.kind == "assigned"]
    per_decision = sum(len(d.get("assignments", ())) for d in decisions)
    assert len(assigned) == per_decision
    empty = allot.replay_frame(engine, [])
    assert list(empty.columns) == list(allot.COLUMNS) and len(empty) == 0


def test_without_pandas_the_frame_is_columns(retail, monkeypatch):
    engine, events, _ = retail
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    with pytest.raises(ImportError):
        import pandas  # noqa: F401
    frame = allot.replay_frame(engine, events[:500])
    assert isinstance(frame, dict)
    assert frame == allot.replay_columns(engine, events[:500])


def test_allot_imports_without_pandas():
    code = ("import sys; sys.modules['pandas'] = None; import allot; "
            "print(allot.replay_frame('', [])['kind'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    lazy = subprocess.run([sys.executable, "-c", "import allot, sys; print('pandas' in sys.modules)"],
                          capture_output=True, text=True)
    assert lazy.stdout.strip() == "False", lazy.stderr
