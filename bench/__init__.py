"""Benchmarks: ``python -m bench N`` (or ``make bench N=...``).

``bench.generate`` writes a synthetic SciCat export of N datasets; ``bench.harness`` holds the
timing helpers and the scenario registry; every scenario runs in a child process configured for
one database (``bench.child``), and ``bench.__main__`` prints the report.
"""
