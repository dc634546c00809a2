"""The AOT-compiled Dafny copy (dafny_env.aot) against the stock `dafny`, on the real Dafny 2.3."""

from __future__ import annotations

import dataclasses

import pytest

from dafny_env import aot
from dafny_env.cli_backend import CliRunner
from dafny_env.messages import parse_output
from dafny_env.toolchain import DafnyNotFound, detect

try:
    TC = detect()
except DafnyNotFound:  # pragma: no cover - depends on the machine
    TC = None
pytestmark = pytest.mark.skipif(TC is None or not TC.mono, reason="needs a mono Dafny 2.x (see `prover doctor`)")

PROGRAMS = {
    "verified": "function Sum(n: nat): nat { if n == 0 then 0 else n + Sum(n - 1) }\n"
                "lemma SumMono(n: nat) ensures Sum(n) >= n { }\n",
    "failed": "method Inc(x: int) returns (y: int) ensures y > x { y := x; }\n",
    "parse error": "lemma Broken( ensures true {}\n",
    "resolution error": "lemma L() ensures Undefined(3) {}\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An AOT copy built from scratch in an empty cache dir."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PROVER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    mp.delenv("PROVER_DAFNY_AOT", raising=False)
    assert aot.status(TC).startswith("not built")
    argv = aot.dafny_argv(TC)
    yield argv
    mp.undo()


def _summary(output: str) -> tuple:
    p = parse_output(output, 2)
    return (sorted((m.line, m.column, m.text) for m in p.errors if not p.frontend_errors),
            p.frontend_errors, p.timeouts, sorted((i.name, i.outcome) for i in p.impls))


def test_built_copy_is_used_and_reported(built):
    assert built is not None and built[1].endswith("Dafny.exe")
    assert str(aot.build_dir(TC)) in built[1]
    assert aot.status(TC).startswith("built")
    assert CliRunner(TC).dafny() == built


@pytest.mark.parametrize("kind", sorted(PROGRAMS))
def test_aot_copy_reports_exactly_what_stock_dafny_reports(built, kind):
    stock = CliRunner(TC, aot=False)
    fast = CliRunner(TC)
    assert stock.dafny() == [TC.dafny] and fast.dafny() == built
    a, b = stock.run(PROGRAMS[kind], 60, 20), fast.run(PROGRAMS[kind], 60, 20)
    assert a.kind == b.kind == "done"
    assert _summary(a.output) == _summary(b.output)
    # The expected outcome itself, so that two equally broken runs cannot agree vacuously.
    summary = _summary(b.output)
    assert bool(summary[0]) == (kind == "failed")
    assert bool(summary[1]) == kind.endswith("error")
    assert bool(summary[3]) == (kind in ("verified", "failed"))


def test_disabled_by_environment(monkeypatch):
    monkeypatch.setenv("PROVER_DAFNY_AOT", "0")
    assert aot.dafny_argv(TC) is None
    assert CliRunner(TC).dafny() == [TC.dafny]
    assert aot.status(TC).startswith("disabled")


def test_a_failed_build_falls_back_to_stock_dafny_and_is_remembered(tmp_path, monkeypatch):
    monkeypatch.setenv("PROVER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PROVER_DAFNY_AOT", raising=False)
    broken = tmp_path / "dafny"
    broken.mkdir()
    (broken / "Dafny.exe").write_bytes(b"not an assembly")
    tc = dataclasses.replace(TC, mono_dir=str(broken))
    assert aot.dafny_argv(tc) is None
    assert aot.status(tc).startswith("failed: mono --aot Dafny.exe")
    assert CliRunner(tc).dafny() == [TC.dafny]
    reply = CliRunner(tc).run(PROGRAMS["verified"], 60, 20)
    assert reply.kind == "done" and not parse_output(reply.output, 2).errors
