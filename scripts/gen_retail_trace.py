#!/usr/bin/env python3
"""Generates examples/retail/events.jsonl: one busy Tuesday at a retail chain.

Deterministic (fixed seed). Arrivals follow a day curve with a lunch peak at the stores and
an evening peak in the live room; about one arrival in six is a customer coming back (often
under another key, e.g. their unionid after first scanning with a phone number). The host
sends a tick every minute; one employee pauses for two hours and the sales group gets an
evening surge.

Friend requests are accepted the way a host reports them: the script drives the allot
command (built in build/release) through the day, a batch of events at a time through a saved
state, and each assignment it makes (new, released or transferred) is accepted by its
employee 15 s to 2.5 min later with probability 0.85; the rest go unanswered and move to a
colleague after the config's accept_timeout.

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


def line(at, body):
    return json.dumps({"at": stamp(at), **body}, ensure_ascii=False, separators=(",", ":"))


def main(allot, out_path, seed=7):
    """Replays the base events in batches, adding each assignment's callback as it happens."""
    rng = random.Random(seed)
    pending = sorted(base_events(), key=lambda e: (e[0], e[1]))
    keys_of = {}
    for _, _, body in pending:
        if "arrival" in body:
            customer = body["arrival"]["customer"]
            keys_of.setdefault(customer["ref"], customer["keys"][:1])
    callbacks = []  # (time, order, body), kept sorted
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        state, batch_path, decisions = (os.path.join(tmp, n) for n in
                                        ("state.pb", "batch.jsonl", "decisions.jsonl"))
        while pending or callbacks:
            # A batch ends before the next callback, and within 15 s of its start: no callback
            # it causes can come earlier.
            horizon = [callbacks[0][0]] if callbacks else []
            if pending:
                horizon.append(pending[0][0] + timedelta(seconds=15))
            until = min(horizon)
            batch = []
            while pending and pending[0][0] < until:
                batch.append(pending.pop(0))
            if not batch:
                batch.append(callbacks.pop(0))
            with open(batch_path, "w", encoding="utf-8") as f:
                for at, _, body in batch:
                    f.write(line(at, body) + "\n")
            args = [allot, "replay", "--config", CONFIG, "--events", batch_path,
                    "--decisions-out", decisions, "--state-out", state]
            if written:
                args += ["--state-in", state]
            subprocess.run(args, check=True)
            written += batch
            with open(decisions, encoding="utf-8") as f:
                for (at, _, _), out in zip(batch, f):
                    for a in json.loads(out).get("assignments", []):
                        if a["reason"] not in ("NEW", "RETURNING", "RELEASED", "TRANSFERRED"):
                            continue
                        if a["customer"] not in keys_of or rng.random() >= 0.85:
                            continue
                        accepted = {"customer": {"ref": a["customer"],
                                                 "keys": keys_of[a["customer"]]},
                                    "employee": a["employee"]}
                        callbacks.append((at + timedelta(seconds=rng.uniform(15, 150)), 2,
                                          {"accepted": accepted}))
            callbacks.sort(key=lambda e: (e[0], e[1]))
    with open(out_path, "w", encoding="utf-8") as f:
        for at, _, body in written:
            f.write(line(at, body) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/release/allot",
         sys.argv[2] if len(sys.argv) > 2 else "examples/retail/events.jsonl")
