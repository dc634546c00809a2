"""`prover serve` under load and faults (real Dafny, real HTTP): 32 clients, a full queue, a killed
DafnyServer, a client that goes away, SIGTERM and SIGKILL of the server."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("fastapi", reason="the `serve` extra is not installed (pip install -e '.[serve]')")

import httpx  # noqa: E402 (after the guard)

from verifier_core.languages import language
from prover.client import VerifierClient
from prover.serve.launcher import Server
from tests.helpers.serve_server import alive, cmdline, descendants

pytestmark = pytest.mark.skipif(not language("dafny").doctor()["found"], reason="no Dafny installed (see `prover doctor`)")

SPEC = "method Inc(x: int) returns (y: int)\n  ensures y > x\n"
HANG = "".join(f"lemma Hang{i}(x: int, y: int, z: int)\n  requires x > 0 && y > 0 && z > 0 && x*x + y*y == z*z\n"
               "  ensures (x*y) % 3 == 0 && (x*y) % 4 == 0\n{}\n" for i in range(3))


def item(iid, k: int) -> dict:
    """`k > 0` verifies, `k <= 0` fails; every k is a different program (no cache hit across k)."""
    return {"id": iid, "lang": "dafny", "statement": SPEC, "candidate": f"{{ y := x + {k}; }}" if k > 0 else f"{{ y := x - {-k}; }}"}


def hang(iid) -> dict:
    return {"id": iid, "lang": "dafny", "statement": "lemma Hang()\n  ensures true\n",
            "candidate": f"lemma Hang()\n  ensures true\n{{\n}}\n// {iid}\n" + HANG, "timeout": 3}


def expected(it: dict) -> str:
    return "verified" if "+" in it["candidate"] else "failed"


def verifier_pids(server: Server) -> list[int]:
    return [p for p in descendants(server.proc.pid) if "DafnyServer" in cmdline(p)]


def test_32_clients_every_item_answered_once(tmp_path):
    s = Server("--workers", "2", "--max-queue", "48", "--max-items", "4", cache_dir=str(tmp_path / "cache"))
    answered: Counter = Counter()
    wrong: list = []
    stop = time.monotonic() + 8

    def client(c: int) -> int:
        n = 0
        with VerifierClient(s.url, backoff=0.2, retries=30) as vc:
            while time.monotonic() < stop:
                items = [item(f"{c}-{n}-{j}", (c + n + j) % 7 - 2) for j in range(3)]
                for it, rec in zip(items, vc.verify(items)):
                    answered[rec["id"]] += 1
                    if rec["id"] != it["id"] or rec["status"] != expected(it):
                        wrong.append((it, rec))
                n += 1
        return n

    try:
        with ThreadPoolExecutor(32) as ex:
            requests = sum(ex.map(client, range(32)))
        assert not wrong, wrong[:3]
        assert requests >= 32 and len(answered) == 3 * requests and set(answered.values()) == {1}
        h = httpx.get(s.url + "/health").json()
        assert h["queue"]["depth"] == 0
    finally:
        s.stop()


def test_a_full_queue_answers_429_and_the_clients_retries_succeed():
    s = Server("--no-cache", "--workers", "1", "--max-queue", "2", "--max-items", "2")
    try:
        with ThreadPoolExecutor(1) as ex:
            slow = ex.submit(httpx.post, s.url + "/v1/verify", json={"items": [hang("h1"), hang("h2")]}, timeout=120)
            while httpx.get(s.url + "/health").json()["queue"]["depth"] < 2:
                time.sleep(0.05)
            full = httpx.post(s.url + "/v1/verify", json={"items": [item("a", 1)]}, timeout=60)
            assert full.status_code == 429 and int(full.headers["retry-after"]) >= 1
            assert "max_queue" in full.text
            with VerifierClient(s.url, backoff=0.2) as vc:
                (rec,) = vc.verify([item("a", 1)])
            assert rec["status"] == "verified"
            assert [r["status"] for r in slow.result().json()["results"]] == ["timeout", "timeout"]
        m = httpx.get(s.url + "/metrics").text
        assert 'prover_requests_total{code="429",route="/v1/verify"}' in m
    finally:
        s.stop()


def test_a_killed_dafnyserver_costs_latency_not_a_verdict():
    s = Server("--no-cache", "--workers", "2", "--max-items", "32")
    items = [item(i, i % 5 - 1) for i in range(16)]
    try:
        with ThreadPoolExecutor(1) as ex:
            fut = ex.submit(httpx.post, s.url + "/v1/verify", json={"items": items}, timeout=600)
            deadline = time.monotonic() + 60
            busy: list[int] = []
            while not busy and time.monotonic() < deadline:  # a DafnyServer with z3 running under it
                busy = [p for p in verifier_pids(s) if any("z3" in cmdline(c) for c in descendants(p))]
                time.sleep(0.02)
            pids = busy
            os.kill(pids[0], signal.SIGKILL)
            r = fut.result()
        assert r.status_code == 200
        got = [(rec["id"], rec["status"]) for rec in r.json()["results"]]
        assert got == [(it["id"], expected(it)) for it in items]
        assert not alive(pids[0])
    finally:
        s.stop()


def test_a_client_that_goes_away_cancels_its_pending_items():
    s = Server("--no-cache", "--workers", "1", "--max-items", "12")
    try:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(s.url + "/v1/verify", json={"items": [hang(f"h{i}") for i in range(12)]}, timeout=2)
        t0 = time.monotonic()
        while httpx.get(s.url + "/health").json()["queue"]["depth"] and time.monotonic() - t0 < 60:
            time.sleep(0.1)
        assert httpx.get(s.url + "/health").json()["queue"]["depth"] == 0
        # The items running when the client left (2 threads) finish; the other 10 never start.
        m = httpx.get(s.url + "/metrics").text
        done = sum(float(line.split()[-1]) for line in m.splitlines() if line.startswith("prover_verdicts_total{"))
        assert 1 <= done <= 3, m
    finally:
        s.stop()


def test_sigterm_finishes_requests_in_flight_then_exits():
    s = Server("--no-cache", "--workers", "1", "--max-items", "8")
    items = [item(i, i % 3 - 1) for i in range(6)]
    with ThreadPoolExecutor(1) as ex:
        fut = ex.submit(httpx.post, s.url + "/v1/verify", json={"items": items}, timeout=600)
        while httpx.get(s.url + "/health").json()["queue"]["running"] == 0:
            time.sleep(0.05)
        pids = verifier_pids(s) + descendants(s.proc.pid)
        s.proc.send_signal(signal.SIGTERM)
        r = fut.result()
    assert r.status_code == 200
    assert [rec["status"] for rec in r.json()["results"]] == [expected(it) for it in items]
    # uvicorn re-raises the SIGTERM it caught once it has drained: the exit says how it ended
    assert s.proc.wait(60) in (0, -signal.SIGTERM)
    with pytest.raises(httpx.ConnectError):
        httpx.get(s.url + "/health")
    time.sleep(1)
    assert not [p for p in pids if alive(p)]


def test_sigkill_of_the_server_leaves_no_verifier_process():
    s = Server("--no-cache", "--workers", "2", "--max-items", "8")
    seen: set[int] = set()
    with ThreadPoolExecutor(1) as ex:
        fut = ex.submit(httpx.post, s.url + "/v1/verify", json={"items": [hang(f"k{i}") for i in range(4)]}, timeout=120)
        deadline = time.monotonic() + 60
        while not (len(verifier_pids(s)) == 2 and any("z3" in cmdline(p) for p in descendants(s.proc.pid))) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        seen.update(descendants(s.proc.pid))
        assert any("z3" in cmdline(p) for p in seen) and len(verifier_pids(s)) == 2
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait(10)
        with pytest.raises(httpx.TransportError):
            fut.result()
    deadline = time.monotonic() + 15
    while [p for p in seen if alive(p)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [(p, cmdline(p)) for p in seen if alive(p)]
