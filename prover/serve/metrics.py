"""Prometheus metrics of one app (a registry of its own, so that several apps in a process never mix)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("prover_requests", "HTTP requests by route and status code", ("route", "code"),
                                registry=self.registry)
        self.verdicts = Counter("prover_verdicts", "verdicts by language and status", ("lang", "status"),
                                registry=self.registry)
        self.queue_depth = Gauge("prover_queue_depth", "items admitted and not finished", registry=self.registry)
        self.request_seconds = Histogram("prover_request_seconds", "time to answer a request", ("route",),
                                         buckets=_SECONDS, registry=self.registry)
        self.item_seconds = Histogram("prover_item_seconds", "verifier seconds per item (the verdict's own)",
                                      ("lang",), buckets=_SECONDS, registry=self.registry)

    def verdict(self, lang: str, status: str, seconds: float) -> None:
        self.verdicts.labels(lang, status).inc()
        self.item_seconds.labels(lang).observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)
