"""`prover.batch.check_batch`: one raising check costs only its own item."""

from prover.batch import check_batch
from prover.cache import VerdictCache
from prover.core import Verdict


def test_a_raising_check_gets_an_error_verdict_and_the_rest_are_kept():
    seen = {}

    def check(item):
        if item == "boom":
            raise RuntimeError("checker bug")
        return Verdict("verified" if item.startswith("ok") else "failed")

    cache = VerdictCache()
    items = ["ok1", "boom", "bad", "ok2", "boom"]
    out = check_batch(items, key=lambda x: x, check_one=check, cache=cache, workers=2,
                      on_result=lambda i, v: seen.__setitem__(i, v.status))
    assert [v.status for v in out] == ["verified", "error", "failed", "verified", "error"]
    assert out[1].reason == "infra:check-raised: RuntimeError: checker bug"
    assert seen == {0: "verified", 1: "error", 2: "failed", 3: "verified", 4: "error"}
    assert cache.get("boom") is None and cache.get("ok1").status == "verified"
