"""An ahead-of-time compiled copy of a mono Dafny 2.x, for the checks that still start a process.

A `dafny` process spends about half of its ~0.8 s on a trivial program JIT-compiling Dafny and
Boogie (measured: Dafny 2.3, mono 6.8, 2 cores). `mono --aot` compiles every assembly to native
code once (~3 s); the copy lives in the cache dir and serves the CLI confirmations of DafnyServer
failures and the `cli2` backend. It is the same IL talking to the same z3, so the verdict stamp
stays the same; the build is smoke-tested before use and every failure falls back to the stock
`dafny`. `bench/dafny_throughput.py` keeps the stock `dafny` as its baseline.

`PROVER_DAFNY_AOT=0` turns it off.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from verifier_core import settings

if TYPE_CHECKING:  # annotations only: toolchain's doctor() reports this module's status
    from .toolchain import Toolchain

_SMOKE_PROGRAM = "lemma Smoke(n: nat) ensures n + 1 > n {}\n"
_SMOKE_EXPECT = "1 verified, 0 errors"
_BUILD_TIMEOUT_S = 600
_lock = threading.Lock()


def enabled() -> bool:
    """False when `PROVER_DAFNY_AOT` is set to 0/false/no/off."""
    return settings.current().dafny_aot


def _sources(tc: Toolchain) -> list[Path]:
    """The files of the installation: Dafny's directory plus the directories its symlinks point into
    (Debian links Boogie's DLLs from /usr/lib/boogie, where `Provers.SMTLib.dll` lives unlinked)."""
    dirs = [Path(tc.mono_dir)]
    for entry in Path(tc.mono_dir).iterdir():
        if entry.is_symlink():
            target = entry.resolve().parent
            if target not in dirs:
                dirs.append(target)
    seen: dict[str, Path] = {}
    for d in dirs:
        for entry in sorted(d.iterdir()):
            # Everything of Dafny's own directory (prelude, runtime, .config files); only the
            # assemblies of the directories it links into.
            if entry.is_file() and (d == dirs[0] or entry.suffix == ".dll"):
                seen.setdefault(entry.name, entry)
    return list(seen.values())


@functools.lru_cache(maxsize=8)
def _install_key(tc: Toolchain) -> str:
    """Dafny's and mono's versions and the installed files, hashed once per process: every
    `CliRunner` asks, and `verify_program` makes one per check."""
    mono = subprocess.run([tc.mono, "--version"], capture_output=True, text=True, timeout=30).stdout
    h = hashlib.sha256(f"{tc.version}\n{mono.splitlines()[0] if mono else ''}\n".encode())
    for src in _sources(tc):
        st = src.stat()
        h.update(f"{src.name}:{st.st_size}:{int(st.st_mtime)}\n".encode())
    return h.hexdigest()[:12]


def build_dir(tc: Toolchain) -> Path:
    """Where this installation's AOT copy lives: keyed by Dafny, mono and the installed files."""
    return settings.cache_dir() / "dafny-aot" / f"dafny-{tc.version}-{_install_key(tc)}"


def status(tc: Toolchain) -> str:
    """`built`, `not built` or `failed: ...`, without building anything (for `prover doctor`)."""
    if tc.major >= 3 or not tc.mono:
        return "not applicable"
    if not enabled():
        return "disabled (PROVER_DAFNY_AOT=0)"
    try:
        target = build_dir(tc)
    except (OSError, subprocess.SubprocessError) as e:
        return f"unavailable: {e}"
    if (target / "Dafny.exe").is_file():
        return f"built ({target})"
    failed = target.with_name(target.name + ".failed")
    if failed.is_file():
        reason = failed.read_text(encoding="utf-8", errors="replace").strip()[:300]
        return f"failed: {reason} (delete {failed} to retry)"
    return "not built (built on first CLI check)"


def dafny_argv(tc: Toolchain) -> list[str] | None:
    """`[mono, .../Dafny.exe]` of the AOT copy, building it on first use; None when unavailable.

    A failed build is remembered (a `.failed` file beside the copy) so it is not retried by every
    process; delete that file to retry.
    """
    if tc.major >= 3 or not tc.mono or not tc.mono_dir or not enabled():
        return None
    with _lock:
        try:
            target = build_dir(tc)
        except (OSError, subprocess.SubprocessError):
            return None
        exe = target / "Dafny.exe"
        failed = target.with_name(target.name + ".failed")
        if not exe.is_file() and not failed.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            with _file_lock(target.with_name(target.name + ".lock")):
                if not exe.is_file() and not failed.is_file():  # another process may have built it
                    error = _build(tc, target)
                    if error:
                        failed.write_text(error + "\n", encoding="utf-8")
        return [tc.mono, str(exe)] if exe.is_file() else None


@contextlib.contextmanager
def _file_lock(path: Path):
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _build(tc: Toolchain, target: Path) -> str:
    """Copy, AOT-compile and smoke-test into a temporary directory, then move it into place.

    Returns "" on success, else what went wrong.
    """
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        for src in _sources(tc):
            shutil.copy2(src, tmp / src.name)  # follows symlinks: the copy must be self-contained
        for entry in Path(tc.mono_dir).iterdir():
            # Release zips keep z3 in a subdirectory next to Dafny.exe; Dafny looks for it there.
            if entry.is_dir() and not (tmp / entry.name).exists():
                os.symlink(entry.resolve(), tmp / entry.name)
        for asm in sorted(p for p in tmp.iterdir() if p.suffix in (".dll", ".exe")):
            r = subprocess.run([tc.mono, "--aot=nodebug", asm.name], cwd=tmp, capture_output=True,
                               text=True, timeout=_BUILD_TIMEOUT_S)
            if r.returncode != 0:
                return f"mono --aot {asm.name} exited {r.returncode}: {(r.stderr or r.stdout)[-300:]}"
        smoke = tmp / "smoke.dfy"
        smoke.write_text(_SMOKE_PROGRAM, encoding="utf-8")
        r = subprocess.run([tc.mono, str(tmp / "Dafny.exe"), "/compile:0", "/nologo", *tc.z3_args, str(smoke)],
                           cwd=tmp, capture_output=True, text=True, timeout=120)
        smoke.unlink()
        if _SMOKE_EXPECT not in r.stdout:
            return f"the compiled copy failed its smoke test: {(r.stdout + r.stderr)[-300:]}"
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / "Dafny.exe").is_file():
                raise
        return ""
    except (OSError, subprocess.SubprocessError) as e:
        return f"{type(e).__name__}: {e}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
