"""Range-checked number types for command-line options: `--limit -1` or `--workers 0` is an error
naming the option, never a run that quietly does something else."""

from __future__ import annotations

import argparse
from typing import Callable


def _number(cast: Callable[[str], float], low: float, inclusive: bool, high: float | None = None):
    bound = f">= {low:g}" if inclusive else f"> {low:g}"
    if high is not None:
        bound += f" and <= {high:g}"

    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if value != value or (value < low if inclusive else value <= low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text}")
        return value

    parse.__name__ = cast.__name__  # argparse names the type in its own messages
    return parse


positive_int = _number(int, 1, True)
nonnegative_int = _number(int, 0, True)
positive_float = _number(float, 0, False)
nonnegative_float = _number(float, 0, True)
probability = _number(float, 0, False, 1)  # top-p: (0, 1]
