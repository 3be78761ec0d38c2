# ruff: noqa: E501 - one scenario per line, and scenario ids are long
"""Scenarios recorded against real AWS that the local backend knowingly fails: scenario id -> why.

test_aws_recorded.py marks these `xfail(strict=True)`: when a gap is fixed its test XPASSes, which fails
the suite until the entry is removed here. `python -m tests.contract.recorded --report` shows the state;
`... --report --write-gaps` rewrites this dict from the scenarios failing now (hand-written reasons kept).
"""

GAPS: dict[str, str] = {}
