"""Best-first tactic search over proof states (ReProver's `BestFirstSearchProver`).

The frontier is ordered by the cumulative log-probability of the tactics leading to a state; each
expansion asks for `width` tactics for the best open state and applies every one. The algorithm only
sees a `StateSpace` (start / apply), so it runs unchanged on the Lean REPL (`lean_tactics`) and on
synthetic spaces in tests. The search graph is a networkx DiGraph, exportable as node-link JSON.
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import networkx as nx

from verifier_core.records import Task
from ..policies.base import Policy, Request

STEP_STATUSES = ("open", "done", "error", "timeout", "crash")


@dataclass
class Step:
    """The result of starting or applying a tactic: `state` is an opaque handle for `apply`, `key`
    identifies the proof state (two paths reaching the same goals share a node)."""

    status: str
    state: Any = None
    key: str = ""
    goals: list[str] = field(default_factory=list)
    error: str = ""


class StateSpace(Protocol):
    def start(self) -> Step:
        """The root proof state."""

    def apply(self, state: Any, tactic: str) -> Step:
        """Run one tactic on an open state."""


# (state key, how many) -> [(tactic, log-probability)]
Proposer = Callable[[str, int], list[tuple[str, float]]]


@dataclass
class BestFirstResult:
    status: str  # proved | exhausted | budget | error
    tactics: list[str]  # the proof, when proved
    graph: nx.DiGraph
    expansions: int
    order: list[int]  # node ids in the order they were expanded
    seconds: float
    reason: str = ""

    def graph_json(self) -> dict[str, Any]:
        """The search graph as networkx node-link JSON (nodes: states; edges: tactics)."""
        return nx.node_link_data(self.graph, edges="edges")


def best_first_search(space: StateSpace, propose: Proposer, *, width: int = 8, max_expansions: int = 100,
                      max_seconds: float | None = None,
                      on_expand: Callable[[int, float], None] | None = None) -> BestFirstResult:
    """Search until a state with no goals is reached, the frontier empties, or the budget is spent."""
    t0 = time.monotonic()
    g = nx.DiGraph()
    root = space.start()
    g.add_node(0, key=root.key, goals=root.goals, status=root.status, logprob=0.0, depth=0, expanded=False)
    if root.status != "open":
        return BestFirstResult("error", [], g, 0, [], time.monotonic() - t0, root.error or root.status)
    handles = {0: root.state}
    by_key = {root.key: 0}
    tie = itertools.count()  # equal priorities expand in creation order
    frontier = [(-0.0, next(tie), 0)]
    order: list[int] = []
    ids = itertools.count(1)
    while frontier:
        if len(order) >= max_expansions:
            return BestFirstResult("budget", [], g, len(order), order, time.monotonic() - t0,
                                   f"{max_expansions} expansions spent")
        if max_seconds is not None and time.monotonic() - t0 > max_seconds:
            return BestFirstResult("budget", [], g, len(order), order, time.monotonic() - t0,
                                   f"time budget of {max_seconds:g} s spent")
        neg, _, node = heapq.heappop(frontier)
        order.append(node)
        g.nodes[node]["expanded"] = True
        if on_expand:
            on_expand(node, -neg)
        for tactic, lp in propose(g.nodes[node]["key"], width):
            step = space.apply(handles[node], tactic)
            score = -neg + lp
            if step.status == "open" and step.key in by_key:
                if not g.has_edge(node, by_key[step.key]):  # keep the edge that made the node
                    g.add_edge(node, by_key[step.key], tactic=tactic, logprob=lp, status="duplicate")
                continue
            child = next(ids)
            g.add_node(child, key=step.key, goals=step.goals, status=step.status, logprob=score,
                       depth=g.nodes[node]["depth"] + 1, expanded=False, error=step.error[:500])
            g.add_edge(node, child, tactic=tactic, logprob=lp, status=step.status)
            if step.status == "done":
                return BestFirstResult("proved", tactic_path(g, child), g, len(order), order,
                                       time.monotonic() - t0)
            if step.status == "open":
                by_key[step.key] = child
                handles[child] = step.state
                heapq.heappush(frontier, (-score, next(tie), child))
    return BestFirstResult("exhausted", [], g, len(order), order, time.monotonic() - t0, "no open state left")


def tactic_path(g: nx.DiGraph, node: int) -> list[str]:
    """The tactics on the tree path from the root to `node` (each node has one parent edge that made it)."""
    tactics = []
    while node != 0:
        parent = next(p for p in g.predecessors(node) if g.edges[p, node]["status"] != "duplicate")
        tactics.append(g.edges[parent, node]["tactic"])
        node = parent
    return tactics[::-1]


def policy_proposer(policy: Policy, task: Task) -> Proposer:
    """Ask `policy` for next tactics in a state (its goals text); duplicates are merged, best kept."""

    def propose(state_key: str, n: int) -> list[tuple[str, float]]:
        samples = policy.generate([Request(task, n, state=state_key)])[0]
        best: dict[str, float] = {}
        for s in samples:
            tac = s.text.strip()
            if tac:
                lp = s.logprob if s.logprob is not None else 0.0
                best[tac] = max(lp, best.get(tac, float("-inf")))
        return sorted(best.items(), key=lambda kv: -kv[1])

    return propose
