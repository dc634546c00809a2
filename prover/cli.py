"""The `prover` command line: one subcommand per job (see `prover --help`)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__
from .commands import COMMANDS
from .errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prover",
        description="Train and evaluate theorem provers against real verifiers (Lean 4, Dafny).",
        epilog="Run `prover doctor` first to see which verifiers and backends this machine has.",
    )
    parser.add_argument("--version", action="version", version=f"prover {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_path in COMMANDS.items():
        module = importlib.import_module(module_path)
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        status = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except UserError as e:
        print(f"prover {args.command}: error: {one_line(str(e))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`prover eval --list | head -1`): nothing more can be shown.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"prover {args.command}: output closed by the reader (broken pipe); stopped", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def one_line(message: str) -> str:
    """A message on one line: its own line breaks become "; "."""
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())


if __name__ == "__main__":
    sys.exit(main())
