"""Find the installed Dafny, tell 2.x from 4.x, and pick the backend that fits it.

Dafny 2.x ships `DafnyServer.exe`, a long-lived process that verifies one program per request
(no mono start-up per check); Dafny 4.x is driven through its CLI (`dafny verify`). The version
string (with z3's) is stamped on every verdict and is part of the verdict cache key.

Dafny 2.x is told which z3 to run (`/z3exe:`, `Toolchain.z3_args`), so the z3 whose version is
stamped is the one that proves: `$PROVER_Z3`, else the `z3` 4.8.12 that PyPI's `z3-solver` wheel
installed with this project (<venv>/bin/z3: every verdict, bench and cache here was made with it;
Debian 13's `z3` is 4.13), else `z3` on PATH.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from verifier_core import settings

INSTALL_HINT = ("Debian/Ubuntu: sudo bash setup.sh --dafny (Dafny 2.3 + DafnyServer: apt's `dafny`, else the "
                "Debian 12 packages in vendor/debian-bookworm/), or Dafny 4: "
                "dotnet tool install --global dafny; or point $DAFNY at the dafny executable")
# The z3 that every verdict, bench and cache of this project was made with.
Z3_VERSION = "4.8.12"
Z3_HINT = f"pip install z3-solver=={Z3_VERSION}.0 (its wheel carries a z3 {Z3_VERSION} executable)"


@dataclass(frozen=True)
class Toolchain:
    """What was found: `mode` is `server` (2.x + DafnyServer), `cli2` (2.x without it) or `cli4`."""

    dafny: str
    version: str
    major: int
    mode: str
    server_argv: tuple[str, ...] = ()
    z3_version: str = ""
    mono: str = ""      # the mono runner, when Dafny 2.x runs on mono
    mono_dir: str = ""  # the directory holding its Dafny.exe
    z3: str = ""        # the z3 executable Dafny 2.x is told to run
    z3_from: str = ""   # where that z3 was found (`$PROVER_Z3`, the z3-solver wheel, PATH)

    @property
    def stamp(self) -> str:
        """The exact verifier identity stamped on verdicts (backend-independent on purpose)."""
        z3 = f"; z3 {self.z3_version}" if self.z3_version else ""
        return f"dafny {self.version}{z3}"

    @property
    def z3_args(self) -> tuple[str, ...]:
        """Dafny 2.x options naming the z3 to run, for the CLI and every DafnyServer request alike
        (Dafny 4 runs the z3 it bundles)."""
        return (f"/z3exe:{self.z3}",) if self.major < 3 and self.z3 else ()


class DafnyNotFound(RuntimeError):
    pass


def find_dafny(dafny: str | None = None) -> str | None:
    """The dafny executable: the argument, else `$DAFNY`, else `dafny` on PATH."""
    for cand in (dafny, os.environ.get("DAFNY"), "dafny"):
        if not cand:
            continue
        path = shutil.which(cand) or (cand if os.path.isfile(cand) and os.access(cand, os.X_OK) else None)
        if path:
            return path
    return None


def _output(argv: list[str], timeout: float = 60) -> str:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (r.stdout or "") + (r.stderr or "")


def _version(dafny: str) -> str:
    # Dafny 4 answers `--version` with a bare version; Dafny 2.x only knows `/version` and prints
    # "Dafny 2.3.0.10506" before complaining that no file was given.
    for flag in ("--version", "/version"):
        m = re.search(r"(?:^|Dafny\s+)(\d+\.\d+\.\d+(?:\.\d+)?)", _output([dafny, flag]), re.M)
        if m:
            return m.group(1)
    return ""


def _mono_install(dafny: str) -> tuple[str, str] | None:
    """(mono runner, directory holding Dafny.exe) for a Dafny 2.x that runs on mono, else None."""
    dirs = [os.path.dirname(os.path.realpath(dafny))]
    try:
        # Debian's /usr/bin/dafny is a shell wrapper: `exec /usr/bin/cli /usr/lib/dafny/Dafny.exe "$@"`.
        with open(dafny, "rb") as f:
            head = f.read(4096).decode("utf-8", "replace")
        dirs += [os.path.dirname(m) for m in re.findall(r"(/\S+/Dafny\.exe)", head)]
    except OSError:
        pass
    dirs.append("/usr/lib/dafny")
    runner = shutil.which("mono") or shutil.which("cli")
    for d in dirs:
        if runner and os.path.isfile(os.path.join(d, "Dafny.exe")):
            return runner, d
    return None


def _wheel_z3() -> str:
    """The `bin/z3` that the installed z3-solver wheel put down (a data file: <venv>/bin/z3)."""
    try:
        files = importlib.metadata.distribution("z3-solver").files or []
    except importlib.metadata.PackageNotFoundError:
        return ""
    return next((os.path.normpath(f.locate()) for f in files if f.name == "z3" and f.parent.name == "bin"), "")


def find_z3() -> tuple[str, str]:
    """(path, where it was found) of the z3 Dafny 2.x runs; ("", "") when there is none."""
    for cand, where in ((settings.current().z3 or None, "$PROVER_Z3"), (_wheel_z3(), "the z3-solver wheel"),
                        (shutil.which("z3"), "PATH")):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return os.path.abspath(cand), where
    return "", ""


def _z3_version(z3: str) -> str:
    if not z3:
        return ""
    m = re.search(r"Z3 version (\S+)", _output([z3, "--version"], timeout=20))
    return m.group(1) if m else ""


@functools.lru_cache(maxsize=8)
def detect(dafny: str | None = None) -> Toolchain:
    """Detect the toolchain once per process; raise `DafnyNotFound` with an install hint."""
    path = find_dafny(dafny)
    if not path:
        raise DafnyNotFound(f"no dafny executable found. {INSTALL_HINT}")
    version = _version(path)
    if not version:
        raise DafnyNotFound(f"{path} did not report a Dafny version. {INSTALL_HINT}")
    major = int(version.split(".")[0])
    if major >= 3:
        # Dafny 4 bundles its own z3 and names it in `--version`-free ways; its version is enough.
        return Toolchain(path, version, major, "cli4")
    runner, exe_dir = _mono_install(path) or ("", "")
    server_exe = os.path.join(exe_dir, "DafnyServer.exe") if exe_dir else ""
    server = (runner, server_exe) if server_exe and os.path.isfile(server_exe) else ()
    z3, z3_from = find_z3()
    return Toolchain(path, version, major, "server" if server else "cli2", server, _z3_version(z3), runner, exe_dir,
                     z3, z3_from)


def doctor(dafny: str | None = None) -> dict:
    """A `prover doctor` row: found, version, mode, detail, hint (how to get what is missing)."""
    try:
        tc = detect(dafny)
    except DafnyNotFound as e:
        return {"found": False, "version": "", "mode": "", "detail": str(e), "hint": INSTALL_HINT}
    detail = {"server": f"DafnyServer pool: {' '.join(tc.server_argv)}",
              "cli2": "one dafny process per check (DafnyServer.exe not found)",
              "cli4": "one `dafny verify` per check"}[tc.mode]
    if tc.mono:
        from . import aot

        detail += f"; AOT copy for CLI checks: {aot.status(tc)}"
    if tc.major < 3:
        detail += (f"; z3 {tc.z3_version or '(version unknown)'}: {tc.z3} (from {tc.z3_from})" if tc.z3
                   else "; no z3 found")
    hint = ("" if tc.mode != "cli2" else "install DafnyServer.exe beside Dafny.exe: its pool checked 3.2x as many "
            "programs per second as one dafny process each (bench/dafny_throughput.py)")
    if tc.major < 3 and tc.z3_version != Z3_VERSION:
        hint = "; ".join(filter(None, [hint, Z3_HINT]))
    return {"found": True, "version": tc.stamp, "mode": tc.mode, "detail": f"{tc.dafny}; {detail}", "hint": hint}
