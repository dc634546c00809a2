"""A real `prover serve` in a subprocess on a free loopback port, ready when `/health` answers
(for scripts, benchmarks and tests that talk to the server over HTTP)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from verifier_core.settings import REPO_ROOT as ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`prover serve` with `args`; `url`, `proc`; `stop()` sends SIGTERM and waits."""

    def __init__(self, *args: str, cache_dir: str | None = None, wait: float = 60.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        if cache_dir:
            env.pop("PROVER_NO_CACHE", None)
            env["PROVER_CACHE_DIR"] = cache_dir
        self.proc = subprocess.Popen([sys.executable, "-m", "prover.cli", "serve", "--port", str(self.port), *args],
                                     env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prover serve exited {self.proc.returncode}: {self.proc.stdout.read()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("prover serve did not answer /health in time")

    def stop(self, timeout: float = 120.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def output(self) -> str:
        return self.proc.stdout.read() if self.proc.stdout else ""
