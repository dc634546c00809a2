"""One z3 for every Dafny 2.x run: the z3-solver wheel's z3 4.8.12 in this venv, passed to Dafny with
`/z3exe:` by the CLI and DafnyServer alike, named (version) in every verdict's toolchain stamp."""

from __future__ import annotations

import os
import platform
import sysconfig
from pathlib import Path

import pytest

from dafny_env import DafnyVerifier, doctor
from dafny_env.cli_backend import CliRunner
from dafny_env.toolchain import Z3_VERSION, DafnyNotFound, detect
from verifier_core.records import Candidate, Task

try:
    TC = detect()
except DafnyNotFound:  # pragma: no cover - depends on the machine
    TC = None
needs_dafny2 = pytest.mark.skipif(TC is None or TC.major >= 3, reason="needs Dafny 2.x (see `prover doctor`)")
# pyproject pins z3-solver==4.8.12.0 where PyPI has a wheel of it (x86_64): there it must be used.
needs_wheel = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                                 reason="z3-solver 4.8.12.0 has no wheel for this machine")
VENV_Z3 = os.path.join(sysconfig.get_path("data"), "bin", "z3")

TASK = Task("inc", "dafny", "method Inc(x: int) returns (y: int)\n  ensures y > x\n", kind="implement")
GOOD = Candidate("inc", "{ y := x + 1; }")


@pytest.fixture
def z3_env(monkeypatch):
    """Set `$PROVER_Z3` for one test; `detect` is cached per process, so forget it before and after."""
    def use(path: str | None) -> None:
        if path is None:
            monkeypatch.delenv("PROVER_Z3", raising=False)
        else:
            monkeypatch.setenv("PROVER_Z3", path)
        detect.cache_clear()
    yield use
    monkeypatch.delenv("PROVER_Z3", raising=False)
    detect.cache_clear()


def _logging_z3(tmp_path: Path, version: str | None = None) -> tuple[str, Path]:
    """A z3 that logs each invocation, then runs the venv's z3 (or, given `version`, only claims it)."""
    log = tmp_path / "z3.log"
    exe = tmp_path / "z3"
    body = (f'[ "$1" = --version ] && echo "Z3 version {version} - 64 bit" && exit 0\nexit 1\n' if version
            else f'exec "{VENV_Z3}" "$@"\n')
    exe.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n{body}')
    exe.chmod(0o755)
    return str(exe), log


def _calls(log: Path) -> str:
    return log.read_text() if log.exists() else ""


@needs_dafny2
@needs_wheel
def test_the_toolchain_runs_the_venvs_z3_4_8_12_and_stamps_its_version(z3_env):
    z3_env(None)
    tc = detect()
    assert os.access(VENV_Z3, os.X_OK), "z3-solver==4.8.12.0 is not installed in this venv (pip install -e .)"
    assert (tc.z3, tc.z3_from, tc.z3_version) == (VENV_Z3, "the z3-solver wheel", Z3_VERSION)
    assert tc.z3_args == (f"/z3exe:{VENV_Z3}",)
    assert tc.stamp.endswith(f"; z3 {Z3_VERSION}")
    with DafnyVerifier(workers=1) as v:
        assert f"z3 {Z3_VERSION}" in v.toolchain()
    row = doctor()
    assert f"z3 {Z3_VERSION}: {VENV_Z3} (from the z3-solver wheel)" in row["detail"]
    assert "z3-solver" not in row["hint"]


@needs_dafny2
def test_the_dafny_cli_runs_the_z3_it_was_given(tmp_path, z3_env):
    exe, log = _logging_z3(tmp_path)
    z3_env(exe)
    runner = CliRunner(detect(), memory_mb=None, aot=False)
    log.unlink()  # `detect` asked it for its version
    reply = runner.run("lemma L(n: nat) ensures 2 * n >= n {}\n", timeout=120, time_limit=20)
    assert reply.kind == "done" and "1 verified, 0 errors" in reply.output, reply.output[-500:]
    assert "-smt2" in _calls(log)


@needs_dafny2
def test_dafny_server_runs_the_z3_it_was_given_from_its_warm_up_on(tmp_path, z3_env):
    """Boogie asks the first z3 it runs for its version and keeps the answer for the life of the
    process: that first z3 (the pool's warm-up) must already be the one every request names."""
    if TC.mode != "server":
        pytest.skip("needs DafnyServer.exe")
    exe, log = _logging_z3(tmp_path)
    z3_env(exe)
    with DafnyVerifier(workers=1, backend="server") as v:
        log.unlink()  # `detect` asked it for its version
        verdict = v.check(TASK, GOOD)
    assert verdict.status == "verified", verdict.reason
    calls = _calls(log).splitlines()
    assert calls and calls[0] == "--version" and sum("-smt2" in c for c in calls) >= 2, calls  # warm-up, then the check


@needs_dafny2
def test_a_z3_of_another_version_changes_the_stamp_and_doctor_says_so(tmp_path, z3_env):
    """Caches never mix z3 versions: the version is in the stamp, and so in every verdict key."""
    exe, _ = _logging_z3(tmp_path, version="4.13.3")
    z3_env(exe)
    tc = detect()
    assert tc.stamp.endswith("; z3 4.13.3") and tc.z3_args == (f"/z3exe:{exe}",)
    with DafnyVerifier(workers=1) as v:
        assert "z3 4.13.3" in v.toolchain() and f"z3 {Z3_VERSION}" not in v.toolchain()
    row = doctor()
    assert f"z3 4.13.3: {exe} (from $PROVER_Z3)" in row["detail"]
    assert f"z3-solver=={Z3_VERSION}.0" in row["hint"]
