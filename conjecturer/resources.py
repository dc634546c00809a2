"""What the steps of a self-play run borrow: policies (one model in memory per spec, shared by both
roles), verifier checker factories (local, ray, or the tests' doubles) and the ray cluster."""

from __future__ import annotations

from typing import Any, Callable

from verifier_core.languages import language, options_for


from .config import SelfPlayConfig
from .faults import FaultChecker


class Resources:
    def __init__(self, cfg: SelfPlayConfig, *, ray_address: str | None = None, checker_factory: Any = None):
        """`checker_factory` replaces the real verifiers' checkers (the tests' Lean doubles)."""
        self.cfg = cfg
        self.ray_address = ray_address
        self.checker_factory = checker_factory
        self._policies: dict[str, Any] = {}

    def verifier_options(self, step: str) -> dict[str, Any]:
        """The verifier options of a step (they shape verdicts, so an eval run records them).

        Dafny: proving uses `prover.confirm_failures` (the fast mode by default), the held-out
        eval `heldout.confirm_failures` (exact by default), and validation the exact mode (a
        false negative there would let a vacuous conjecture through).
        """
        options: dict[str, Any] = {"timeout": self.cfg.prover.timeout,
                                   "confirm_failures": {"prove": self.cfg.prover.confirm_failures,
                                                        "eval": self.cfg.heldout.confirm_failures}.get(step, True)}
        return options_for(language(self.cfg.lang), options)

    def verifier_mode(self, step: str) -> str:
        """The verifier's mode of a step, as run.json and metrics record it."""
        from prover.verifiers import verifier_mode

        return verifier_mode(self.cfg.lang, self.verifier_options(step))

    def checker_factory_for(self, step: str) -> Callable[[], FaultChecker]:
        from prover.evaluation import backends

        options = self.verifier_options(step)
        if self.checker_factory is not None:
            inner = self.checker_factory
        elif self.ray_address:
            self.ray_init()
            inner = backends.ray_factory(self.cfg.lang, options, self.ray_address, self.cfg.prover.workers)
        else:
            inner = backends.local_factory(self.cfg.lang, options)
        return lambda: FaultChecker(inner(), step)

    def policy(self, spec: str, role: str) -> Any:
        pc = self.cfg.prover if role == "prover" else self.cfg.conjecturer
        sampling = {"temperature": pc.temperature, "top_p": pc.top_p, "max_new_tokens": pc.max_new_tokens}
        if spec not in self._policies:
            opts = {**sampling, "prompt_style": pc.prompt_style, "batch_size": pc.batch_size, "seed": self.cfg.seed}
            opts = {k: v for k, v in opts.items() if v is not None}
            if self.ray_address:
                from .ray_policy import RayPolicy

                self.ray_init()
                self._policies[spec] = RayPolicy(spec, opts, self.cfg.prover.rollout_actors)
            else:
                from prover.policies import load_policy

                # the config's sampling settings go to whichever policy takes them (the portfolio takes none)
                self._policies[spec] = load_policy(spec, hints=opts)
        policy = self._policies[spec]
        # a model shared by both roles samples with the settings of the role asking
        if hasattr(policy, "set_sampling"):
            policy.set_sampling(sampling)
        else:
            for k, v in sampling.items():
                if hasattr(policy, k):
                    setattr(policy, k, v)
        return policy

    def ray_init(self) -> None:
        import ray

        if not ray.is_initialized():
            if self.ray_address == "local":
                ray.init(num_cpus=max(1, self.cfg.prover.workers + self.cfg.prover.rollout_actors),
                         include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=self.ray_address, log_to_driver=False)

    def drop_policies(self) -> None:
        for p in self._policies.values():
            p.close()
        self._policies.clear()


def samples_iid(spec: str) -> bool:
    """Whether the policy named by `spec` draws i.i.d. samples (asked of its class: loading a model for
    a flag would cost minutes). Only the portfolio declares otherwise."""
    if spec.partition(":")[0] == "portfolio":
        from prover.policies.portfolio import PortfolioPolicy

        return PortfolioPolicy.samples_iid
    return True
