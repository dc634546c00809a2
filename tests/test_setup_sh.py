"""`setup.sh --dafny` for real: apt's `dafny` where apt has it, else the bookworm packages vendored in
vendor/debian-bookworm/ (Debian 13 has no `dafny`; `PROVER_SETUP_APT_LACKS` makes apt look like it).

These run apt-get as root and change the machine (apt-get update; the fallback reinstalls the same
Dafny 2.3 and Boogie 2.4 versions that are installed), so they are slow tests and skip elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "vendor" / "debian-bookworm"
INSTALLED = (Path("/usr/lib/dafny/Dafny.exe"), Path("/usr/lib/boogie/BoogieCore.dll"))
VERSIONS = {"dafny": "2.3.0+dfsg-0.1", "libboogie-cil": "2.4.1+dfsg-0.1"}  # vendor/debian-bookworm/


def _installed(pkg: str) -> str:
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version} ${Status}", pkg], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ""


def _may_reinstall() -> str:
    """Why these tests cannot run here, or "" when they can (a reinstall of the same versions)."""
    if os.geteuid() != 0 or not shutil.which("apt-get") or not shutil.which("dpkg-query"):
        return "needs root and apt-get (Debian)"
    for pkg, version in VERSIONS.items():
        if _installed(pkg) not in ("", f"{version} install ok installed"):
            return f"{pkg} {_installed(pkg)} is installed: the vendored {version} would replace it"
    return ""


pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(_may_reinstall()), reason=_may_reinstall() or "-")]


def _setup(root: Path, lacks: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PROVER_SETUP_APT_LACKS"}
    if lacks is not None:
        env["PROVER_SETUP_APT_LACKS"] = lacks
    return subprocess.run(["bash", str(root / "setup.sh"), "--dafny"], capture_output=True, text=True,
                          env=env, timeout=900)


def _changed_since(t0: float) -> list[str]:
    return [str(p) for p in INSTALLED if p.exists() and p.stat().st_ctime >= t0]


def test_without_apt_dafny_the_vendored_packages_are_checked_and_installed():
    t0 = time.time() - 1
    r = _setup(ROOT, "dafny")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "apt has no dafny package: installing Debian 12's Dafny 2.3 and Boogie 2.4" in r.stdout
    # dpkg wrote every file anew (a new inode, so a new ctime): it was installed, not skipped.
    assert _changed_since(t0) == [str(p) for p in INSTALLED]
    assert {pkg: _installed(pkg) for pkg in VERSIONS} == {p: f"{v} install ok installed" for p, v in VERSIONS.items()}
    assert "[setup] Dafny 2.3.0" in r.stdout

    from dafny_env.cli_backend import verify_program

    assert verify_program("lemma L(n: nat) ensures n + 1 > n {}\n", timeout=120).status == "verified"


def test_with_apt_dafny_apt_installs_it():
    t0 = time.time() - 1
    r = _setup(ROOT, None)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "installing Dafny 2.3 (apt-get install -y dafny)" in r.stdout and "vendor" not in r.stdout
    assert _changed_since(t0) == []  # the same version is installed: apt leaves it alone


def test_without_mono_in_apt_it_says_so_in_one_line_and_installs_nothing():
    t0 = time.time() - 1
    r = _setup(ROOT, "dafny mono-runtime")
    assert r.returncode != 0
    assert [line for line in r.stderr.splitlines() if "Mono" in line] == [
        "[setup] Mono is missing: apt has no mono-runtime, which Dafny 2.3 runs on; install Mono, then rerun."]
    assert _changed_since(t0) == []


def test_a_vendored_package_that_fails_its_checksum_is_not_installed(tmp_path):
    shutil.copy(ROOT / "setup.sh", tmp_path / "setup.sh")
    shutil.copytree(VENDOR, tmp_path / "vendor" / "debian-bookworm")
    deb = next((tmp_path / "vendor" / "debian-bookworm").glob("dafny_*.deb"))
    data = bytearray(deb.read_bytes())
    data[-1] ^= 1
    deb.write_bytes(bytes(data))
    t0 = time.time() - 1
    r = _setup(tmp_path, "dafny")
    assert r.returncode != 0
    assert "vendor/debian-bookworm does not match its SHA256SUMS: not installing it" in r.stderr
    assert _changed_since(t0) == []
