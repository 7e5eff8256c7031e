"""A columnar view of a replay: one row per outcome, for analysis.

`replay_columns` returns plain lists; `replay_frame` returns a pandas DataFrame when pandas is
installed (Debian's python3-pandas) and the same columns as a dict otherwise, so pandas is
never required to import allot.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone, tzinfo
from typing import Any, Iterable, Optional, Union

from allot._allot import Engine, State, replay

# The columns, in order.
#   event         index of the event in `events` whose decision has the outcome
#   time          the event's time (an aware datetime in the config's time zone)
#   kind          "assigned", "held" or "rejected"
#   entry         the assignment's entry; for a hold or rejection, the arrival's entry when
#                 the outcome is about the arriving customer, else None
#   customer      the customer's ref (for an INHERITED assignment, its key tokens)
#   employee      the assigned employee (None when held or rejected)
#   group         the assigning group (None when held, rejected or owner-routed)
#   reason        the assignment's, hold's or rejection's reason (NEW, OWNER, OFF_HOURS, ...)
#   used_reserve  whether the assignment used reserve capacity
#   tags          tags the decision added to this customer (the arriving one), as a tuple
COLUMNS = (
    "event",
    "time",
    "kind",
    "entry",
    "customer",
    "employee",
    "group",
    "reason",
    "used_reserve",
    "tags",
)


def _zone(name: str) -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no tz database: times stay in UTC
        return timezone.utc


def _as_dict(event: Any) -> dict:
    if isinstance(event, dict):
        return event
    try:
        parsed = json.loads(event)
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def replay_columns(
    config: Any,
    events: Iterable[Union[dict, str]],
    state: Optional[State] = None,
    *,
    keep_going: bool = False,
) -> dict[str, list]:
    """Replays `events` like `allot.replay` and returns one row per outcome, by column.

    Arguments are those of `allot.replay`. Each assignment, hold and rejection of each
    decision is a row; the columns are `COLUMNS` (see the comment there). Returns a dict from
    column name to a list, all of one length.
    """
    engine = config if isinstance(config, Engine) else Engine(config)
    events = list(events)
    decisions = replay(engine, events, state, keep_going=keep_going)
    zone = _zone(engine.time_zone)
    columns: dict[str, list] = {name: [] for name in COLUMNS}

    def add(index: int, time: datetime, kind: str, entry: Optional[str], customer: str,
            employee: Optional[str], group: Optional[str], reason: Optional[str],
            used_reserve: bool, tags: tuple) -> None:
        for name, value in zip(COLUMNS, (index, time, kind, entry, customer, employee, group,
                                         reason, used_reserve, tags)):
            columns[name].append(value)

    for index, (event, decision) in enumerate(zip(events, decisions)):
        if "at" not in decision:  # a bad event kept going: no outcome
            continue
        time = datetime.fromisoformat(decision["at"].replace("Z", "+00:00")).astimezone(zone)
        arrival = _as_dict(event).get("arrival") or {}
        arriving = (arrival.get("customer") or {}).get("ref")
        added = tuple(decision.get("tags_added", ()))

        def about_arrival(customer: str) -> tuple[Optional[str], tuple]:
            if arrival and customer == arriving:
                return arrival.get("entry"), added
            return None, ()

        for a in decision.get("assignments", ()):
            _, tags = about_arrival(a["customer"])
            add(index, time, "assigned", a.get("entry"), a["customer"], a.get("employee"),
                a.get("group"), a.get("reason"), bool(a.get("used_reserve", False)), tags)
        for h in decision.get("held", ()):
            entry, tags = about_arrival(h["customer"])
            add(index, time, "held", entry, h["customer"], None, None, h.get("reason"), False,
                tags)
        for r in decision.get("rejections", ()):
            entry, tags = about_arrival(r["customer"])
            add(index, time, "rejected", entry, r["customer"], None, None, r.get("reason"),
                False, tags)
    return columns


def replay_frame(
    config: Any,
    events: Iterable[Union[dict, str]],
    state: Optional[State] = None,
    *,
    keep_going: bool = False,
) -> Any:
    """`replay_columns` as a pandas DataFrame: one row per outcome, columns `COLUMNS`.

    `time` is a datetime64 column in the config's time zone (so `df.time.dt.hour` is the
    local hour). Without pandas, returns the dict of columns that `replay_columns` returns.
    """
    columns = replay_columns(config, events, state, keep_going=keep_going)
    try:
        import pandas
    except ImportError:
        return columns
    frame = pandas.DataFrame(columns, columns=list(COLUMNS))
    if len(frame) == 0:  # keep the column types of a non-empty frame
        frame["time"] = pandas.to_datetime(frame["time"], utc=True)
        frame["event"] = frame["event"].astype("int64")
        frame["used_reserve"] = frame["used_reserve"].astype(bool)
    return frame
