"""`prover serve` over real HTTP on loopback with the real Dafny: verdicts equal `prover verify`'s,
Kimina's API read as Kimina's client reads it, bad input answered with a clear 4xx, the API key."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("fastapi", reason="the `serve` extra is not installed (pip install -e '.[serve]')")

import httpx  # noqa: E402 (after the guard)

from verifier_core.languages import language
from prover.serve.launcher import ROOT, Server

pytestmark = pytest.mark.skipif(not language("dafny").doctor()["found"], reason="no Dafny installed (see `prover doctor`)")

SPEC = "method Inc(x: int) returns (y: int)\n  ensures y > x\n"
HANG = "".join(f"lemma Hang{i}(x: int, y: int, z: int)\n  requires x > 0 && y > 0 && z > 0 && x*x + y*y == z*z\n"
               "  ensures (x*y) % 3 == 0 && (x*y) % 4 == 0\n{}\n" for i in range(3))
PROGRAMS_HANG = "lemma Hang()\n  ensures true\n{\n}\n" + HANG
COMPARED = ("status", "reason", "messages", "toolchain", "cached")

# Every status `prover verify` gives a well-formed item (the Lean item is `error`: no Lean here).
ITEMS = [
    {"id": "ok", "lang": "dafny", "statement": SPEC, "candidate": "{ y := x + 1; }"},
    {"id": "wrong", "lang": "dafny", "statement": SPEC, "candidate": "{ y := x; }"},
    {"id": "assume", "lang": "dafny", "statement": SPEC, "candidate": "{ assume false; }"},
    {"id": "include", "lang": "dafny", "statement": SPEC,
     "candidate": 'include "/etc/passwd"\n' + SPEC + "{ y := x + 1; }\n"},
    {"id": "spec-changed", "lang": "dafny", "statement": SPEC,
     "candidate": "method Inc(x: int) returns (y: int)\n  ensures y >= x\n{ y := x; }\n"},
    {"id": "prose", "lang": "dafny", "statement": SPEC, "candidate": "I think y should be x + 1."},
    {"id": "nul", "lang": "dafny", "statement": SPEC, "candidate": "{ y := x + 1; }\u0000"},
    {"id": "impl", "lang": "dafny", "statement": SPEC, "candidate": "{ y := x + 2; }", "kind": "implement"},
    {"id": 7, "lang": "dafny", "statement": "lemma Hang()\n  ensures true\n", "candidate": PROGRAMS_HANG},
]
LEAN = [{"id": "lean", "lang": "lean", "statement": "theorem t : 1 + 1 = 2 := by", "candidate": "\n  norm_num"}]


def prover_verify(items: list[dict], lang: str, tmp_path, timeout: float) -> dict:
    inp = tmp_path / f"{lang}.jsonl"
    inp.write_text("".join(json.dumps(i) + "\n" for i in items))
    r = subprocess.run([sys.executable, "-m", "prover.cli", "verify", "--lang", lang, "--jsonl", str(inp), "--no-cache",
                        "--no-progress", "--timeout", str(timeout)], capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=600)
    assert r.returncode in (0, 1), r.stderr  # 1: not every line verified
    return {rec["id"]: rec for rec in map(json.loads, r.stdout.splitlines())}


@pytest.fixture(scope="module")
def server():
    s = Server("--no-cache", "--timeout", "6", "--max-items", "8", "--max-body-mb", "3", "--max-timeout", "60")
    yield s
    s.stop()


def test_v1_verdicts_equal_prover_verify(server, tmp_path):
    local = prover_verify(ITEMS, "dafny", tmp_path, 6)
    if language("lean").doctor()["found"]:  # without Lean, `prover verify --lang lean` refuses to start (exit 2)
        local.update(prover_verify(LEAN, "lean", tmp_path, 6))
    items = ITEMS + LEAN
    got = []
    for part in (items[:5], items[5:]):  # max_items is 8 on this server
        r = httpx.post(server.url + "/v1/verify", json={"items": part}, timeout=300)
        assert r.status_code == 200, r.text
        got += r.json()["results"]
    assert [g["id"] for g in got] == [i["id"] for i in items]  # request order, ids as sent (7 stays a number)
    for g in got:
        if g["id"] not in local:
            continue  # Lean on a machine without it: the server's `error` is checked below
        want = local[g["id"]]
        assert set(g) == set(want)
        assert {k: g[k] for k in COMPARED} == {k: want[k] for k in COMPARED}, g["id"]
    statuses = {g["id"]: g["status"] for g in got}
    assert statuses == {"ok": "verified", "wrong": "failed", "assume": "rejected", "include": "rejected",
                        "spec-changed": "rejected", "prose": "failed", "nul": "rejected", "impl": "verified",
                        7: "timeout", "lean": "error"}
    assert got[3]["reason"].startswith("gate:include")


def kimina_status(result: dict) -> str:
    """What kimina-client's `ReplResponse.analyze()` makes of one result (its models.py, read as is)."""
    if result.get("error") is not None:
        return "timeout_error" if "timed out" in result["error"] else "server_error"
    response = result["response"]
    if "message" in response:
        return "repl_error"
    if any(m["severity"] == "error" for m in response.get("messages") or []):
        return "lean_error"
    return "sorry" if response.get("sorries") else "valid"


PROGRAMS = {
    "verified": "lemma Two()\n  ensures 1 + 1 == 2\n{\n}\n",
    "failed": "lemma Three()\n  ensures 1 + 1 == 3\n{\n}\n",
    "parse": "lemma Broken(\n",
    "rejected-assume": "lemma Three()\n  ensures 1 + 1 == 3\n{\n  assume false;\n}\n",
    "rejected-axiom": "lemma {:axiom} Three()\n  ensures 1 + 1 == 3\n",
    "rejected-bodyless": "lemma Three()\n  ensures 1 + 1 == 3\n",
    "timeout": PROGRAMS_HANG,
}


def test_kimina_check_on_dafny_reads_as_kimina_reads_it(server):
    body = {"snippets": [{"id": k, "code": v} for k, v in PROGRAMS.items()], "timeout": 6, "debug": True}
    r = httpx.post(server.url + "/dafny/api/check", json=body, timeout=300)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["id"] for x in results] == list(PROGRAMS)
    for x in results:
        assert set(x) <= {"id", "time", "error", "response", "diagnostics"} and isinstance(x["time"], float)
        assert (x.get("error") is None) != (x.get("response") is None)  # Kimina: exactly one of them
    read = {x["id"]: kimina_status(x) for x in results}
    assert read == {"verified": "valid", "failed": "lean_error", "parse": "lean_error", "rejected-assume": "lean_error",
                    "rejected-axiom": "lean_error", "rejected-bodyless": "lean_error", "timeout": "timeout_error"}
    verdicts = {x["id"]: x["diagnostics"]["verdict"] for x in results}
    assert verdicts["rejected-assume"]["status"] == "rejected"
    for name in ("rejected-assume", "rejected-axiom", "rejected-bodyless"):
        first = next(x for x in results if x["id"] == name)["response"]["messages"][0]
        assert first["severity"] == "error" and first["data"].startswith("rejected: gate:")
        assert verdicts[name]["reason"].split(":")[1] in first["data"]  # the gate's rule is named


def test_kimina_legacy_verify_and_lean_without_lean(server):
    r = httpx.post(server.url + "/dafny/verify", json={"codes": [{"custom_id": 1, "proof": PROGRAMS["verified"]},
                                                                 {"custom_id": "b", "code": PROGRAMS["failed"]}],
                                                       "timeout": 6}, timeout=300)
    assert r.status_code == 200, r.text
    a, b = r.json()["results"]
    assert a["custom_id"] == 1 and "error" not in a and a["response"]["messages"] == [] and "time" in a["response"]
    assert b["custom_id"] == "b" and b["response"]["messages"][0]["severity"] == "error"
    lean = httpx.post(server.url + "/api/check", json={"snippets": [{"id": "x", "code": "import Mathlib\ntheorem t : 1 = 1 := by rfl"}]},
                      timeout=60)
    assert lean.status_code == 200, lean.text
    (x,) = lean.json()["results"]
    assert x["id"] == "x" and "no Lean" in x["error"] and kimina_status(x) == "server_error"
    old = httpx.post(server.url + "/verify", json={"codes": [{"custom_id": "y", "proof": "theorem t : 1 = 1 := by rfl"}], "timeout": 6},
                     timeout=60)
    assert old.status_code == 200 and "no Lean" in old.json()["results"][0]["error"]


def test_lean_snippets_become_tasks_with_the_last_theorem_as_statement(server):
    from prover.serve.kimina import snippet_task

    code = ("import Mathlib\nimport Aesop\n\nlemma aux (y : ℕ) : y + 0 = y := by simp\n\n"
            "theorem t {x : ℕ} (h : x = (by exact 1)) : x = 1 := by\n  simp [h]\n")
    task, cand = snippet_task("lean", "s", code)
    assert task.header == "import Mathlib\nimport Aesop\n\n" and cand.text == code[len(task.header):]
    assert task.statement == "theorem t {x : ℕ} (h : x = (by exact 1)) : x = 1 := by"
    for bad, why in (("#check Nat", "no `theorem`"), ("theorem u : 1 = 1 := rfl", "term")):
        with pytest.raises(ValueError, match=why):
            snippet_task("lean", "s", bad)
    r = httpx.post(server.url + "/api/check", json={"snippets": [{"id": "a", "code": "#check Nat"},
                                                                 {"id": "b", "code": "theorem u : 1 = 1 := by rfl"}],
                                                    "timeout": 6}, timeout=60)
    assert r.status_code == 200
    a, b = r.json()["results"]
    assert "no `theorem`" in a["error"] and "no Lean" in b["error"]


_KIMINA = """
import json, sys, typing, typing_extensions
if sys.version_info < (3, 12):  # kimina-client 0.2.1's models use typing.TypedDict, which pydantic refuses there
    typing.TypedDict = typing_extensions.TypedDict
from kimina_client import KiminaClient
client = KiminaClient(api_url=sys.argv[1])
out = client.check(json.loads(sys.argv[2]), timeout=6, show_progress=False)
print(json.dumps([r.analyze().status.value for r in out.results]))
"""


def test_the_real_kimina_client(server):
    import importlib.util

    if importlib.util.find_spec("kimina_client") is None:
        pytest.skip("kimina-client is not installed (not a dependency; it also needs a typing.TypedDict patch to "
                    "import on Python < 3.12, see _KIMINA); the tests above read the results its way")
    codes = [PROGRAMS["verified"], PROGRAMS["rejected-assume"], PROGRAMS["failed"]]
    r = subprocess.run([sys.executable, "-c", _KIMINA, server.url + "/dafny", json.dumps(codes)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout.splitlines()[-1]) == ["valid", "lean_error", "lean_error"]


GOOD = {"id": "g", "lang": "dafny", "statement": SPEC, "candidate": "{ y := x + 1; }"}


@pytest.mark.parametrize("name, send, code, says", [
    ("malformed json", dict(content=b'{"items": [', headers={"content-type": "application/json"}), 422, "json"),
    ("binary junk", dict(content=bytes(range(256)) * 4, headers={"content-type": "application/json"}), 422, ""),
    ("wrong types", dict(json={"items": [{**GOOD, "candidate": 5}]}), 422, "candidate"),
    ("missing field", dict(json={"items": [{k: v for k, v in GOOD.items() if k != "statement"}]}), 422, "statement"),
    ("unknown key", dict(json={"items": [{**GOOD, "kidn": "hints"}]}), 422, "kidn"),
    ("no items", dict(json={"items": []}), 422, "items"),
    ("duplicate ids", dict(json={"items": [GOOD, {**GOOD, "candidate": "{ y := x; }"}]}), 422, "unique_ids"),
    ("unknown lang", dict(json={"items": [{**GOOD, "lang": "coq"}]}), 422, "lang"),
    ("unknown kind", dict(json={"items": [{**GOOD, "kind": "guess"}]}), 422, "kind"),
    ("too many items", dict(json={"items": [{**GOOD, "id": i} for i in range(9)]}), 422, "max_items"),
    ("timeout over the limit", dict(json={"items": [{**GOOD, "timeout": 61}]}), 422, "max_timeout"),
    ("negative timeout", dict(json={"items": [{**GOOD, "timeout": -1}]}), 422, "timeout"),
    ("2 MB candidate", dict(json={"items": [{**GOOD, "candidate": "{ y := x + 1; }" + " " * 2_000_000}]}), 413,
     "max_item_bytes"),
    ("oversize body", dict(json={"items": [{**GOOD, "candidate": "x" * 3_500_000}]}), 413, "max_body_bytes"),
    ("oversize body, chunked", dict(content=iter([b'{"items": [{"candidate": "'] + [b"x" * 65536] * 60 + [b'"}]}']),
                                    headers={"content-type": "application/json"}), 413, "max_body_bytes"),
])
def test_bad_input_gets_a_clear_4xx_and_the_server_goes_on(server, name, send, code, says):
    r = httpx.post(server.url + "/v1/verify", timeout=60, **send)
    assert r.status_code == code, (name, r.status_code, r.text[:300])
    assert says.lower() in r.text.lower(), (name, r.text[:300])
    ok = httpx.post(server.url + "/v1/verify", json={"items": [GOOD]}, timeout=120)
    assert ok.status_code == 200 and ok.json()["results"][0]["status"] == "verified"


def test_kimina_bad_input(server):
    dup = httpx.post(server.url + "/dafny/api/check", json={"snippets": [{"id": "a", "code": "x"}, {"id": "a", "code": "y"}]})
    assert dup.status_code == 422 and "unique_ids" in dup.text
    empty = httpx.post(server.url + "/dafny/verify", json={"codes": [{"custom_id": 1}]})
    assert empty.status_code == 422 and "neither" in empty.text
    slow = httpx.post(server.url + "/dafny/api/check", json={"snippets": [{"id": "a", "code": "x"}], "timeout": 0})
    assert slow.status_code == 422 and "max_timeout" in slow.text


def test_health_and_metrics(server):
    h = httpx.get(server.url + "/health").json()
    assert h["status"] == "ok" and h["queue"]["depth"] == 0 and h["limits"]["max_items"] == 8
    assert h["toolchains"].get("dafny", "").startswith("dafny ")  # earlier tests used the pool
    m = httpx.get(server.url + "/metrics").text
    assert 'prover_verdicts_total{lang="dafny",status="verified"}' in m
    assert "prover_queue_depth 0.0" in m and "prover_request_seconds_bucket" in m and "prover_item_seconds_bucket" in m
    docs = httpx.get(server.url + "/openapi.json").json()
    assert {"/v1/verify", "/api/check", "/dafny/api/check", "/verify", "/dafny/verify"} <= set(docs["paths"])
    assert "examples" in json.dumps(docs["components"]["schemas"]["VerifyRequest"])
    assert httpx.get(server.url + "/docs").status_code == 200


def test_api_key(tmp_path):
    key = "k" * 20 + "secret"
    (tmp_path / "key").write_text(key + "\n")
    s = Server("--no-cache", "--api-key-file", str(tmp_path / "key"))
    try:
        assert httpx.get(s.url + "/health").status_code == 200  # open: load balancers probe it
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": key}, {"Authorization": f"Bearer {key}x"}):
            for path in ("/v1/verify", "/dafny/api/check", "/metrics", "/docs"):
                r = httpx.post(s.url + path, json={"items": [GOOD]}, headers=headers) if "verify" in path or "check" in path \
                    else httpx.get(s.url + path, headers=headers)
                assert r.status_code == 401, (path, headers, r.status_code)
        ok = httpx.post(s.url + "/v1/verify", json={"items": [GOOD]}, headers={"Authorization": f"Bearer {key}"}, timeout=120)
        assert ok.status_code == 200 and ok.json()["results"][0]["status"] == "verified"
    finally:
        s.stop()


def test_non_loopback_bind_without_a_key_is_refused(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for args in (["--host", "0.0.0.0"], ["--host", "::"], ["--host", "example.org"]):
        r = subprocess.run([sys.executable, "-m", "prover.cli", "serve", *args], capture_output=True, text=True,
                           env=env, cwd=ROOT, timeout=60)
        assert r.returncode == 2 and "without an API key" in r.stderr, (args, r.stderr)
    (tmp_path / "short").write_text("abc\n")
    r = subprocess.run([sys.executable, "-m", "prover.cli", "serve", "--api-key-file", str(tmp_path / "short")],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "at least 16" in r.stderr
