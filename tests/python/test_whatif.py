"""examples/analyst/whatif.py: runs on the retail day, writes a real chart, and its table agrees
with an independent replay of the two configs it describes."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import struct
import subprocess
import sys
from collections import Counter

import pytest

import allot


@pytest.fixture(scope="module")
def whatif(source_dir):
    path = source_dir / "examples" / "analyst" / "whatif.py"
    spec = importlib.util.spec_from_file_location("whatif", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scenarios_change_only_weights_and_caps(whatif, retail_config):
    base = allot.parse_config(retail_config)
    configs = whatif.scenarios(base)
    a, b = configs["A"], configs["B"]
    assert "accept_timeout" not in a["buffer"] and "throttle" not in a
    assert {e["id"]: e.get("weight") for e in a["employees"]}["wang"] == 1.5
    assert all("weight" not in e for e in b["employees"])
    assert b["default_caps"]["daily"] == 40
    assert all(e.get("caps", {}).get("daily", 0) <= 40 for e in b["employees"])
    assert allot.validate(a) == [] and allot.validate(b) == []
    recorded = whatif.scenarios(base, as_recorded=True)["A"]
    assert recorded == base


def test_whatif_writes_table_and_chart(whatif, source_dir, retail_config, tmp_path):
    script = source_dir / "examples" / "analyst" / "whatif.py"
    result = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)],
                            capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 0, result.stderr

    png = (tmp_path / "whatif.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1500, 1100)
    assert len(png) > 50_000  # two heatmaps and a scatter, not a blank canvas

    # The table agrees with an independent replay of each scenario.
    with open(tmp_path / "whatif.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    events = [json.loads(line) for line in
              (source_dir / "examples/retail/events.jsonl").read_text(encoding="utf-8").splitlines()]
    comparable = [e for e in events if "accepted" not in e and "lost" not in e]
    totals = {}
    for name, config in whatif.scenarios(allot.parse_config(retail_config)).items():
        adds = Counter(a["employee"] for d in allot.replay(config, comparable)
                       for a in d.get("assignments", ()) if a["reason"] != "OWNER")
        assert {r["employee"]: int(r[f"assigned_{name}"]) for r in rows} == {
            r["employee"]: adds[r["employee"]] for r in rows}
        assert sum(int(r[f"assigned_{name}"]) for r in rows) == sum(adds.values())
        totals[name] = sum(adds.values())
        for group in {r["group"] for r in rows}:
            shares = [float(r[f"share_{name}"]) for r in rows if r["group"] == group]
            assert sum(shares) == pytest.approx(100, abs=0.1)
            weights = [float(r[f"weight_share_{name}"]) for r in rows if r["group"] == group]
            assert sum(weights) == pytest.approx(100, abs=0.1)
    assert totals["A"] > totals["B"] > 0  # a lower cap assigns fewer

    # The printed table shows the same totals, and the outcomes agree.
    lines = result.stdout.splitlines()
    total_line = next(line for line in lines if line.startswith("TOTAL"))
    assert total_line.split() == ["TOTAL", str(totals["A"]), str(totals["B"])]
    assigned_line = next(line for line in lines if line.split()[:1] == ["assigned"])
    assert assigned_line.split() == ["assigned", str(totals["A"]), str(totals["B"])]
    wang = next(line for line in lines if line.startswith("wang "))
    assert wang.split()[1:3] == ["sales", "1.5"]
