"""Shared fixtures of the Python tests: the source tree, the `allot` command, the examples.

CTest sets ALLOT_CLI (the built command), ALLOT_SOURCE_DIR and PYTHONPATH (the built
package). Run by hand: PYTHONPATH=build/release/bindings/python /usr/bin/python3 -m pytest
tests/python (the command defaults to build/release/allot).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("ALLOT_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
RETAIL = SOURCE_DIR / "examples" / "retail"


@pytest.fixture(scope="session")
def source_dir() -> pathlib.Path:
    return SOURCE_DIR


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    """The `allot` command."""
    path = pathlib.Path(os.environ.get("ALLOT_CLI", SOURCE_DIR / "build" / "release" / "allot"))
    if not path.is_file():
        pytest.fail(f"the allot command is not at {path}: build it, or set ALLOT_CLI")
    return path


@pytest.fixture(scope="session")
def retail_config() -> pathlib.Path:
    return RETAIL / "config.txtpb"


@pytest.fixture(scope="session")
def retail_lines() -> list[str]:
    return (RETAIL / "events.jsonl").read_text(encoding="utf-8").splitlines()


def run_cli(cli: pathlib.Path, *args: object, check: bool = True) -> subprocess.CompletedProcess:
    """Runs the command with `args`; fails the test (with its stderr) when check and it fails."""
    result = subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True)
    if check and result.returncode != 0:
        pytest.fail(f"allot {' '.join(map(str, args))} exited {result.returncode}:\n"
                    f"{result.stderr}")
    return result


def write_jsonl(path: pathlib.Path, events: list) -> pathlib.Path:
    """Writes events (dicts, or lines as str) one per line, as the CLI reads them."""
    with open(path, "w", encoding="utf-8") as out:
        for e in events:
            out.write((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n")
    return path


def read_jsonl(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
