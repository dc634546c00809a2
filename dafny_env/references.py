"""A task's own solution, read as a candidate for that task (SFT corpora, seed proofs)."""

from __future__ import annotations

from verifier_core.records import Task

from . import syntax
from .target import bodiless_members


def reference_candidate(task: Task) -> str | None:
    """The task's own solution as a candidate, or None when the data has none usable.

    Vericoding gives the body of a helper-free solution; `hints` tasks (DafnyBench) the whole ground
    truth; a task with one bodiless member the body its reference gives that member; a task with
    several the whole reference.
    """
    if "reference_body" in task.meta:
        return task.meta["reference_body"]
    ref = task.meta.get("reference")
    if not ref or "vc-code" in ref:  # a vericoding solution with helpers: not a body, not our program
        return None
    if task.kind == "hints":
        return ref
    members = bodiless_members(task.statement)
    if len(members) != 1:
        return ref
    for d in syntax.parse(ref).walk():
        if d.is_callable and d.has_body and d.name == members[0]:
            return ref[d.body_start:d.body_end]
    return None
