"""Serve the verifiers over HTTP: FastAPI under uvicorn, the same pools, gate and cache as `prover verify`.

  prover serve [--host 127.0.0.1] [--port 8000] [--workers N] [--api-key-file F] [--max-queue Q]

Routes: POST /v1/verify ({"items": [{"id", "lang", "statement", "candidate", "kind"?, "header"?,
"timeout"?}]} -> {"results": [the records `prover verify` writes, in request order]}); Kimina Lean
Server's POST /api/check and POST /verify (Lean snippets), and the same under /dafny (Dafny programs,
each checked against itself); GET /health (no key needed), GET /metrics (Prometheus); docs at /docs.

Security: loopback by default; any other address needs --api-key-file (the key is never taken from
the command line). With a key every route but /health needs `Authorization: Bearer <key>`.
Limits (each a 413/422 naming it): --max-body-mb, --max-items, --max-timeout, 1 MB per text.
A full queue answers 429 with Retry-After. SIGTERM finishes the requests in flight, then exits;
the verifier processes die with the server however it dies.
"""

from __future__ import annotations

import argparse
import sys

HELP = "serve the verifiers over HTTP (this project's API and Kimina's), for RL stacks to call"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback; others need --api-key-file)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=2, help="verifier processes per language and timeout (default 2)")
    p.add_argument("--api-key-file", metavar="F", help="file holding the API key (first line); clients send it as a Bearer token")
    p.add_argument("--max-queue", type=int, default=256, help="items queued or running before 429 (default 256)")
    p.add_argument("--max-items", type=int, default=256, help="items per request (default 256)")
    p.add_argument("--max-body-mb", type=float, default=16.0, help="request body limit in MiB (default 16)")
    p.add_argument("--timeout", type=float, default=30.0, help="default hard per-item timeout in seconds (default 30)")
    p.add_argument("--max-timeout", type=float, default=300.0, help="largest per-item timeout a request may ask (default 300)")
    p.add_argument("--memory-mb", type=int, default=None, help="memory cap per verifier process (MiB)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the verdict cache")
    p.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from ..client import read_key
    from ..serve.app import create_app
    from ..serve.service import ServeSettings

    try:
        key = read_key(args.api_key_file) if args.api_key_file else None
        settings = ServeSettings(host=args.host, port=args.port, workers=args.workers, timeout=args.timeout,
                                 max_timeout=args.max_timeout, memory_mb=args.memory_mb, max_queue=args.max_queue,
                                 max_items=args.max_items, max_body_bytes=int(args.max_body_mb * 1024 * 1024),
                                 api_key=key, cache=not args.no_cache)
    except (OSError, ValueError) as e:
        print(f"prover serve: {e}", file=sys.stderr)
        return 2
    app = create_app(settings)
    # No graceful-shutdown timeout: on SIGTERM uvicorn stops accepting and waits for every request
    # in flight; the app's lifespan then stops the verifiers.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=args.log_level, access_log=False)
    return 0
