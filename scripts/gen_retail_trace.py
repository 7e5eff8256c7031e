#!/usr/bin/env python3
"""Generates examples/retail/events.jsonl: one busy Tuesday at a retail chain.

Deterministic (fixed seed). Arrivals follow a day curve with a lunch peak at the stores and
an evening peak in the live room; about one arrival in six is a customer coming back (often
under another key, e.g. their unionid after first scanning with a phone number). The host
sends a tick every minute; one employee pauses for two hours and the sales group gets an
evening surge.

Friend requests are accepted the way a host reports them: the trace is replayed through the
allot command (built in build/release), and about 85% of the resulting assignments get an
`accepted` callback from their employee 15 s to 2.5 min later; the rest go unanswered and are
transferred after the config's accept_timeout. Two rounds bring the callbacks close to the
final assignments; a callback that no longer matches is a harmless late one.

    python3 scripts/gen_retail_trace.py [ALLOT] [OUT]
"""
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=8))
DAY = datetime(2026, 11, 24, tzinfo=TZ)
CONFIG = "examples/retail/config.txtpb"

# Relative arrival rate per hour of the day, per entry.
STORE = [0, 0, 0, 0, 0, 0, 0, 1, 3, 6, 9, 12, 14, 10, 8, 8, 9, 10, 8, 6, 4, 2, 1, 0]
LIVE = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 4, 10, 16, 18, 12, 4]


def stamp(t):
    return t.isoformat(timespec="seconds")


def base_events(arrivals=1400, seed=20261124):
    """(time, order, event, keys) of arrivals, ticks, a pause and a surge."""
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
    return events


def write(events, path):
    events = sorted(events, key=lambda e: (e[0], e[1]))
    with open(path, "w", encoding="utf-8") as f:
        for at, _, body in events:
            f.write(json.dumps({"at": stamp(at), **body}, ensure_ascii=False,
                               separators=(",", ":")) + "\n")
    return events


def callbacks(events, decisions_path, seed):
    """Accepted events for about 85% of the assignments the replay made."""
    rng = random.Random(seed)
    keys_of = {}
    for _, _, body in events:
        if "arrival" in body:
            customer = body["arrival"]["customer"]
            keys_of.setdefault(customer["ref"], customer["keys"][:1])
    out = []
    with open(decisions_path, encoding="utf-8") as f:
        for (at, _, _), line in zip(events, f):
            for a in json.loads(line).get("assignments", []):
                if a["reason"] not in ("NEW", "RETURNING", "RELEASED", "TRANSFERRED"):
                    continue
                if a["customer"] not in keys_of or rng.random() >= 0.85:
                    continue
                accepted = {"customer": {"ref": a["customer"], "keys": keys_of[a["customer"]]},
                            "employee": a["employee"]}
                out.append((at + timedelta(seconds=rng.uniform(15, 150)), 2,
                            {"accepted": accepted}))
    return out


def main(allot, out_path):
    base = base_events()
    events = write(base, out_path)
    with tempfile.TemporaryDirectory() as tmp:
        decisions = os.path.join(tmp, "decisions.jsonl")
        for round_seed in (1, 2):
            subprocess.run([allot, "replay", "--config", CONFIG, "--events", out_path,
                            "--decisions-out", decisions], check=True)
            events = write(base + callbacks(events, decisions, round_seed), out_path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/release/allot",
         sys.argv[2] if len(sys.argv) > 2 else "examples/retail/events.jsonl")
