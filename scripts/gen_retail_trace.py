#!/usr/bin/env python3
"""Generates examples/retail/events.jsonl: one busy Tuesday at a retail chain.

Deterministic (fixed seed). Arrivals follow a day curve with a lunch peak at the stores and
an evening peak in the live room; about one arrival in six is a customer coming back (often
under another key, e.g. their unionid after first scanning with a phone number). The host
sends a tick every minute; one employee pauses for two hours and the sales group gets an
evening surge.
"""
import json
import random
import sys
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=8))
DAY = datetime(2026, 11, 24, tzinfo=TZ)
EMPLOYEES = ["wang", "zhang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou",
             "xu", "sun"]

# Relative arrival rate per hour of the day, per entry.
STORE = [0, 0, 0, 0, 0, 0, 0, 1, 3, 6, 9, 12, 14, 10, 8, 8, 9, 10, 8, 6, 4, 2, 1, 0]
LIVE = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 4, 10, 16, 18, 12, 4]


def stamp(t):
    return t.isoformat(timespec="seconds")


def main(out_path, arrivals=1400, seed=20261124):
    rng = random.Random(seed)
    events = []
    weights = [(h, "store-qr", w) for h, w in enumerate(STORE)] + \
              [(h, "live-room", w) for h, w in enumerate(LIVE)]
    total = sum(w for _, _, w in weights)
    seen = []
    for i in range(arrivals):
        r = rng.uniform(0, total)
        for hour, entry, w in weights:
            r -= w
            if r <= 0:
                break
        at = DAY + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
        if seen and rng.random() < 0.17:
            ref, phone, unionid = rng.choice(seen)
            keys = [rng.choice([f"phone:{phone}", f"unionid:{unionid}"])]
        else:
            ref = f"c{i:05d}"
            phone = f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}"
            unionid = f"o6_{rng.getrandbits(40):010x}"
            keys = [f"phone:{phone}"]
            if rng.random() < 0.4:
                keys.append(f"unionid:{unionid}")
            seen.append((ref, phone, unionid))
        arrival = {"entry": entry, "customer": {"ref": ref, "keys": keys},
                   "channel": "offline" if entry == "store-qr" else "video",
                   "city": rng.choice(["上海", "上海", "上海", "杭州", "苏州"])}
        events.append((at, 1, {"arrival": arrival}))
    for minute in range(24 * 60):
        events.append((DAY + timedelta(minutes=minute), 0, {"tick": {}}))
    events.append((DAY + timedelta(hours=14), 0,
                   {"employee_status": {"employee": "zhou", "status": "PAUSED"}}))
    events.append((DAY + timedelta(hours=16), 0,
                   {"employee_status": {"employee": "zhou", "status": "ACTIVE"}}))
    events.append((DAY + timedelta(hours=19, minutes=30), 0,
                   {"surge": {"group": "sales", "extra": 0.2, "duration": "2h"}}))
    events.sort(key=lambda e: (e[0], e[1]))
    with open(out_path, "w", encoding="utf-8") as f:
        for at, _, body in events:
            f.write(json.dumps({"at": stamp(at), **body}, ensure_ascii=False,
                               separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "examples/retail/events.jsonl")
