"""Stand-ins for the verifiers so the self-play loop runs without Lean (and fast), in tests.

`FakeChecker` decides by fixed rules on the candidate and the statement (never at random), so two runs
give the same verdicts; `lean_command` answers `statement sorry` with the REPL's recorded response
for a well-formed statement (`sorry` warning only) or an ill-formed one, taken from the real
transcripts. Run as `python -m tests.helpers.selfplay_doubles CONFIG OUT [--resume]` for the SIGKILL tests.
"""

from __future__ import annotations

import hashlib
import sys

from lean_env.pool import PoolResult
from lean_env.repl import ReplResponse
from verifier_core.records import Verdict
from tests.helpers.lean_transcripts import label_pairs

CLOSERS = ("norm_num", "simp", "linarith")


def _recorded(command_start: str) -> ReplResponse:
    """The recorded response to the first transcript command starting with `command_start`."""
    import json

    for pair in label_pairs("v4.24.0"):
        for cmd, resp in zip(pair.commands, pair.responses):
            if json.loads(cmd).get("cmd", "").startswith(command_start):
                return ReplResponse.from_json(json.loads(resp), resp.decode())
    raise LookupError(command_start)


def lean_command(header: str, request: dict) -> PoolResult:
    cmd = request["cmd"]
    if "Foo" in cmd:  # an unknown identifier: the recorded answer of a command with errors
        return PoolResult("ok", _recorded("example : True := by\n  have h : set Nat"), 0.01)
    return PoolResult("ok", _recorded("theorem aa (x : Nat) (h1 : x  = 2)"), 0.01)


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def _even(text: str) -> bool:
    return _hash(text) % 2 == 0


class FakeChecker:
    """Originals: proved by any of CLOSERS (and a third of other texts, by hash). Conjectures: only `nlinarith` proves them, and only the
    half whose statement hashes even. Canaries and `exfalso` proofs never verify."""

    def check(self, task, cand):
        text = cand.text
        if task.id.startswith("canary/") or "exfalso" in text:
            return Verdict("failed", "fake: no", seconds=0.01, toolchain="fake")
        if task.meta.get("conjecture"):
            ok = "nlinarith" in text and _even(task.statement)
        else:  # a model's output rarely holds a closer: a third of all other texts verify too
            ok = any(k in text for k in CLOSERS) or (text.strip() != "" and _hash(text) % 3 == 0)
        return Verdict("verified" if ok else "failed", "" if ok else "fake: no", seconds=0.01, toolchain="fake")

    def check_many(self, pairs):
        return [self.check(t, c) for t, c in pairs]

    def close(self):
        pass


def fresh_check(task, proof):
    return FakeChecker().check(task, type("C", (), {"text": proof})())


def main(argv: list[str]) -> int:
    from conjecturer.config import SelfPlayConfig
    from conjecturer.selfplay import SelfPlay
    from prover.configfile import load_config

    cfg = load_config(SelfPlayConfig, argv[0])
    SelfPlay(cfg, argv[1], resume="--resume" in argv, progress=False, checker_factory=FakeChecker,
             lean_command=lean_command, fresh_check=fresh_check).run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
