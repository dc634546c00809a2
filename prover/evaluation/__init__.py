"""Evaluation of a policy on a benchmark: the runner, pass@k metrics, reports and run comparison.

Named `evaluation` (not `eval`) so that it never shadows the builtin.
"""
