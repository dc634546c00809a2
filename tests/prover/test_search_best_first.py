"""Best-first search on synthetic state spaces whose optimal expansion order is known."""

import math

import networkx as nx

from prover.search.best_first import Step, best_first_search, tactic_path

# state -> [(tactic, logprob, next_state)]; "QED" is a finished proof, "ERR" a failing tactic
TREE = {
    "root": [("a", math.log(0.5), "A"), ("b", math.log(0.3), "B"), ("c", math.log(0.2), "C")],
    "A": [("a1", math.log(0.1), "A1"), ("a2", math.log(0.1), "ERR")],
    "B": [("b1", math.log(0.9), "B1")],
    "C": [("c1", math.log(0.5), "QED")],
    "A1": [],
    "B1": [("b11", math.log(0.2), "B11")],
    "B11": [],
}


class TreeSpace:
    def __init__(self, tree):
        self.tree = tree
        self.applied = []

    def start(self):
        return Step("open", "root", "root", ["root"])

    def apply(self, state, tactic):
        self.applied.append((state, tactic))
        nxt = {t: s for t, _, s in self.tree[state]}[tactic]
        if nxt == "QED":
            return Step("done", None, "", [])
        if nxt == "ERR":
            return Step("error", None, "", [], error="tactic failed")
        return Step("open", nxt, nxt, [nxt])


def proposer(tree):
    def propose(key, n):
        return [(t, lp) for t, lp, _ in tree[key]][:n]
    return propose


def expanded_keys(res):
    return [res.graph.nodes[n]["key"] for n in res.order]


def test_expands_in_order_of_cumulative_logprob_and_finds_the_proof():
    # cumulative: A .5, B .3, B1 .27, C .2 -> C's child is a proof; A1 = .05, B11 = .054 never reached
    res = best_first_search(TreeSpace(TREE), proposer(TREE), width=8, max_expansions=100)
    assert res.status == "proved"
    assert res.tactics == ["c", "c1"]
    assert expanded_keys(res) == ["root", "A", "B", "B1", "C"]
    scores = [res.graph.nodes[n]["logprob"] for n in res.order]
    assert scores == sorted(scores, reverse=True)


def test_width_limits_tactics_per_expansion():
    res = best_first_search(TreeSpace(TREE), proposer(TREE), width=1, max_expansions=100)
    # only the best tactic per state: root->A->A1 (dead end), then nothing left
    assert res.status == "exhausted"
    assert expanded_keys(res) == ["root", "A", "A1"]


def test_expansion_budget_stops_the_search():
    res = best_first_search(TreeSpace(TREE), proposer(TREE), width=8, max_expansions=2)
    assert res.status == "budget" and res.expansions == 2 and not res.tactics


def test_duplicate_states_are_merged():
    tree = {"root": [("x", -0.1, "S"), ("y", -0.2, "S")], "S": [("z", -0.1, "QED")]}
    space = TreeSpace(tree)
    res = best_first_search(space, proposer(tree), width=8)
    assert res.tactics == ["x", "z"]
    assert [s for s, _ in space.applied].count("S") == 1  # S expanded once, not twice
    assert res.graph.number_of_nodes() == 3  # root, S, the proof


def test_root_error_and_graph_export():
    class Broken:
        def start(self):
            return Step("error", error="statement does not elaborate")

    res = best_first_search(Broken(), lambda k, n: [], width=4)
    assert res.status == "error" and "elaborate" in res.reason
    ok = best_first_search(TreeSpace(TREE), proposer(TREE))
    data = ok.graph_json()
    g = nx.node_link_graph(data, edges="edges")
    assert g.number_of_edges() == ok.graph.number_of_edges()
    done = next(n for n, d in ok.graph.nodes(data=True) if d["status"] == "done")
    assert tactic_path(ok.graph, done) == ok.tactics


def test_lean_state_space_replays_after_a_crash():
    from prover.search.lean_tactics import LeanStateSpace, tactic_block

    class Result:
        def __init__(self, status, ps=None, goals=(), error=""):
            self.status, self.proof_state, self.goals, self.error = status, ps, list(goals), error

    class Session:
        """Counts proof-state ids per REPL generation; `boom` crashes once."""

        def __init__(self):
            self.gen, self.log = 0, []

        def start(self, statement):
            self.gen += 1
            self.live = {0: ()}
            return Result("open", 0, ["⊢ P"])

        def apply(self, ps, tactic):
            self.log.append((ps, tactic))
            if ps not in self.live:
                return Result("error", error="unknown proof state")
            if tactic == "boom":
                self.live = {}
                return Result("crash", error="REPL died")
            path = self.live[ps] + (tactic,)
            new = len(self.live)
            self.live[new] = path
            return Result("open", new, [f"⊢ after {' '.join(path)}"])

    sess = Session()
    space = LeanStateSpace(sess, "theorem t : P := by")
    root = space.start()
    s1 = space.apply(root.state, "intro")
    assert space.apply(s1.state, "boom").status == "crash"
    s2 = space.apply(s1.state, "simp")  # s1's id is gone: the space restarts and replays "intro"
    assert s2.status == "open" and s2.goals == ["⊢ after intro simp"] and sess.gen == 2
    assert tactic_block(["intro h", "simp"]) == "\n  intro h\n  simp"
