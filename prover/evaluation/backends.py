"""Where verification runs during an eval: verifiers in this process (threads) or ray actors.

A "checker" is one verifier worker: `check(task, candidate) -> Verdict`, `check_many(pairs)` (several
at once: the verifier may check a task's candidates in one request) and `close()`. The runner
keeps one checker per worker thread, so a checker is only ever used by one thread at a time and the
verifier implementations need no locking of their own.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from verifier_core.records import Candidate, Task, Verdict


class Checker(Protocol):
    def check(self, task: Task, candidate: Candidate) -> Verdict: ...

    def check_many(self, pairs: list[tuple[Task, Candidate]]) -> list[Verdict]: ...

    def close(self) -> None: ...


CheckerFactory = Callable[[], Checker]


class LocalChecker:
    """A verifier of our own (`prover.verifiers.get_verifier`) with one worker process; also the body
    of the ray actor, which runs the same class in a ray worker process."""

    def __init__(self, lang: str, options: dict[str, Any]):
        from ..verifiers import get_verifier

        self._verifier = get_verifier(lang, **options)

    def check(self, task: Task, candidate: Candidate) -> Verdict:
        return self._verifier.check(task, candidate)

    def check_many(self, pairs: list[tuple[Task, Candidate]]) -> list[Verdict]:
        return self._verifier.check_many(pairs)

    def close(self) -> None:
        self._verifier.close()


def local_factory(lang: str, options: dict[str, Any]) -> CheckerFactory:
    """Checkers running the verifier in this machine's processes (the default: no ray start-up cost)."""
    opts = {"workers": 1, **options}
    return lambda: LocalChecker(lang, opts)


class RayChecker:
    """A handle on one `LocalChecker` ray actor; a dead actor surfaces as an `error` verdict (retried)."""

    def __init__(self, actor_cls: Any, lang: str, options: dict[str, Any]):
        self._actor = actor_cls.remote(lang, options)

    def check(self, task: Task, candidate: Candidate) -> Verdict:
        return self.check_many([(task, candidate)])[0]

    def check_many(self, pairs: list[tuple[Task, Candidate]]) -> list[Verdict]:
        import ray

        try:
            return ray.get(self._actor.check_many.remote(pairs))
        except ray.exceptions.RayError as e:
            return [Verdict("error", reason=f"ray verifier actor failed: {type(e).__name__}: {e}") for _ in pairs]

    def close(self) -> None:
        import ray

        try:
            ray.get(self._actor.close.remote(), timeout=30)
        except ray.exceptions.RayError:
            pass  # the actor is already gone; killing it below is all that is left to do
        ray.kill(self._actor)


def ray_factory(lang: str, options: dict[str, Any], address: str | None, workers: int) -> CheckerFactory:
    """Checkers as ray actors (1 CPU each): on a cluster with `address`, else on a local ray.

    Ray is started here, once; ray 2.x has no `local_mode`, so "local" means a real one-node ray.
    """
    import ray

    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=max(1, workers), include_dashboard=False, log_to_driver=False)
    actor_cls = ray.remote(num_cpus=1)(LocalChecker)
    opts = {"workers": 1, **options}
    return lambda: RayChecker(actor_cls, lang, opts)
