"""Both machine APIs on one index: the ``api`` and ``panosc`` scenarios' requests after a single
top-up and index build (at 100,000 datasets the build is most of a run's time).

``BENCH_APIS_DOCS=100000 python -m bench 2000 --skip-generate --scenarios apis --database
postgres``: the same figures as ``--scenarios api,panosc`` with half the set-up.
"""

from __future__ import annotations

from bench.harness import Context, Outcome
from bench.indexed import indexed_catalogue
from bench.scenarios import api, panosc


def run(ctx: Context) -> Outcome:
    outcome = Outcome()
    if ctx.database != "postgres":
        outcome.note("the API benchmarks run on PostgreSQL + OpenSearch only")
        return outcome
    with indexed_catalogue(ctx, outcome, "apis") as public:
        api.measure(ctx, outcome, public)
        panosc.measure(ctx, outcome, public)
    return outcome
