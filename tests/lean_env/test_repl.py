"""The REPL client against recorded transcripts (byte for byte) and against injected faults."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from lean_env.repl import (ReplCrash, ReplMemoryExceeded, ReplProcess, ReplProtocolError, ReplResponse,
                           ReplTimeout, command_request, encode_request, pickle_request,
                           unpickle_proof_state_request)
from verifier_core.procs import group_alive

from tests.helpers.lean_transcripts import LABELS, double, label_pairs, manifest_pair_count, transcript
from tests.helpers.replay import split_commands, split_responses


@pytest.mark.parametrize("label", LABELS)
def test_every_transcript_replays_byte_for_byte(label):
    pairs = label_pairs(label)
    assert len(pairs) == manifest_pair_count(label)
    with ReplProcess(double(*(p.input_path for p in pairs), flags=("--strict-order",))) as repl:
        for pair in pairs:
            printed = b""
            for command, expected in zip(pair.commands, pair.responses):
                response = repl.send(json.loads(command), timeout=30)
                where = f"{pair.input_path}: {command[:80]}"
                assert response.text.encode("utf-8") == expected, where
                assert response.raw == json.loads(expected), where
                _check_fields_mirror_raw(response)
                printed += response.text.encode("utf-8") + b"\n\n"
            expected_file = pair.input_path.with_name(pair.input_path.stem + ".expected.out")
            assert printed == expected_file.read_bytes(), pair.input_path


def _check_fields_mirror_raw(r: ReplResponse) -> None:
    raw = r.raw
    assert r.env == raw.get("env")
    assert r.error == raw.get("message")
    assert r.proof_state == raw.get("proofState")
    assert r.proof_status == raw.get("proofStatus")
    assert r.goals == raw.get("goals")
    assert [m.data for m in r.messages] == [m["data"] for m in raw.get("messages", [])]
    assert [m.severity for m in r.messages] == [m["severity"] for m in raw.get("messages", [])]
    assert [s.goal for s in r.sorries] == [s["goal"] for s in raw.get("sorries", [])]
    assert [s.proof_state for s in r.sorries] == [s.get("proofState") for s in raw.get("sorries", [])]
    assert [t.tactic for t in r.tactics] == [t["tactic"] for t in raw.get("tactics", [])]


def _recorded(label: str, name: str, index: int) -> ReplResponse:
    path = transcript(label, name)
    text = split_responses(path.with_name(path.stem + ".expected.out").read_bytes())[index].decode()
    return ReplResponse.from_json(json.loads(text), text)


def test_parses_positions_sorries_and_message_aliases():
    r = _recorded("HEAD_v4.33.0-rc2", "invalid_tactic.in", 0)
    assert r.env == 0 and r.sorries[0].proof_state == 0
    assert r.sorries[0].pos == (1, 43) and r.sorries[0].endPos == (1, 48)
    assert r.messages[0].severity == "warning" and r.messages[0].end_pos == (1, 18)
    assert r.errors == []


def test_parses_error_response_shape():
    r = _recorded("HEAD_v4.33.0-rc2", "unknown_environment.in", 0)
    assert r.error == "Unknown environment." and r.env is None and r.messages == []


def test_parses_null_end_pos_and_positionless_tactic_sorries():
    r = _recorded("v4.24.0", "unfinished_tactic_block.in", 0)
    assert r.messages[0].end_pos is None and r.messages[0].pos == (1, 17)
    assert len(r.errors) == 2
    t = _recorded("HEAD_v4.33.0-rc2", "tactic_mode_sorry.in", 1)
    assert t.sorries[0].pos is None and t.sorries[0].proof_state == 1
    assert t.proof_status == "Incomplete: contains sorry" and t.goals == []


def test_parses_all_tactics_traces_and_infotree():
    r = _recorded("HEAD_v4.33.0-rc2", "all_tactics.in", 0)
    assert [t.tactic for t in r.tactics] == ["have t := 37", "exact t"]
    assert r.tactics[1].goals == "t : Nat\n⊢ Nat" and r.tactics[0].used_constants
    traced = _recorded("HEAD_v4.33.0-rc2", "trace_simp.in", 5)
    assert traced.traces == ["37"]
    assert _recorded("HEAD_v4.33.0-rc2", "infotree.in", 0).infotree


def test_rejects_shapes_the_repl_never_prints():
    with pytest.raises(ValueError):
        ReplResponse.from_json([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ReplResponse.from_json({"env": "zero"})


def test_requests_are_one_line_and_keep_options():
    req = command_request("example : True := by\n\n  trivial", 0, all_tactics=True, root_goals=True,
                          infotree="substantive")
    wire = encode_request(req)
    assert wire.endswith(b"\n\n") and b"\n" not in wire[:-2]
    assert json.loads(wire) == {"cmd": "example : True := by\n\n  trivial", "env": 0, "allTactics": True,
                                "rootGoals": True, "infotree": "substantive"}
    assert pickle_request("a.olean", env=0) == {"pickleTo": "a.olean", "env": 0}
    assert unpickle_proof_state_request("d.olean", env=0) == {"unpickleProofStateFrom": "d.olean", "env": 0}
    with pytest.raises(ValueError):
        pickle_request("a.olean")


def test_double_splits_commands_like_the_repl():
    # A raw line break inside a JSON string vanishes (the repo's invalid_line_break test: `bysorry`).
    assert split_commands('{"cmd": "a := by\nsorry"}\n\n{"cmd" : "b"}\n') == ['{"cmd": "a := bysorry"}',
                                                                              '{"cmd" : "b"}']


# -- faults ----------------------------------------------------------------------------------------

PICKLE = ("HEAD_v4.33.0-rc2", "pickle_proof_state_env.in")


def _commands(label: str, name: str) -> list[dict]:
    return [json.loads(c) for c in split_commands(transcript(label, name).read_text())]


def test_hang_times_out_and_kills_the_whole_group():
    cmds = _commands(*PICKLE)
    repl = ReplProcess(double(transcript(*PICKLE), flags=("--hang-after", "1", "--spawn-child")))
    assert repl.send(cmds[0], 10).env == 0
    time.sleep(0.3)  # let the child start
    start = time.monotonic()
    with pytest.raises(ReplTimeout):
        repl.send(cmds[1], 1.0)
    assert time.monotonic() - start < 4
    assert not repl.alive and not group_alive(repl.pid)


def test_crash_mid_response_is_reported_with_partial_output():
    cmds = _commands(*PICKLE)
    repl = ReplProcess(double(transcript(*PICKLE), flags=("--crash-after", "1", "--spawn-child")))
    repl.send(cmds[0], 10)
    with pytest.raises(ReplCrash) as info:
        repl.send(cmds[1], 10)
    assert "mid-response" in str(info.value) and "injected crash" in str(info.value)
    assert not group_alive(repl.pid)  # the child that outlived the leader is gone too


def test_garbage_is_a_protocol_error():
    cmds = _commands(*PICKLE)
    repl = ReplProcess(double(transcript(*PICKLE), flags=("--garbage-after", "0")))
    with pytest.raises(ReplProtocolError):
        repl.send(cmds[0], 10)
    assert not repl.alive


def test_unknown_command_makes_the_double_exit_not_invent():
    repl = ReplProcess(double(transcript(*PICKLE)))
    with pytest.raises(ReplCrash) as info:
        repl.send({"cmd": "theorem never_recorded : True := trivial"}, 10)
    assert "no recorded response" in str(info.value)


def test_rss_watchdog_kills_a_growing_process():
    cmds = _commands(*PICKLE)
    repl = ReplProcess(double(transcript(*PICKLE), flags=("--grow-mb-per-cmd", "120", "--delay-ms", "1500")))
    with pytest.raises(ReplMemoryExceeded):
        repl.send(cmds[0], 10, rss_limit_mb=100)
    assert not group_alive(repl.pid)


def test_a_large_request_to_a_process_that_never_reads_still_times_out():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    repl = ReplProcess(sleeper)
    start = time.monotonic()
    with pytest.raises(ReplTimeout):
        repl.send({"cmd": "x" * (2 << 20)}, 1.0)  # far more than a pipe buffer holds
    assert time.monotonic() - start < 4 and not group_alive(repl.pid)


def test_address_space_cap_is_set():
    repl = ReplProcess(double(transcript(*PICKLE)), memory_mb=1536)
    try:
        limits = open(f"/proc/{repl.pid}/limits").read()
        line = next(ln for ln in limits.splitlines() if ln.startswith("Max address space"))
        assert str(1536 * 1024 * 1024) in line
    finally:
        repl.kill()


def test_missing_executable_raises_oserror():
    with pytest.raises(OSError):
        ReplProcess(["/nonexistent/lean-repl"])


def test_double_cli_rejects_bad_transcripts():
    out = subprocess.run([*double(), "/nonexistent.in"], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 2 and "cannot load transcripts" in out.stderr
