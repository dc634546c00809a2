"""`prover.client` (sync, async, retries), `prover verify --server`, and the TRL and verl reward
functions, in process and through a real `prover serve` (real Dafny)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("fastapi", reason="the `serve` extra is not installed (pip install -e '.[serve]')")

from verifier_core.languages import language
from prover.client import AsyncVerifierClient, ServeError, VerifierClient
from prover.rewards.trl import AsyncProverReward, ProverReward
from prover.rewards.verl import VerifierError, compute_score
from prover.serve.launcher import ROOT, Server, free_port

pytestmark = pytest.mark.skipif(not language("dafny").doctor()["found"], reason="no Dafny installed (see `prover doctor`)")

SPEC = "method Inc(x: int) returns (y: int)\n  ensures y > x\n"
ITEMS = [{"id": "ok", "lang": "dafny", "statement": SPEC, "candidate": "{ y := x + 1; }"},
         {"id": "no", "lang": "dafny", "statement": SPEC, "candidate": "{ y := x; }"},
         {"id": "cheat", "lang": "dafny", "statement": SPEC, "candidate": "{ assume false; }"}]


@pytest.fixture(scope="module")
def server():
    s = Server("--no-cache", "--max-items", "4")
    yield s
    s.stop()


def test_sync_and_async_clients(server):
    with VerifierClient(server.url, batch_size=2) as c:  # two requests, results still in order
        got = c.verify(ITEMS)
        assert [(r["id"], r["status"]) for r in got] == [("ok", "verified"), ("no", "failed"), ("cheat", "rejected")]
        assert c.health()["status"] == "ok"
        with pytest.raises(ServeError) as e:
            c.verify([{**ITEMS[0], "lang": "coq"}])
        assert e.value.status == 422
    got = asyncio.run(AsyncVerifierClient(server.url, batch_size=1).verify(ITEMS))
    assert [r["status"] for r in got] == ["verified", "failed", "rejected"]


def test_the_client_retries_until_the_server_is_up():
    port = free_port()
    out: dict = {}

    def call() -> None:
        with VerifierClient(f"http://127.0.0.1:{port}", backoff=0.5, max_backoff=4, retries=12) as c:
            out["records"] = c.verify(ITEMS[:1])

    t = threading.Thread(target=call)
    t.start()
    time.sleep(1.5)  # the first tries meet a closed port
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "prover.cli", "serve", "--no-cache", "--port", str(port)], env=env,
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t.join(120)
        assert out["records"][0]["status"] == "verified"
    finally:
        proc.terminate()
        proc.wait(60)


def test_prover_verify_through_the_server_equals_local(server, tmp_path):
    lines = ITEMS + [{"id": "huge", "lang": "dafny", "statement": SPEC, "candidate": "{ y := x + 1; }" + " " * 1_100_000}]
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({k: v for k, v in i.items() if k != "lang"}) + "\n" for i in lines))
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def run(*extra: str) -> dict:
        r = subprocess.run([sys.executable, "-m", "prover.cli", "verify", "--lang", "dafny", "--jsonl", str(inp),
                            "--no-cache", "--no-progress", *extra], capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=300)
        assert r.returncode in (0, 1), r.stderr  # 1: not every line verified
        return {o["id"]: o for o in map(json.loads, r.stdout.splitlines())}

    local, remote = run(), run("--server", server.url)
    assert set(local) == set(remote) == {"ok", "no", "cheat", "huge"}
    for k in ("ok", "no", "cheat"):
        assert {f: remote[k][f] for f in ("status", "reason", "messages", "toolchain")} == \
               {f: local[k][f] for f in ("status", "reason", "messages", "toolchain")}
    # The server refuses the 1.1 MB item with a 413 (max_item_bytes); the batch still goes on.
    assert local["huge"]["status"] == remote["huge"]["status"] == "rejected"
    assert remote["huge"]["reason"].startswith("input:too-large") and "max_item_bytes" in remote["huge"]["reason"]


COMPLETIONS = [" y := x + 1; }", " y := x; }", " assume false; }", " y := x + 1;"]  # the last never closes its body
COLUMNS = {"statement": [SPEC] * 4, "trainer_state": None, "log_metric": print}


@pytest.mark.parametrize("where", ["in-process", "server"])
def test_trl_reward_function(server, where):
    url = server.url if where == "server" else None
    reward = ProverReward(url, verifier_options={"workers": 1, "cache": False} if url is None else None)
    got = reward(prompts=["p"] * 4, completions=COMPLETIONS, completion_ids=[[1]] * 4, **COLUMNS)
    assert got == [1.0, 0.0, 0.0, 0.0]
    assert [v.status for v in reward.last_verdicts] == ["verified", "failed", "rejected", "failed"]
    assert reward.last_verdicts[3].reason.startswith("extract:")
    # Conversational completions; a Lean row on this machine (no Lean) is `error`: None, never 0.
    chat = [[{"role": "assistant", "content": "```dafny\n{ y := x + 1; }\n```"}],
            [{"role": "assistant", "content": "```lean4\n  norm_num\n```"}]]
    columns = {"statement": [SPEC, "theorem t : 1 + 1 = 2 := by"], "lang": ["dafny", "lean"]}
    areward = AsyncProverReward(url, verifier_options={"workers": 1, "cache": False} if url is None else None)
    assert asyncio.run(areward(prompts=["p", "q"], completions=chat, **columns)) == [1.0, None]
    with pytest.raises(KeyError, match="no statement column"):
        reward(prompts=["p"], completions=["{}"], problem=["x"])


@pytest.mark.parametrize("where", ["in-process", "server"])
def test_verl_compute_score(server, where):
    opts = {"server": server.url} if where == "server" else {"workers": 1, "cache": False}
    assert compute_score("team", "```dafny\n{ y := x + 1; }\n```", SPEC, {"id": "inc"}, **opts) == 1.0
    assert compute_score("team", "```dafny\n{ assume false; }\n```", SPEC, None, **opts) == 0.0
    assert compute_score("team", "no code at all", SPEC, None, **opts) == 0.0
    lean = ("minif2f", "```lean4\n  norm_num\n```", "theorem t : 1 + 1 = 2 := by", {"lang": "lean"})
    with pytest.raises(VerifierError, match="no-lean"):
        compute_score(*lean, **opts)
    assert compute_score(*lean, on_error=-1.0, **opts) == -1.0
