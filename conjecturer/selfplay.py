"""A self-play run: rounds of conjecture -> validate -> prove -> select -> train -> eval -> finish.

Everything a round produces lies in OUT/rounds/NNN/ (see `rounds`), so a run killed anywhere (SIGKILL
included) continues with `--resume` at the step it was in. OUT/metrics.jsonl, OUT/report.md and
OUT/dataset/ are rebuilt from the rounds after each round. Random choices use `random.Random` seeded by
(config seed, round, purpose), so a resumed run makes the same choices as an uninterrupted one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prover.configfile import to_dict
from verifier_core.jsonl import read_records

from .config import SelfPlayConfig
from .languages import selfplay_part
from .resources import Resources
from .rounds import Round
from .rundir import RunDirMismatch, open_run_dir, read_json, round_dir, write_jsonl
from .seeds import load_originals, split_heldout

__all__ = ["RunDirMismatch", "SelfPlay"]


class SelfPlay:
    """One self-play run in `out` (the `RunContext` its rounds read); `run()` does every missing round
    and returns the metrics rows."""

    def __init__(self, cfg: SelfPlayConfig, out: str | os.PathLike, *, resume: bool = False,
                 ray_address: str | None = None, progress: bool = True, config_text: str = "",
                 checker_factory: Any = None, lean_command: Any = None, fresh_check: Any = None):
        """`checker_factory` (checkers for validation, proving and eval), `lean_command` (header,
        request) -> PoolResult for Lean elaboration, and `fresh_check` (task, proof) -> Verdict for the
        audit replace the real verifiers; they exist so the loop is testable without Lean."""
        self.cfg = cfg
        self.lean_command = lean_command
        self.fresh_check = fresh_check
        self.out = Path(out)
        self.resume = resume
        self.progress = progress
        self.config_text = config_text
        self.ray_address = ray_address
        self.resources = Resources(cfg, ray_address=ray_address, checker_factory=checker_factory)

    def _check_policies(self) -> None:
        """A policy on ray actors is loaded where they run, which may see other files: not checked here."""
        from prover.policies import check_policy

        if self.ray_address:
            return
        specs = [("prover.policy", self.cfg.prover.policy)]
        if self.cfg.conjecturer.kind == "policy":
            specs.append(("conjecturer.policy", self.cfg.conjecturer.policy))
        for where, spec in specs:
            try:
                check_policy(spec)
            except (ValueError, FileNotFoundError) as e:
                raise ValueError(f"{where}: {e}") from None

    def _open(self) -> None:
        open_run_dir(self.out, to_dict(self.cfg), self.resume)

    def run(self) -> list[dict[str, Any]]:
        originals = load_originals(self.cfg.seeds, self.cfg.lang)
        if not originals:
            raise ValueError("no seed statements: check seeds.benchmarks / seeds.files")
        self._check_policies()
        self._open()  # only once everything that can be checked up front is fine
        self.train_tasks, self.heldout = split_heldout(originals, self.cfg.seeds)
        self.by_id = {t.id: t for t in originals}
        self.originals = originals  # every loaded statement counts for duplicates, used or not
        # `proof`: any verified proof (a reference seeds round 0); `proved`: the prover itself has
        # proved it in some round (unproved ones are always re-proved and are the re-weighting targets)
        part = selfplay_part(self.cfg.lang)
        state = {"originals": {t.id: {"proved": False, "pass_rate": None, "proof": part.reference_proof(t)}
                               for t in self.train_tasks},
                 "models": {"prover": self.cfg.prover.policy, "conjecturer": self.cfg.conjecturer.policy}}
        try:
            for r in range(self.cfg.rounds):
                rd = round_dir(self.out, r)
                done = rd / "state.json"
                if done.exists():
                    state = read_json(done)
                    continue
                rd.mkdir(parents=True, exist_ok=True)
                state = Round(self, r, rd, state).run()
                self.resources.drop_policies()  # the next round may load a new checkpoint
                self._publish()
        finally:
            self.resources.drop_policies()
        self._publish()
        return read_records(self.out / "metrics.jsonl")

    def _publish(self) -> None:
        from .report import write_report

        rows = []
        for rd in sorted((self.out / "rounds").glob("[0-9][0-9][0-9]")):
            if (rd / "metrics.json").exists():
                rows.append(read_json(rd / "metrics.json"))
        write_jsonl(self.out / "metrics.jsonl", rows)
        write_report(self.out, self.config_text)
