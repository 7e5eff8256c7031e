"""benchmarks/report.py over several runs: each figure the median of its runs, each budget
row's range over them, and a failed check in any run reported (scripts/bench.sh)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def report(source_dir):
    spec = importlib.util.spec_from_file_location("report",
                                                  source_dir / "benchmarks" / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench(name, **fields):
    run = {"name": f"{name}/iterations:100000", "run_type": "iteration", "cpu_time": 400.0,
           "time_unit": "ns"}
    run.update(fields)
    return run


def rules_runs(without, with_rules, error=None, latency=164.0, added=None):
    """One run's tag-rules benchmark (p50 without and with rules, and what the rules added,
    by default their difference) and the median benchmark (p50 with_rules), in ns, and the
    host's memory latency."""
    added = with_rules - without if added is None else added
    runs = [bench("BM_TagRules/rules:500", p50_without_ns=without, p50_ns=with_rules,
                  added_ns=added),
            bench("BM_DecideApply/members:2000/remembered:1000000", p50_ns=with_rules),
            bench("BM_MemoryLatency/MiB:256", latency_ns=latency)]
    if error:
        runs[1].update(error_occurred=True, error_message=error)
    # Google Benchmark's aggregate rows are not runs.
    runs.append(bench("BM_TagRules/rules:500", run_type="aggregate", p50_ns=1e9))
    return {"context": {"date": "2026-11-25T00:00:00"}, "benchmarks": runs}


def write_runs(tmp_path, runs):
    paths = []
    for i, data in enumerate(runs):
        path = tmp_path / f"bench-{i}.json"
        path.write_text(json.dumps(data))
        paths.append(str(path))
    return paths


def test_every_number_is_the_median_of_the_runs_that_ran_without_error(report, tmp_path):
    per_file = [report.load_runs(p)[1] for p in write_runs(
        tmp_path, [rules_runs(100, 300), rules_runs(180, 200), rules_runs(150, 260, "boom")])]
    merged = report.median_runs(per_file)
    assert merged["BM_TagRules/rules:500"]["p50_without_ns"] == 150
    assert merged["BM_TagRules/rules:500"]["p50_ns"] == 260
    # The failed run is left out of its benchmark's median, not of the others'.
    assert merged["BM_DecideApply/members:2000/remembered:1000000"]["p50_ns"] == 250
    assert not merged["BM_DecideApply/members:2000/remembered:1000000"].get("error_occurred")


def test_a_benchmark_that_failed_everywhere_stays_failed(report, tmp_path):
    per_file = [report.load_runs(p)[1] for p in write_runs(
        tmp_path, [rules_runs(100, 300, "a"), rules_runs(100, 300, "b")])]
    merged = report.median_runs(per_file)
    assert merged["BM_DecideApply/members:2000/remembered:1000000"]["error_occurred"]


def test_the_budget_table_shows_the_median_figure_and_its_range(report, tmp_path):
    per_file = [report.load_runs(p)[1] for p in write_runs(
        tmp_path, [rules_runs(100, 300, added=190), rules_runs(180, 200, added=30),
                   rules_runs(150, 260, added=120)])]
    table = report.budget_table(report.Figures(report.median_runs(per_file)),
                                [report.Figures(r) for r in per_file])
    assert "measured (median of 3 runs)" in table
    rules = next(line for line in table.splitlines() if line.startswith("| Tag rules"))
    cells = [c.strip() for c in rules.strip("|").split("|")]
    # The rules' row is the median of what each run measured paired (190, 30, 120), not
    # the difference of the median p50s (260 − 150).
    assert cells[2:4] == ["120 ns", "30 ns – 190 ns"]
    assert cells[-1] == "**no**"
    median = next(line for line in table.splitlines() if line.startswith("| Decide+Apply median"))
    cells = [c.strip() for c in median.strip("|").split("|")]
    assert cells[2:4] == ["260 ns", "200 ns – 300 ns"]


def test_the_command_fills_the_document_and_fails_on_a_failed_check(report, source_dir,
                                                                      tmp_path):
    doc = tmp_path / "PERFORMANCE.md"
    blocks = "\n".join(f"<!-- {b}:begin -->\nold\n<!-- {b}:end -->"
                       for b in ("table", "growth", "all", "machine"))
    script = source_dir / "benchmarks" / "report.py"

    doc.write_text(blocks)
    paths = write_runs(tmp_path, [rules_runs(100, 300), rules_runs(180, 200)])
    done = subprocess.run([sys.executable, script, doc, *paths], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = doc.read_text()
    assert "old" not in text
    assert "median of 2 runs" in text
    assert "Runs: 2 processes" in text
    assert "main-memory latency 164 / 164 ns" in text
    # The growth section shows both sides of the paired rules benchmark and what they add.
    assert "| p50 without rules | 140 ns |" in text
    assert "| p50 with 500 rules | 250 ns |" in text
    assert "| added by the rules (with − without) | 110 ns |" in text

    doc.write_text(blocks)
    paths = write_runs(tmp_path, [rules_runs(100, 300), rules_runs(180, 200, "check failed")])
    done = subprocess.run([sys.executable, script, doc, *paths], capture_output=True, text=True)
    assert done.returncode == 1
    assert "check failed" in done.stderr


def test_the_machine_section_shows_the_host_of_each_run_in_order(report, tmp_path):
    runs = [rules_runs(100, 300, latency=164.2), rules_runs(100, 300, latency=211.0)]
    runs[0]["benchmarks"].append(bench("BM_CoreChain", step_ns=0.9561))
    for data, lone in zip(runs, (110.4, 305.0)):
        data["benchmarks"].append(bench("BM_PrefetchCost", compute_ns=400.0, load_ns=260.0,
                                        lone_ns=lone, burst_ns=41.0))
    per_file = [report.load_runs(p)[1] for p in write_runs(tmp_path, runs)]
    line = report.host_in_each_run(per_file)
    assert "main-memory latency 164 / 211 ns" in line
    # A run without the benchmark shows a dash in its place.
    assert "multiply-add 0.956 / — ns" in line
    assert ("loaded as needed 260 / 260 ns, prefetched one at a time 110 / 305 ns, "
            "in bursts of 16 41 / 41 ns") in line


def test_the_step_batch_row_reads_latencies_measured_between_its_batches(report, tmp_path):
    def run(latencies, latency):
        data = rules_runs(100, 300)
        # 4M arrivals a second: 250 ns each, whatever the latency measured beside them.
        data["benchmarks"].append(bench("BM_StepBatch/members:2000/remembered:10000000",
                                        items_per_second=4e6, latency_ns=latency,
                                        latencies_per_arrival=latencies))
        return data

    per_file = [report.load_runs(p)[1] for p in write_runs(
        tmp_path, [run(1.6, 156.0), run(1.4, 178.0), run(1.2, 208.0)])]
    table = report.budget_table(report.Figures(report.median_runs(per_file)),
                                [report.Figures(r) for r in per_file])
    row = next(line for line in table.splitlines() if line.startswith("| StepBatch per arrival"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # The median of the paired ratios, not 250 ns over the standalone latency (164 ns).
    assert cells[2] == "1.40 latencies (250 ns; latency 178 ns)"
    assert cells[3] == "1.20 latencies – 1.60 latencies"
    assert cells[-1] == "yes"


def test_the_growth_row_reads_the_ratio_measured_in_alternating_blocks(report, tmp_path):
    def run(ratio):
        data = rules_runs(100, 300)
        data["benchmarks"].append(bench("BM_MembersGrowth/remembered:1000000", ratio=ratio,
                                        ns_20=200.0, ns_2000=200.0 * ratio))
        data["benchmarks"].append(bench("BM_Baseline_MembersGrowth/remembered:1000000",
                                        ratio=9.0))
        return data

    per_file = [report.load_runs(p)[1] for p in write_runs(
        tmp_path, [run(1.1), run(2.5), run(1.3)])]
    table = report.budget_table(report.Figures(report.median_runs(per_file)),
                                [report.Figures(r) for r in per_file])
    row = next(line for line in table.splitlines() if line.startswith("| Cost per decision"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2:5] == ["1.30×", "1.10× – 2.50×", "9.00×"]
    assert cells[-1] == "yes"
