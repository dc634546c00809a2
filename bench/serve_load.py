"""`prover serve` against in-process `prover verify`: the same Dafny items, in one run, cache off.

Items: every team task's reference solution and its statement with an empty body (mostly `failed`),
`dafny_env/tasks/team.jsonl`, the first `--limit` tasks. Passes:
  (a) in process: `get_verifier("dafny").check_many(items)`, what `prover verify` runs (the baseline);
  (b) through a `prover serve` subprocess on loopback (same --workers and --timeout), one item per
      request, from 1, 8 and 32 concurrent clients (`--clients`).
Both start their DafnyServer pools untimed first; (a) runs again after (b), and (b) is also given
against the mean of both (a) runs (a shared machine's load drifts during a run). For each pass: items/s and its ratio to (a),
p50/p95 latency (per item: (a) the verdict's own seconds; (b) the HTTP round trip), and for (b) the
service's own per-item overhead: round trip minus what the server's `Server-Timing` header says the
item spent queued for a verifier and being checked (HTTP, JSON, the event loop and the hand-off to a
worker thread). Verdict statuses of every pass are compared with (a).
Target (issue 21): at 8 clients >= 90% of (a)'s items/s, p50 overhead < 20 ms.

  python bench/serve_load.py --limit 30 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verifier_core.records import Candidate, Task  # noqa: E402
from prover.verifiers import get_verifier  # noqa: E402
from prover.serve.launcher import Server  # noqa: E402


def items(limit: int) -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "dafny_env" / "tasks" / "team.jsonl").read_text().splitlines() if line]
    out = []
    for r in rows[:limit]:
        out.append({"id": f"{r['id']}#ref", "lang": "dafny", "kind": r["kind"], "statement": r["statement"],
                    "candidate": r["reference"]})
        out.append({"id": f"{r['id']}#empty", "lang": "dafny", "kind": r["kind"], "statement": r["statement"],
                    "candidate": "{\n}"})
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def in_process(its: list[dict], workers: int, timeout: float) -> dict:
    v = get_verifier("dafny", cache=False, workers=workers, timeout=timeout)
    try:
        warm = Task("warm", "dafny", "lemma W()\n  ensures 1 + 1 == 2\n")
        v.check_many([(warm, Candidate("warm", "{\n}")), (warm, Candidate("warm", "{ }"))])  # both servers start
        pairs = [(Task(i["id"], "dafny", i["statement"], kind=i["kind"]), Candidate(i["id"], i["candidate"])) for i in its]
        t0 = time.monotonic()
        verdicts = v.check_many(pairs)
        wall = time.monotonic() - t0
    finally:
        v.close()
    secs = [x.seconds for x in verdicts]
    return {"wall": wall, "rate": len(its) / wall, "p50": pct(secs, 0.5), "p95": pct(secs, 0.95),
            "statuses": {i["id"]: x.status for i, x in zip(its, verdicts)}}


def through_server(url: str, its: list[dict], clients: int) -> dict:
    lat, over, queued, checked = [], [], [], []
    statuses: dict[str, str] = {}
    nxt = iter(range(len(its)))
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=url, timeout=600) as http:
            while True:
                with lock:
                    k = next(nxt, None)
                if k is None:
                    return
                t = time.monotonic()
                r = http.post("/v1/verify", json={"items": [its[k]]})
                dt = time.monotonic() - t
                r.raise_for_status()
                timing = dict(part.strip().split(";dur=") for part in r.headers["server-timing"].split(","))
                q, c = float(timing["queue"]) / 1000, float(timing["check"]) / 1000
                with lock:
                    statuses[its[k]["id"]] = r.json()["results"][0]["status"]
                    lat.append(dt)
                    queued.append(q)
                    checked.append(c)
                    over.append(dt - q - c)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    return {"wall": wall, "rate": len(its) / wall, "p50": pct(lat, 0.5), "p95": pct(lat, 0.95),
            "over50": pct(over, 0.5), "over95": pct(over, 0.95), "queue50": pct(queued, 0.5), "check50": pct(checked, 0.5),
            "statuses": statuses}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=30, help="team tasks (two items each; default 30)")
    ap.add_argument("--workers", type=int, default=2, help="verifier processes (default 2)")
    ap.add_argument("--timeout", type=float, default=30.0, help="hard per-item timeout (default 30)")
    ap.add_argument("--clients", default="1,8,32", help="concurrent clients per server pass (default 1,8,32)")
    args = ap.parse_args()
    its = items(args.limit)
    print(f"{len(its)} items, workers {args.workers}, timeout {args.timeout:g} s; load at start: {load()}", flush=True)
    base = in_process(its, args.workers, args.timeout)
    print(f"(a) in process : {base['rate']:6.2f} items/s  wall {base['wall']:6.1f} s  verdict p50 {base['p50']:.3f} s "
          f"p95 {base['p95']:.3f} s  load {load()}", flush=True)
    server = Server("--no-cache", "--workers", str(args.workers), "--timeout", str(args.timeout),
                    "--max-queue", str(max(256, len(its))))
    try:
        warm = {"id": "warm", "lang": "dafny", "statement": "lemma W()\n  ensures 1 + 1 == 2\n", "candidate": "{\n}"}
        with httpx.Client(base_url=server.url, timeout=600) as http:  # start the pool's servers, untimed
            http.post("/v1/verify", json={"items": [warm, {**warm, "id": "warm2", "candidate": "{ }"}]}).raise_for_status()
        rates = []
        for c in (int(x) for x in args.clients.split(",")):
            r = through_server(server.url, its, c)
            rates.append((c, r["rate"]))
            differ = [k for k, s in r["statuses"].items() if s != base["statuses"][k]]
            print(f"(b) {c:2d} clients : {r['rate']:6.2f} items/s  {100 * r['rate'] / base['rate']:5.1f}% of (a)  "
                  f"wall {r['wall']:6.1f} s  latency p50 {r['p50']:.3f} s p95 {r['p95']:.3f} s  "
                  f"queued p50 {1000 * r['queue50']:.1f} ms  check p50 {r['check50']:.3f} s  overhead p50 {1000 * r['over50']:.1f} ms "
                  f"p95 {1000 * r['over95']:.1f} ms  statuses differing from (a): {len(differ)} {differ[:3]}  "
                  f"load {load()}", flush=True)
    finally:
        server.stop()
    again = in_process(its, args.workers, args.timeout)  # the machine may have changed meanwhile
    mean = (base["rate"] + again["rate"]) / 2
    vs_mean = ", ".join(f"{c} clients {100 * r / mean:.1f}%" for c, r in rates)
    print(f"(a) again      : {again['rate']:6.2f} items/s  wall {again['wall']:6.1f} s  verdict p50 {again['p50']:.3f} s "
          f"p95 {again['p95']:.3f} s  load {load()}\n(b) against the mean of both (a): {vs_mean}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
