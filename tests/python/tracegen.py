"""A seeded generator of event traces that exercise every event kind and most of the pipeline.

`CONFIG` is the SPEC's Appendix A config with tight caps, so that a few hundred arrivals hit
daily, hourly and pressure caps, the reserve, the hold pool (and its expiry), transfers,
off-hours holds, dedup, tag rules, regions, stores and districts. `trace(seed, n)` returns
the events as dicts in the CLI's JSON form, in time order, plus a few bad ones (unknown
entry or employee, a surge above 20%, a time going backwards, an unknown field) that the
engine must reject without changing anything.

Friend requests are accepted the way a host reports them: the generator follows the trace
with an allot.Engine and has each assignment accepted by its employee 15 s to 4 min later
with probability 0.8; the rest go unanswered and are transferred after accept_timeout.
"""

from __future__ import annotations

import heapq
import random
from datetime import datetime, timedelta, timezone

CONFIG = """
tenant: "trace"
time_zone: "Asia/Shanghai"
seed: 7
default_caps { daily: 30 pressure { max: 4 window: "30m" } }
level_factors { key: "supervisor" value: 0.7 }
employees { id: "wang" weight: 1.5
  caps { daily: 12 hourly { start: "09:00" end: "12:00" per_hour: 3 }
         pressure { max: 3 window: "30m" } } }
employees { id: "li" }
employees { id: "zhao" weight: 0.7 level: "supervisor"
  schedule { days: [MON, TUE, WED, THU, FRI] start: "09:00" end: "18:00" } }
employees { id: "chen" regions: "north" }
employees { id: "backup1" }
employees { id: "backup2" weight: 2 }
groups { id: "sales" strategy: WEIGHTED
  members { employee: "wang" } members { employee: "li" } members { employee: "zhao" }
  backups: "standby" }
groups { id: "standby" strategy: ROUND_ROBIN
  members { employee: "backup1" } members { employee: "backup2" } }
groups { id: "north-team" strategy: LEAST_LOADED members { employee: "chen" } region: "north" }
entries { id: "store-qr" channel: "offline" group: "sales"
  hours { days: [MON, TUE, WED, THU, FRI, SAT, SUN] start: "09:00" end: "21:00" }
  off_hours: HOLD_UNTIL_OPEN tags: "门店" }
entries { id: "live-room" channel: "video" group: "sales"
  slots { days: [SAT, SUN] start: "19:00" end: "23:00" group: "standby" } }
entries { id: "link" channel: "ads" group: "standby" tags: "获客链接" dedup_scope: ENTRY }
dedup { window: "72h" scope: TENANT remember: "720h" returning_tag: "二次触达"
        on_owner_unavailable: REASSIGN prefer_previous_owner: true }
buffer { reserve_fraction: 0.2 hold_capacity: 12 max_hold: "1h"
         accept_timeout: "3m" max_transfers: 2 }
tag_rules { name: "night-owl"
  when { local_time { start: "00:00" end: "05:00" } attributes { key: "coupon_used" value: "false" } }
  add_tags: "夜猫子" }
tag_rules { name: "phone-intent" when { keywords: "想买手机" } add_tags: "手机意向" route_to_group: "standby" }
tag_groups { name: "skin" exclusive: true tags: ["敏感肌", "油性肌"] }
regions { id: "north" cities: ["北京", "天津"] group: "north-team" weight_factor: 1.0 protect: true }
stores { id: "jingan" geo { lat: 31.2286 lng: 121.4452 } radius_m: 5000 group: "standby" }
districts { id: "xujiahui" employee: "li" }
alerts { capacity_ratio: 0.7 }
"""

EMPLOYEES = ["wang", "li", "zhao", "chen", "backup1", "backup2"]
ENTRIES = ["store-qr", "live-room", "link"]
TZ = timezone(timedelta(hours=8))


def _stamp(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def trace(seed: int, n: int = 600, start: datetime = datetime(2026, 11, 24, 7, 0, tzinfo=TZ)
          ) -> list[dict]:
    """`n` events (dicts in the CLI's JSON form) from a generator seeded with `seed`."""
    import allot

    engine = allot.Engine(CONFIG)
    state = allot.State()
    rng = random.Random(seed)
    t = start
    customers: list[tuple[str, list[str]]] = []
    keys_of: dict[str, list[str]] = {}
    events: list[dict] = []
    accepts: list[tuple[datetime, int, dict]] = []  # (time, order, event), a heap

    def emit(event: dict) -> None:
        events.append(event)
        try:
            decision = engine.step(event, state)
        except allot.Error:
            return
        for a in decision.get("assignments", ()):
            keys = keys_of.get(a["customer"])
            if keys and a["reason"] != "OWNER" and rng.random() < 0.8:
                when = t + timedelta(seconds=rng.randrange(15, 240))
                heapq.heappush(accepts, (when, len(events) * 100 + len(accepts), {
                    "at": _stamp(when), "accepted": {
                        "customer": {"ref": a["customer"], "keys": keys},
                        "employee": a["employee"]}}))

    for i in range(n):
        t += timedelta(seconds=rng.choice([5, 20, 45, 90, 240, 600]))
        while accepts and accepts[0][0] <= t:
            emit(heapq.heappop(accepts)[2])
        at = _stamp(t)
        r = rng.random()
        if r < 0.55 or not customers:  # an arrival, new or repeat, under one or two keys
            if customers and rng.random() < 0.25:
                ref, keys = rng.choice(customers)
                keys = [rng.choice(keys)] if rng.random() < 0.5 else keys
            else:
                ref = f"c{i}"
                keys = [f"phone:138{rng.randrange(10**8):08d}"]
                if rng.random() < 0.4:
                    keys.append(f"unionid:u{rng.randrange(10**6)}")
                customers.append((ref, keys))
                keys_of[ref] = keys
            arrival: dict = {"entry": rng.choice(ENTRIES), "customer": {"ref": ref, "keys": keys}}
            extra = rng.random()
            if extra < 0.15:
                arrival["city"] = rng.choice(["北京", "上海", "天津"])
            elif extra < 0.25:
                arrival["district"] = "xujiahui"
            elif extra < 0.32:
                arrival["geo"] = {"lat": 31.23, "lng": 121.44}
            if rng.random() < 0.1:
                arrival["message"] = "我想买手机"
            if rng.random() < 0.1:
                arrival["tags"] = [rng.choice(["敏感肌", "油性肌"])]
            if rng.random() < 0.1:
                arrival["attributes"] = {"coupon_used": "false"}
            if rng.random() < 0.15:
                arrival["explain"] = True
            emit({"at": at, "arrival": arrival})
        elif r < 0.62:  # a late or wrong callback: accepted by anyone
            ref, keys = rng.choice(customers)
            emit({"at": at, "accepted": {"customer": {"ref": ref, "keys": keys},
                                                  "employee": rng.choice(EMPLOYEES)}})
        elif r < 0.74:
            ref, keys = rng.choice(customers)
            emit({"at": at, "lost": {"customer": {"ref": ref, "keys": keys},
                                              "employee": rng.choice(EMPLOYEES)}})
        elif r < 0.88:
            emit({"at": at, "tick": {}})
        elif r < 0.92:
            status = rng.choice(["ACTIVE"] * 5 + ["PAUSED", "ON_LEAVE", "DEPARTED"])
            emit({"at": at, "employee_status": {"employee": rng.choice(EMPLOYEES),
                                                         "status": status}})
        elif r < 0.94:
            who = {"group": "sales"} if rng.random() < 0.5 else {"employee": "wang"}
            emit({"at": at, "surge": {**who, "extra": rng.choice([0.1, 0.2, 0.5]),
                                               "duration": rng.choice(["30m", "2h", "3h"])}})
        elif r < 0.97:
            ref = f"o{i}"
            emit({"at": at, "observed": {
                "entry": rng.choice(ENTRIES),
                "customer": {"ref": ref, "keys": [f"external_userid:wm{rng.randrange(10**6)}"]},
                "employee": rng.choice(EMPLOYEES)}})
        else:  # bad events: each must be rejected and change nothing
            bad = rng.choice(["entry", "employee", "past", "field"])
            if bad == "entry":
                emit({"at": at, "arrival": {"entry": "nowhere",
                                                     "customer": {"ref": "x", "keys": ["phone:1"]}}})
            elif bad == "employee":
                emit({"at": at, "employee_status": {"employee": "nobody"}})
            elif bad == "past":
                emit({"at": _stamp(t - timedelta(hours=1)), "tick": {}})
            else:
                emit({"at": at, "arrival": {"entree": "store-qr"}})
    return events
