#!/usr/bin/env python3
"""Fills docs/PERFORMANCE.md from allot_bench JSON runs (scripts/bench.sh).

Replaces the text between <!-- NAME:begin --> and <!-- NAME:end --> for NAME in table
(the SPEC §7 budget rows), growth (cost by members and remembered customers), all (every
benchmark beside its baseline twin) and machine; draws docs/performance.png when
matplotlib is importable. Standard library only otherwise.

Given several runs (separate processes of the same binary), every figure is the median of
its values over them, and the budget table also shows each row's range: on a shared
machine a process can land in a slower or faster mode of the host, or a different heap
layout, and one run alone does not say which.

    report.py PERFORMANCE_MD BENCH_JSON... [--seconds N]
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

SUFFIX = re.compile(r"/(iterations:\d+|min_time:[\d.]+|real_time|manual_time)")
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load_runs(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    runs = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration":
            continue
        runs[SUFFIX.sub("", b["name"])] = b
    return data.get("context", {}), runs


def median_runs(per_file):
    """One run per benchmark whose every number is the median of that number over the
    files that ran the benchmark without error; a benchmark that failed in every file is
    kept as it failed (its error is reported)."""
    names = []
    for runs in per_file:
        names += [n for n in runs if n not in names]
    merged = {}
    for name in names:
        good = [runs[name] for runs in per_file if ok(runs.get(name))]
        if not good:
            merged[name] = next(runs[name] for runs in per_file if name in runs)
            continue
        run = dict(good[0])
        for key, value in good[0].items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values = [r[key] for r in good if isinstance(r.get(key), (int, float))]
                run[key] = statistics.median(values)
        merged[name] = run
    return merged


def baseline_name(name):
    return name.replace("BM_", "BM_Baseline_", 1)


def cpu_ns(run):
    """CPU time per iteration in ns: the figure least disturbed by other load."""
    return run["cpu_time"] * UNIT_NS[run.get("time_unit", "ns")]


def fmt_ns(ns):
    if ns is None:
        return "—"
    if ns >= 1e6:
        return f"{ns / 1e6:.1f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def fmt_num(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def ok(run):
    return run is not None and not run.get("error_occurred")


class Figures:
    def __init__(self, runs):
        self.runs = runs

    def get(self, name):
        run = self.runs.get(name)
        return run if ok(run) else None

    def counter(self, name, key):
        run = self.get(name)
        return None if run is None or key not in run else float(run[key])

    def ms(self, name):
        run = self.get(name)
        return None if run is None else cpu_ns(run) / 1e6

    def per_arrival(self, name):
        run = self.get(name)
        return None if run is None else cpu_ns(run)

    def rate(self, name):
        return self.counter(name, "items_per_second")


def ratio(a, b):
    """How many times better allot (a) is than the baseline (b), lower-is-better figures."""
    if a is None or b is None or a <= 0:
        return None
    return b / a


def budget_rows(f):
    """(figure, budget text, measured, baseline, ratio, met?, measured as a number, its
    formatter) of SPEC §7."""
    rows = []
    da = "BM_DecideApply/members:2000/remembered:1000000"
    tp = "BM_DecideApplyThroughput/members:2000/remembered:1000000"
    growth = "BM_MembersGrowth/remembered:1000000"
    mem = "BM_Memory/remembered:10000000"

    def row(figure, budget, value, base, better, limit, show, lower=True):
        met = None if value is None else (value <= limit if lower else value >= limit)
        r = ratio(value, base) if lower else (None if value is None or base in (None, 0)
                                              else value / base)
        rows.append((figure, budget, show(value), show(base),
                     "—" if r is None or not better else f"{r:.2f}×",
                     "—" if met is None else ("yes" if met else "**no**"), value, show))

    ns = fmt_ns
    row("Decide+Apply median, 2000 members, 1M remembered", "≤ 250 ns",
        f.counter(da, "p50_ns"), f.counter(baseline_name(da), "p50_ns"), True, 250, ns)
    row("Decide+Apply p99, same", "≤ 2 µs",
        f.counter(da, "p99_ns"), f.counter(baseline_name(da), "p99_ns"), True, 2000, ns)
    row("Sustained arrivals per second, same", "≥ 3M/s", f.rate(tp), f.rate(baseline_name(tp)),
        True, 3e6, lambda x: "—" if x is None else f"{x / 1e6:.3f}M/s", lower=False)
    batch = "BM_StepBatch/members:2000/remembered:1000000"
    row("Sustained arrivals per second through Engine::StepBatch, same", "≥ 3M/s",
        f.rate(batch), f.rate(baseline_name(tp)), True, 3e6,
        lambda x: "—" if x is None else f"{x / 1e6:.3f}M/s", lower=False)
    # At 10M every owner-memory lookup misses the caches: StepBatch's time per arrival in
    # main-memory latencies, the latency measured between its batches (decide_apply_bench.cc;
    # the issue asks for about one latency or better, read as within 1.5). The baseline
    # column is Step one at a time in ns, the measured one StepBatch's ns.
    batch10 = "BM_StepBatch/members:2000/remembered:10000000"
    batch_rate, step_rate = (f.rate(batch10),
                             f.rate("BM_DecideApplyThroughput/members:2000/remembered:10000000"))
    per10 = None if batch_rate in (None, 0) else 1e9 / batch_rate
    step_per10 = None if step_rate in (None, 0) else 1e9 / step_rate
    r10 = ratio(per10, step_per10)
    latencies = f.counter(batch10, "latencies_per_arrival")
    latency = f.counter(batch10, "latency_ns")
    lat_fmt = lambda x: "—" if x is None else f"{x:.2f} latencies"
    rows.append(("StepBatch per arrival at 10M remembered, in main-memory latencies measured "
                 "between its batches (Step one at a time in the baseline column)",
                 "≈ one latency (≤ 1.5)",
                 f"{lat_fmt(latencies)} ({ns(per10)}; latency {ns(latency)})", ns(step_per10),
                 "—" if r10 is None else f"{r10:.2f}×",
                 "—" if latencies is None else ("yes" if latencies <= 1.5 else "**no**"),
                 latencies, lat_fmt))
    # Both sizes timed in alternating blocks of one run (decide_apply_bench.cc).
    row("Cost per decision, 2000 members ÷ 20 members (1M remembered, alternating blocks)",
        "≤ 2×", f.counter(growth, "ratio"), f.counter(baseline_name(growth), "ratio"), False,
        2.0, lambda x: "—" if x is None else f"{x:.2f}×")
    bytes_fmt = lambda x: "—" if x is None else f"{x:.1f} B"
    row("Memory per remembered customer, 10M", "≤ 32 B", f.counter(mem, "memory_B_per_customer"),
        f.counter(baseline_name(mem), "memory_B_per_customer"), True, 32, bytes_fmt)
    row("Serialized bytes per remembered customer, 10M", "≤ 16 B",
        f.counter(mem, "serialized_B_per_customer"),
        f.counter(baseline_name(mem), "serialized_B_per_customer"), True, 16, bytes_fmt)
    ms_fmt = lambda x: "—" if x is None else f"{x:.1f} ms"
    for figure, name, limit in (
            ("Serialize the State, 1M remembered", "BM_StateSerialize/remembered:1000000", 100),
            ("Parse the State, 1M remembered", "BM_StateParse/remembered:1000000", 150),
            ("Compile a config of 2000 employees, 500 rules", "BM_ConfigCompile/employees:2000",
             50)):
        row(figure, f"≤ {limit} ms", f.ms(name), f.ms(baseline_name(name)), True, limit, ms_fmt)

    # Both sides timed in alternating blocks of one run (harness.h, TimePairedArrivals).
    rules = "BM_TagRules/rules:500"
    row("Tag rules per arrival, 500 rules (with − without, timed in alternating blocks)",
        "≤ 100 ns", f.counter(rules, "added_ns"), f.counter(baseline_name(rules), "added_ns"),
        True, 100, ns)
    tick = "BM_Tick/expiry"
    value = f.counter(tick, "ns_per_forgotten")
    base = f.counter(baseline_name(tick), "ns_per_forgotten")
    r = ratio(value, base)
    rows.append(("Expiry on tick, per forgotten customer (1M remembered)", "amortized O(1)",
                 ns(value), ns(base), "—" if r is None else f"{r:.2f}×", "—", value, ns))
    return rows


def budget_table(merged, per_run):
    """The budget rows of the median figures, each with the range of its figure over the
    single runs (a rate's range included: a row's measure, not its time)."""
    rows = budget_rows(merged)
    singles = [budget_rows(f) for f in per_run]
    out = []
    for i, (figure, budget, measured, base, better, met, _, show) in enumerate(rows):
        values = [r[i][6] for r in singles if r[i][6] is not None]
        spread = "—" if len(values) < 2 else f"{show(min(values))} – {show(max(values))}"
        out.append((figure, budget, measured, spread, base, better, met))
    return markdown_table(["figure", "budget", f"measured (median of {len(per_run)} runs)",
                           "range over the runs", "baseline", "× better than baseline",
                           "met?"], out)


def markdown_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def growth_tables(f):
    members = (20, 200, 2000)
    remembered = (10_000, 1_000_000, 10_000_000)
    parts = []
    for title, key in (("p50", "p50_ns"), ("p99", "p99_ns")):
        rows = []
        for n in members:
            cells = [f"{n}"]
            for m in remembered:
                name = f"BM_DecideApply/members:{n}/remembered:{m}"
                a, b = f.counter(name, key), f.counter(baseline_name(name), key)
                cells.append(f"{fmt_ns(a)} / {fmt_ns(b)}")
            rows.append(cells)
        parts.append(f"Decide+Apply {title} per arrival, allot / baseline:\n\n" + markdown_table(
            ["members \\ remembered", "10 000", "1 000 000", "10 000 000"], rows))
    rows = []
    for s in ("SEQUENTIAL", "ROUND_ROBIN", "RANDOM", "LEAST_LOADED", "WEIGHTED"):
        cells = [s]
        for who in ("BM_Strategy", "BM_Baseline_Strategy"):
            a20 = f.counter(f"{who}/{s}/members:20", "p50_ns")
            a2000 = f.counter(f"{who}/{s}/members:2000", "p50_ns")
            cells += [fmt_ns(a20), fmt_ns(a2000),
                      "—" if not a20 or a2000 is None else f"{a2000 / a20:.1f}×"]
        rows.append(cells)
    parts.append("Strategies, p50 per arrival at 20 and 2000 members (10 000 remembered):\n\n" +
                 markdown_table(["strategy", "allot 20", "allot 2000", "allot growth",
                                 "baseline 20", "baseline 2000", "baseline growth"], rows))
    rules = "BM_TagRules/rules:500"
    rows = []
    for what, key in (("p50 without rules", "p50_without_ns"), ("p50 with 500 rules", "p50_ns"),
                      ("added by the rules (with − without)", "added_ns")):
        rows.append([what, fmt_ns(f.counter(rules, key)),
                     fmt_ns(f.counter(baseline_name(rules), key))])
    rows.append(["tags added per arrival", fmt_num(f.counter(rules, "tags_per_arrival")),
                 fmt_num(f.counter(baseline_name(rules), "tags_per_arrival"))])
    parts.append("Tag rules per arrival (20 members), both sides in one run:\n\n" +
                 markdown_table(["", "allot", "baseline"], rows))
    return "\n\n".join(parts)


def all_table(runs):
    rows = []
    for name, run in runs.items():
        if name.startswith("BM_Baseline_"):
            continue
        base = runs.get(baseline_name(name))

        def cells(r):
            if r is None:
                return ["—", "—", "—"]
            if r.get("error_occurred"):
                return ["error: " + r.get("error_message", "")[:60], "—", "—"]
            return [fmt_ns(cpu_ns(r)), fmt_ns(r.get("p50_ns")), fmt_ns(r.get("p99_ns"))]

        r = ratio(cpu_ns(run), cpu_ns(base)) if ok(run) and ok(base) else None
        rows.append([f"`{name}`"] + cells(run) + cells(base) +
                    ["—" if r is None else f"{r:.2f}×"])
    return markdown_table(["benchmark", "allot CPU/op", "p50", "p99", "baseline CPU/op", "p50",
                           "p99", "baseline ÷ allot"], rows)


def command_line(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def host_in_each_run(per_file):
    """The host as each run found it, in run order (machine_bench.cc): its main-memory
    latency and the time of one dependent multiply-add, which follows the core's clock
    (which of the two moved tells where a slower run lost its time), and what a line
    fetched ahead still costs, one at a time and in bursts (what StepBatch can hide)."""
    def each(name, counter, digits):
        values = []
        for runs in per_file:
            run = runs.get(name)
            values.append(f"{run[counter]:.{digits}f}" if ok(run) and counter in run else "—")
        return " / ".join(values)
    return (f"- The host in each run, in order (machine_bench.cc): main-memory latency "
            f"{each('BM_MemoryLatency/MiB:256', 'latency_ns', 0)} ns; one dependent "
            f"multiply-add {each('BM_CoreChain', 'step_ns', 3)} ns (the core's clock); "
            f"a random line read by ~400 ns of work (BM_PrefetchCost), time added when loaded "
            f"as needed {each('BM_PrefetchCost', 'load_ns', 0)} ns, prefetched one at a time "
            f"{each('BM_PrefetchCost', 'lone_ns', 0)} ns, in bursts of 16 "
            f"{each('BM_PrefetchCost', 'burst_ns', 0)} ns")


def machine(context, seconds, per_file):
    model = ""
    for line in command_line("lscpu").splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    compiler = command_line("c++", "--version").splitlines()
    lines = [
        f"- Date: {context.get('date', datetime.datetime.now().isoformat())}",
        f"- CPU: {model or 'unknown'}, {context.get('num_cpus', os.cpu_count())} cores at "
        f"{context.get('mhz_per_cpu', '?')} MHz",
        f"- Kernel: {platform.system()} {platform.release()}",
        f"- Compiler: {compiler[0] if compiler else 'unknown'}, CMake Release (-O3 -DNDEBUG; allot itself also -falign-functions=64)",
        f"- Google Benchmark library build: {context.get('library_build_type', '?')} "
        "(Debian's package; it only times, the code measured is Release)",
        f"- Load average at start: {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))}",
        f"- Runs: {len(per_file)} processes of allot_bench, one after another; every figure "
        "is the median of its values over them",
        host_in_each_run(per_file),
    ]
    if seconds is not None:
        lines.append(f"- scripts/bench.sh took {seconds:.0f} s (build included)")
    return "\n".join(lines)


def plot(runs, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib not available, no plot", file=sys.stderr)
        return False
    f = Figures(runs)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for who, style in (("BM_DecideApply", "o-"), ("BM_Baseline_DecideApply", "s--")):
        label = "allot" if who == "BM_DecideApply" else "baseline"
        for m, color in ((10_000, "tab:green"), (1_000_000, "tab:blue"), (10_000_000, "tab:red")):
            xs, ys = [], []
            for n in (20, 200, 2000):
                v = f.counter(f"{who}/members:{n}/remembered:{m}", "p50_ns")
                if v is not None:
                    xs.append(n)
                    ys.append(v)
            if xs:
                left.plot(xs, ys, style, color=color, label=f"{label}, {m:,} remembered")
        for n, color in ((20, "tab:green"), (200, "tab:blue"), (2000, "tab:red")):
            xs, ys = [], []
            for m in (10_000, 1_000_000, 10_000_000):
                v = f.counter(f"{who}/members:{n}/remembered:{m}", "p50_ns")
                if v is not None:
                    xs.append(m)
                    ys.append(v)
            if xs:
                right.plot(xs, ys, style, color=color, label=f"{label}, {n} members")
    for ax, xlabel in ((left, "members in the WEIGHTED group"),
                       (right, "remembered customers")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Decide+Apply p50 (ns per arrival)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    left.set_title("Cost vs group size")
    right.set_title("Cost vs owner memory size")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def replace_block(text, name, body):
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"report.py: no {begin} … {end} in the document")
    return pattern.sub(lambda _: f"{begin}\n{body}\n{end}", text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("doc")
    parser.add_argument("json", nargs="+")
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args()
    loaded = [load_runs(path) for path in args.json]
    context = loaded[0][0]
    per_file = [runs for _, runs in loaded]
    runs = median_runs(per_file)
    f = Figures(runs)
    with open(args.doc, encoding="utf-8") as fh:
        text = fh.read()
    text = replace_block(text, "table", budget_table(f, [Figures(r) for r in per_file]))
    text = replace_block(text, "growth", growth_tables(f))
    text = replace_block(text, "all", all_table(runs))
    text = replace_block(text, "machine", machine(context, args.seconds, per_file))
    with open(args.doc, "w", encoding="utf-8") as fh:
        fh.write(text)
    png = os.path.join(os.path.dirname(args.doc), "performance.png")
    if plot(runs, png):
        print(f"report.py: wrote {png}")
    # A check that failed in any run is reported: it guards what the benchmark times.
    errors = [(path, n, r.get("error_message")) for path, file_runs in zip(args.json, per_file)
              for n, r in file_runs.items() if r.get("error_occurred")]
    for path, n, message in errors:
        print(f"report.py: {path}: {n}: {message}", file=sys.stderr)
    print(f"report.py: filled {args.doc} from {len(runs)} benchmarks, {len(per_file)} runs")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
