#!/usr/bin/python3
"""What if the sales floor had equal weights and a daily cap of 40?

Replays one day of traffic (by default examples/retail/) under two configs and compares them:

  A  the config as it is: weights 1.5 / 1.0 / 0.7, daily caps of 60 (the supervisor's 40)
  B  the same with every weight 1.0 and every daily cap at most 40

Prints a table per employee (assignments, share of the group's assignments, share of the
group's weight, for A and B) and the outcomes of each config, writes the table to
OUT/whatif.csv and a chart to OUT/whatif.png: assignments per employee per hour under A and
B, and share against weight.

A recorded trace's friend-request callbacks (`accepted`, `lost`) belong to the allocation
that was recorded: under another config the customers go to other employees, whose callbacks
the trace does not have, and they would look unresponsive. So both configs are replayed
without those events and with acceptance tracking off (no accept_timeout, no throttle):
the comparison isolates weights and caps. --as-recorded keeps them (B then suffers from
callbacks that name A's employees).

"Assignments" are new adds: NEW, RETURNING, RELEASED (from the hold pool), TRANSFERRED (to
the receiving employee) and INHERITED; a repeat routed to its owner (OWNER) is not one.

    PYTHONPATH=build/release/bindings/python /usr/bin/python3 examples/analyst/whatif.py \\
        [--config C] [--events E.jsonl] [--out DIR]

Needs pandas and matplotlib (Debian: python3-pandas, python3-matplotlib).
"""

from __future__ import annotations

import argparse
import copy
import json
import pathlib
import sys
from typing import Any

import allot

HERE = pathlib.Path(__file__).resolve().parent
RETAIL = HERE.parent / "retail"
NOT_AN_ADD = "OWNER"  # assignment reason that is a re-route, not a new add
EQUAL_CAP = 40

DESCRIPTIONS = {
    "A": "weights 1.5/1.0/0.7, daily cap 60",
    "B": f"equal weights, daily cap <= {EQUAL_CAP}",
}


CALLBACKS = ("accepted", "lost")  # events that name the recorded allocation's employees


def without_acceptance(config: dict[str, Any]) -> dict[str, Any]:
    """`config` with acceptance tracking off: no accept_timeout (so no transfers and nobody
    unresponsive) and no throttle by acceptance rate."""
    config = copy.deepcopy(config)
    config.get("buffer", {}).pop("accept_timeout", None)
    config.pop("throttle", None)
    return config


def scenarios(base: dict[str, Any], as_recorded: bool = False) -> dict[str, dict[str, Any]]:
    """The two configs compared, derived from `base` (a config dict, see allot.parse_config):
    A is `base`; B has every employee and member weight at 1.0 and every daily cap at most
    EQUAL_CAP. Unless `as_recorded`, both have acceptance tracking off."""
    if not as_recorded:
        base = without_acceptance(base)
    equal = copy.deepcopy(base)
    for employee in equal.get("employees", []):
        employee.pop("weight", None)
        caps = employee.get("caps", {})
        if "daily" in caps:
            caps["daily"] = min(caps["daily"], EQUAL_CAP)
    for group in equal.get("groups", []):
        for member in group.get("members", []):
            member.pop("weight", None)
    defaults = equal.setdefault("default_caps", {})
    defaults["daily"] = min(defaults.get("daily", EQUAL_CAP), EQUAL_CAP)
    return {"A": copy.deepcopy(base), "B": equal}


def weights(config: dict[str, Any]) -> dict[str, tuple[str, float]]:
    """Employee → (their first group, employee weight × member weight)."""
    employee_weight = {e["id"]: e.get("weight", 1.0) for e in config.get("employees", [])}
    result: dict[str, tuple[str, float]] = {}
    for group in config.get("groups", []):
        for member in group.get("members", []):
            who = member["employee"]
            if who not in result:
                result[who] = (group["id"], employee_weight[who] * member.get("weight", 1.0))
    for who, w in employee_weight.items():
        result.setdefault(who, ("", w))
    return result


def compare(config: dict[str, Any], events: list[dict], as_recorded: bool = False
            ) -> tuple[Any, Any, dict[str, Any]]:
    """Replays `events` under both scenarios of `config` (see `scenarios`; unless
    `as_recorded`, without the callback events).

    Returns (table, outcomes, frames): the per-employee table, the outcome counts per
    scenario, and each scenario's replay_frame.
    """
    import pandas

    configs = scenarios(config, as_recorded)
    if not as_recorded:
        events = [e for e in events if not any(k in e for k in CALLBACKS)]
    frames = {name: allot.replay_frame(c, events) for name, c in configs.items()}
    table = pandas.DataFrame(index=[e["id"] for e in config["employees"]])
    table.index.name = "employee"
    outcomes = {}
    for name, frame in frames.items():
        info = weights(configs[name])
        assigned = frame[(frame.kind == "assigned") & (frame.reason != NOT_AN_ADD)]
        table["group"] = [info[e][0] for e in table.index]
        table[f"weight_{name}"] = [info[e][1] for e in table.index]
        table[f"assigned_{name}"] = assigned.groupby("employee").size().reindex(
            table.index, fill_value=0)
        by_group = table.groupby("group")
        table[f"share_{name}"] = 100 * table[f"assigned_{name}"] / by_group[
            f"assigned_{name}"].transform("sum").where(lambda s: s > 0)
        table[f"weight_share_{name}"] = 100 * table[f"weight_{name}"] / by_group[
            f"weight_{name}"].transform("sum")
        reasons = frame[frame.kind == "assigned"].reason.value_counts()
        outcomes[name] = {
            "arrivals": sum(1 for e in events if "arrival" in e),
            "assigned": len(assigned),
            "owner_routed": int(reasons.get(NOT_AN_ADD, 0)),
            "released": int(reasons.get("RELEASED", 0)),
            "transferred": int(reasons.get("TRANSFERRED", 0)),
            "held": int((frame.kind == "held").sum()),
            "rejected": int((frame.kind == "rejected").sum()),
        }
    columns = ["group"] + [f"{c}_{n}" for n in frames for c in
                           ("weight", "assigned", "share", "weight_share")]
    return table[columns], pandas.DataFrame(outcomes), frames


def plot(table: Any, frames: dict[str, Any], path: pathlib.Path) -> None:
    """Writes the chart: a heatmap of assignments per employee per hour for each scenario, and
    each employee's share of their group's assignments against their share of its weight."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    employees = list(table.index)
    grids = {}
    for name, frame in frames.items():
        assigned = frame[(frame.kind == "assigned") & (frame.reason != NOT_AN_ADD)]
        grid = assigned.groupby([assigned.employee, assigned.time.dt.hour]).size().unstack(
            fill_value=0)
        grids[name] = grid.reindex(index=employees, columns=range(24), fill_value=0)
    top = max(int(g.values.max()) for g in grids.values()) or 1

    fig = plt.figure(figsize=(15, 11), constrained_layout=True)
    layout = fig.add_gridspec(2, 2)
    for column, (name, grid) in enumerate(grids.items()):
        ax = fig.add_subplot(layout[0, column])
        image = ax.imshow(grid.values, aspect="auto", cmap="viridis", vmin=0, vmax=top)
        ax.set_title(f"{name}: {DESCRIPTIONS[name]} — {int(grid.values.sum())} assignments")
        ax.set_xticks(range(0, 24, 2))
        ax.set_xlabel("hour (local)")
        ax.set_yticks(range(len(employees)), employees)
        fig.colorbar(image, ax=ax, label="assignments per hour")

    ax = fig.add_subplot(layout[1, :])
    limit = 5
    for name, marker, offset in zip(grids, ("o", "s"), (6, -12)):
        x, y = table[f"weight_share_{name}"], table[f"share_{name}"]
        ax.scatter(x, y, marker=marker, s=60, label=f"{name}: {DESCRIPTIONS[name]}")
        points: dict[tuple[float, float], list[str]] = {}
        for employee in employees:
            if y[employee] == y[employee]:  # not NaN (a group with no assignments)
                points.setdefault((round(x[employee]), round(y[employee])),
                                  []).append(employee)
        for (px, py), names in points.items():
            label = ", ".join(names[:4]) + (f" +{len(names) - 4}" if len(names) > 4 else "")
            ax.annotate(f"{name}: {label}", (px, py), fontsize=7, xytext=(6, offset),
                        textcoords="offset points")
        limit = max(limit, float(x.max()), float(y.max(skipna=True)))
    ax.plot([0, limit * 1.05], [0, limit * 1.05], color="grey", linestyle="--",
            label="share = weight share")
    ax.set_xlabel("share of the group's weight (%)")
    ax.set_ylabel("share of the group's assignments (%)")
    ax.set_title("Share vs weight, within each group")
    ax.legend()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=pathlib.Path, default=RETAIL / "config.txtpb")
    parser.add_argument("--events", type=pathlib.Path, default=RETAIL / "events.jsonl")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("build/analyst"))
    parser.add_argument("--as-recorded", action="store_true",
                        help="keep accepted/lost events and acceptance tracking")
    args = parser.parse_args(argv)
    try:
        import matplotlib  # noqa: F401
        import pandas
    except ImportError as missing:
        print(f"whatif: {missing.name} is needed (Debian: apt install python3-pandas "
              "python3-matplotlib)", file=sys.stderr)
        return 2

    config = allot.parse_config(args.config)
    with open(args.events, encoding="utf-8") as lines:
        events = [json.loads(line) for line in lines if line.strip()]
    table, outcomes, frames = compare(config, events, args.as_recorded)

    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "whatif.csv", float_format="%.2f")
    plot(table, frames, args.out / "whatif.png")

    print(f"What-if on {args.events} ({len(events)} events"
          + (")" if args.as_recorded else "; callbacks dropped, acceptance tracking off)"))
    for name, text in DESCRIPTIONS.items():
        print(f"  {name}: {text}")
    print()
    shown = table.copy()
    for column in shown.columns:
        if column.startswith(("share_", "weight_share_")):
            shown[column] = shown[column].map(lambda v: "-" if v != v else f"{v:.1f}%")
        elif column.startswith("weight_"):
            shown[column] = shown[column].map(lambda v: f"{v:g}")
    total = {c: (int(table[c].sum()) if c.startswith("assigned_") else "") for c in shown}
    shown.loc["TOTAL"] = total
    print("Per employee (share and weight share are within the employee's group):")
    print(shown.to_string())
    print()
    print("Outcomes (assigned = new adds; held and rejected count decisions):")
    print(outcomes.to_string())
    print()
    print(f"wrote {args.out / 'whatif.csv'} and {args.out / 'whatif.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
