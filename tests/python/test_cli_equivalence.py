"""allot in Python behaves exactly as the `allot` command (SPEC §6): the same decisions, line for
line, and the same state bytes, which each side can load from the other."""

from __future__ import annotations

import json
import pathlib
import subprocess

import pytest

import allot
import tracegen
from conftest import read_jsonl, run_cli, write_jsonl


def cli_replay(cli, tmp_path: pathlib.Path, config, events: list, name: str, *extra: object
               ) -> tuple[list[dict], bytes]:
    """The command's decisions (one dict per line) and final state bytes for `events`."""
    events_file = write_jsonl(tmp_path / f"{name}.jsonl", events)
    decisions = tmp_path / f"{name}.decisions.jsonl"
    state = tmp_path / f"{name}.state.pb"
    run_cli(cli, "replay", "--config", config, "--events", events_file, "--decisions-out",
            decisions, "--state-out", state, *extra)
    lines = read_jsonl(decisions)
    assert len(lines) == len(events)
    return lines, state.read_bytes()


def assert_same_decisions(python: list, cli: list) -> None:
    assert len(python) == len(cli)
    for index, (p, c) in enumerate(zip(python, cli)):
        assert p == c, f"decision {index} differs"


def test_retail_replay_equals_cli(cli, tmp_path, retail_config, retail_lines):
    expected, expected_state = cli_replay(cli, tmp_path, retail_config, retail_lines, "retail")
    state = allot.State()
    decisions = allot.replay(retail_config, [json.loads(line) for line in retail_lines], state)
    assert_same_decisions(decisions, expected)
    assert state.to_bytes() == expected_state
    assert state.version == len(retail_lines)
    # The trace is busy: most outcomes occur, so the comparison covers them.
    reasons = {a["reason"] for d in decisions for a in d.get("assignments", ())}
    assert {"NEW", "OWNER", "RELEASED", "TRANSFERRED"} <= reasons


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_trace_equals_cli(cli, tmp_path, seed):
    config = write_jsonl(tmp_path / "config.txtpb", [tracegen.CONFIG])
    events = tracegen.trace(seed)
    expected, expected_state = cli_replay(cli, tmp_path, config, events, "trace", "--keep-going")
    state = allot.State()
    decisions = allot.replay(tracegen.CONFIG, events, state, keep_going=True)
    assert_same_decisions(decisions, expected)
    assert state.to_bytes() == expected_state
    # Bad events were in the trace, and both sides wrote {} for them.
    bad = [i for i, d in enumerate(expected) if d == {}]
    assert len(bad) >= 5
    assert all(decisions[i] == {} for i in bad)
    kinds = {next(k for k in e if k != "at") for e in events}
    assert kinds == {"arrival", "accepted", "lost", "tick", "employee_status", "surge", "observed"}
    assert any("explain" in d for d in decisions)


def test_step_by_step_equals_cli(cli, tmp_path):
    """Engine.step, event by event, returns the command's line for each good event and raises
    for each bad one, leaving the state as it was."""
    config = write_jsonl(tmp_path / "config.txtpb", [tracegen.CONFIG])
    events = tracegen.trace(4, n=300)
    expected, expected_state = cli_replay(cli, tmp_path, config, events, "trace", "--keep-going")
    engine = allot.Engine(tracegen.CONFIG)
    state = allot.State()
    errors = 0
    for index, event in enumerate(events):
        before = state.to_bytes()
        if index % 2:
            try:
                decision = engine.step(event, state)
            except allot.Error:
                decision = {}
        else:
            try:
                decision = engine.decide(event, state)
                assert state.to_bytes() == before  # decide is pure
                engine.apply(decision, state)
            except allot.Error:
                decision = {}
        if decision == {}:
            errors += 1
            assert state.to_bytes() == before
        assert decision == expected[index], f"event {index}"
    assert errors >= 3
    assert state.to_bytes() == expected_state


def test_state_saved_by_cli_continues_in_python(cli, tmp_path, retail_config, retail_lines):
    whole, whole_state = cli_replay(cli, tmp_path, retail_config, retail_lines, "whole")
    cut = 1711
    _, head_state = cli_replay(cli, tmp_path, retail_config, retail_lines[:cut], "head")
    state = allot.State.from_bytes(head_state)
    assert state.version == cut
    tail = allot.replay(retail_config, retail_lines[cut:], state)
    assert_same_decisions(tail, whole[cut:])
    assert state.to_bytes() == whole_state


def test_state_saved_by_python_continues_in_cli(cli, tmp_path, retail_config, retail_lines):
    whole, whole_state = cli_replay(cli, tmp_path, retail_config, retail_lines, "whole")
    cut = 2222
    engine = allot.Engine(retail_config)
    state = allot.State()
    for line in retail_lines[:cut]:
        engine.step(line, state)
    saved = tmp_path / "python.state.pb"
    saved.write_bytes(state.to_bytes())
    tail, tail_state = cli_replay(cli, tmp_path, retail_config, retail_lines[cut:], "tail",
                                  "--state-in", saved)
    assert_same_decisions(tail, whole[cut:])
    assert tail_state == whole_state


def test_config_forms_give_the_cli_decisions(cli, tmp_path, source_dir, retail_config,
                                             retail_lines):
    """The config as JSON (str, dict, a .json file the CLI reads) and binary (bytes, a .pb file
    the CLI reads, encoded by protoc) decides as the text format does."""
    events = retail_lines[:800]
    expected, _ = cli_replay(cli, tmp_path, retail_config, events, "text")
    as_dict = allot.parse_config(retail_config)
    json_file = tmp_path / "config.json"
    json_file.write_text(json.dumps(as_dict, ensure_ascii=False), encoding="utf-8")
    binary = subprocess.run(
        ["protoc", f"-I{source_dir / 'proto'}", "--encode=allot.v1.Config",
         str(source_dir / "proto/allot/v1/config.proto")],
        input=retail_config.read_bytes(), capture_output=True, check=True).stdout
    binary_file = tmp_path / "config.pb"
    binary_file.write_bytes(binary)
    assert cli_replay(cli, tmp_path, json_file, events, "json")[0] == expected
    assert cli_replay(cli, tmp_path, binary_file, events, "binary")[0] == expected
    for config in (as_dict, json_file.read_text(encoding="utf-8"), binary, json_file,
                   binary_file, retail_config.read_text(encoding="utf-8")):
        assert allot.replay(config, events) == expected, type(config)
