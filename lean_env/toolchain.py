"""Finding and installing the Lean REPL the verifier runs.

Where the REPL is looked for, first hit wins:
  1. an explicit `command` (and optional `project`, its working directory);
  2. `$PROVER_LEAN_REPL`: a shell-quoted command that starts a REPL (`lake env /x/repl` or a wrapper),
     run in `$PROVER_LEAN_PROJECT` when that is set;
  3. a Lake project: `project`, else `$PROVER_LEAN_PROJECT`, else the install directories of
     `prover setup-lean` (`<cache>/lean/default`, then `<cache>/lean/v4.9`); the REPL binary built
     there (`.lake/packages/REPL/.lake/build/bin/repl`) is run under `lake env` in that directory.

The project templates live in `lean_env/project` (Lean/Mathlib/REPL v4.24.0, for
`minif2f.jsonl`) and `lean_env/project_v4_9` (v4.9.0-rc1 with DeepSeek's Mathlib fork, for the
DeepSeek/Goedel/STP statement files).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from verifier_core import settings

ENV_REPL = "PROVER_LEAN_REPL"
ENV_PROJECT = "PROVER_LEAN_PROJECT"
TEMPLATES = {
    "default": Path(__file__).resolve().parent / "project",
    "v4.9": Path(__file__).resolve().parent / "project_v4_9",
}
REPL_BIN = Path(".lake") / "packages" / "REPL" / ".lake" / "build" / "bin" / "repl"
ELAN_INIT_URL = "https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh"
HINT = ("run `prover setup-lean` on a machine with internet (elan + Lean v4.24.0 + Mathlib cache + REPL, "
        "about 6 GB), or point PROVER_LEAN_PROJECT at a built project / PROVER_LEAN_REPL at a REPL command")


@dataclass
class ReplLocation:
    """A REPL that can be started: `command` run in `cwd`; `toolchain` names exactly what runs."""

    command: list[str]
    cwd: str | None
    project: str | None
    toolchain: str
    source: str


def default_install_dir(variant: str = "default") -> Path:
    """Where `prover setup-lean --variant VARIANT` installs unless told otherwise."""

    return settings.cache_dir() / "lean" / variant


def find_lake() -> str | None:
    """`lake` on PATH, else elan's default install location."""
    found = shutil.which("lake")
    if found:
        return found
    elan_lake = Path(os.environ.get("ELAN_HOME", Path.home() / ".elan")) / "bin" / "lake"
    return str(elan_lake) if elan_lake.is_file() else None


def project_toolchain(project: str | os.PathLike) -> str:
    """`leanprover/lean4:vX mathlib@REV repl@REV` from a project's lean-toolchain and lake-manifest.json."""
    p = Path(project)
    parts = []
    try:
        parts.append((p / "lean-toolchain").read_text().strip())
    except OSError:
        parts.append("lean:unknown")
    try:
        manifest = json.loads((p / "lake-manifest.json").read_text())
        revs = {pkg.get("name"): pkg.get("rev", "") for pkg in manifest.get("packages", [])}
        for name in ("mathlib", "REPL"):
            if name in revs:
                parts.append(f"{name.lower()}@{revs[name][:12]}")
    except (OSError, ValueError, AttributeError):
        pass
    return " ".join(parts)


def _project_location(project: Path, source: str) -> tuple[ReplLocation | None, str]:
    if not project.is_dir():
        return None, f"{project} does not exist ({source})"
    if not (project / "lakefile.toml").is_file() and not (project / "lakefile.lean").is_file():
        return None, f"{project} is not a Lake project (no lakefile)"
    binary = project / REPL_BIN
    if not binary.is_file():
        return None, f"{project}: REPL not built ({REPL_BIN} missing; run `lake exe repl < /dev/null` there)"
    lake = find_lake()
    if not lake:
        return None, "`lake` not found (install elan: `prover setup-lean`)"
    return ReplLocation([lake, "env", str(binary)], str(project), str(project), project_toolchain(project),
                        source), ""


def find_repl(command: list[str] | str | None = None, project: str | os.PathLike | None = None
              ) -> tuple[ReplLocation | None, list[str]]:
    """The REPL to run, or None; the second value lists why each place looked at did not have one."""
    tried: list[str] = []
    env = settings.current()
    env_project = env.lean_project or None
    cmd = command if command is not None else env.lean_repl or None
    if cmd:
        argv = shlex.split(cmd) if isinstance(cmd, str) else list(cmd)
        where = str(project or env_project or "") or None
        source = "argument" if command is not None else f"${ENV_REPL}"
        exe = argv[0] if argv else ""
        if argv and (shutil.which(exe) or Path(where or ".", exe).is_file()):
            toolchain = project_toolchain(where) if where else f"lean-repl:{shlex.join(argv)}"
            return ReplLocation(argv, where, where, toolchain, source), tried
        tried.append(f"{source}: `{shlex.join(argv)}` is not an executable command")
        return None, tried
    candidates = []
    if project:
        candidates.append((Path(project), "argument"))
    elif env_project:
        candidates.append((Path(env_project), f"${ENV_PROJECT}"))
    else:
        candidates += [(default_install_dir(v), f"setup-lean --variant {v}") for v in TEMPLATES]
    for path, source in candidates:
        loc, why = _project_location(path.expanduser().resolve(), source)
        if loc:
            return loc, tried
        tried.append(why)
    return None, tried


def doctor(command: list[str] | str | None = None, project: str | None = None) -> dict:
    """The `prover doctor` entry for Lean: {found, version, command, project, detail, hint}.

    Cheap: it looks for files and commands and reads version pins; it does not start Lean.
    """
    loc, tried = find_repl(command, project)
    if loc is None:
        return {"found": False, "version": "", "command": "", "project": "",
                "detail": "; ".join(tried) or "no Lean REPL found", "hint": HINT}
    return {"found": True, "version": loc.toolchain, "command": shlex.join(loc.command),
            "project": loc.project or "", "detail": f"found via {loc.source}", "hint": ""}


# -- installation ---------------------------------------------------------------------------------


@dataclass
class Step:
    """One installation step: run `argv` in `cwd` (`stdin` fed to it); `fatal` steps stop the install."""

    title: str
    argv: list[str]
    cwd: str | None = None
    stdin: str | None = None
    fatal: bool = True
    expect_in_stdout: str = ""
    env: dict[str, str] = field(default_factory=dict)


def _elan_bin() -> Path:
    return Path(os.environ.get("ELAN_HOME", Path.home() / ".elan")) / "bin"


def install_plan(target: Path, variant: str = "default") -> list[Step]:
    """The commands `prover setup-lean` runs after elan is present, in order."""
    toolchain = (TEMPLATES[variant] / "lean-toolchain").read_text().strip()
    elan = shutil.which("elan") or str(_elan_bin() / "elan")
    lake = find_lake() or str(_elan_bin() / "lake")
    d = str(target)
    return [
        Step(f"install the Lean toolchain {toolchain}", [elan, "toolchain", "install", toolchain]),
        Step("resolve dependencies (clones Mathlib and the REPL at their pinned commits)", [lake, "update"], d),
        Step("download Mathlib's compiled .olean cache (about 5 GB)", [lake, "exe", "cache", "get"], d,
             fatal=variant == "default"),
        Step("build the REPL and run one command", [lake, "exe", "repl"], d, stdin='{"cmd": "def f := 2"}\n\n',
             expect_in_stdout='"env"'),
        Step("import Mathlib in the REPL (checks the cache is complete; loads several GB)",
             [lake, "env", str(target / REPL_BIN)], d, stdin='{"cmd": "import Mathlib\\n#check Nat"}\n\n',
             expect_in_stdout='"env"'),
    ]


def _online(url: str = "https://github.com", timeout: float = 10.0) -> str:
    """'' when `url` answers, else why not."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout).close()
        return ""
    except Exception as e:  # any failure means the same thing here: no usable internet
        return f"{type(e).__name__}: {e}"


def _install_elan(log: TextIO) -> str:
    """Download and run the official elan installer; '' on success, else why it failed."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "elan-init.sh"
        try:
            with urllib.request.urlopen(ELAN_INIT_URL, timeout=60) as r:
                script.write_bytes(r.read())
        except Exception as e:
            return f"cannot download {ELAN_INIT_URL}: {e}"
        rc = subprocess.run(["sh", str(script), "-y", "--default-toolchain", "none"], stdout=log, stderr=log).returncode
    return "" if rc == 0 else f"elan-init.sh exited with status {rc}"


def _copy_template(variant: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for f in TEMPLATES[variant].iterdir():
        if f.is_file():
            shutil.copy2(f, target / f.name)


def _run_step(step: Step, log: TextIO) -> str:
    """Run one step with its output streamed to `log`; '' on success, else why it failed."""
    env = dict(os.environ, **step.env)
    env["PATH"] = f"{_elan_bin()}{os.pathsep}{env.get('PATH', '')}"
    try:
        proc = subprocess.run(step.argv, cwd=step.cwd, input=step.stdin, text=True, env=env,
                              stdout=subprocess.PIPE if step.expect_in_stdout else log, stderr=log)
    except OSError as e:
        return f"cannot run {step.argv[0]}: {e}"
    if step.expect_in_stdout:
        log.write(proc.stdout)
        if step.expect_in_stdout not in proc.stdout:
            return f"expected {step.expect_in_stdout!r} in the output (exit status {proc.returncode})"
    if proc.returncode != 0:
        return f"exit status {proc.returncode}"
    return ""


def install(target: Path | None = None, variant: str = "default", *, log: TextIO = sys.stderr,
            skip_smoke_test: bool = False, online_check: Callable[[], str] = _online) -> int:
    """Install elan, the toolchain, Mathlib (cache) and the REPL into `target`; 0 on success.

    Prints each step to `log` as `[i/n] ...`, with the tools' own progress output below it.
    """
    if variant not in TEMPLATES:
        log.write(f"unknown variant {variant!r}; choose one of {sorted(TEMPLATES)}\n")
        return 2
    target = (target or default_install_dir(variant)).expanduser().resolve()
    offline = online_check()
    if offline:
        log.write("setup-lean needs internet access (github.com, Mathlib's cache server) and this machine "
                  f"has none ({offline}).\nRun `prover setup-lean` on a machine with internet, then copy "
                  f"{target} here and set {ENV_PROJECT}={target}; or set {ENV_REPL} to a REPL command.\n")
        return 1
    steps = install_plan(target, variant)
    if skip_smoke_test:
        steps = steps[:-1]
    total = len(steps) + 2
    log.write(f"[1/{total}] elan (the Lean version manager)\n")
    if not (shutil.which("elan") or (_elan_bin() / "elan").is_file()):
        why = _install_elan(log)
        if why:
            log.write(f"failed: {why}\n")
            return 1
    log.write(f"[2/{total}] project files -> {target}\n")
    _copy_template(variant, target)
    for i, step in enumerate(steps, 3):
        log.write(f"[{i}/{total}] {step.title}: {shlex.join(step.argv)}\n")
        log.flush()
        why = _run_step(step, log)
        if why:
            log.write(f"{'failed' if step.fatal else 'warning'}: {step.title}: {why}\n")
            if step.fatal:
                return 1
    log.write(f"done: Lean REPL ready in {target} ({project_toolchain(target)}).\n"
              f"The verifier finds it there; elsewhere set {ENV_PROJECT}={target}.\n")
    return 0
