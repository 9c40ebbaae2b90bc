"""One scenario in a process of its own: ``python -m bench.child SCENARIO CONTEXT RESULT``.

The parent has set the environment for one database (``DATABASE_URL``, ``PORTAL_VAR_DIR``,
``MEDIA_ROOT``, ``DEBUG=false``, ...), so Django reads clean settings here. The scenario's
:class:`~bench.harness.Outcome`, with this process's peak memory added, goes to the RESULT file as
JSON. With ``ctx.profile`` the scenario runs under cProfile; the stats land next to the database's
other files (``<scenario>.prof`` and the top functions in ``<scenario>.profile.txt``).
"""

from __future__ import annotations

import cProfile
import importlib
import io
import json
import os
import pstats
import resource
import sys
from collections.abc import Callable
from pathlib import Path

from bench.harness import REGISTRY, Context, Metric, Outcome

Run = Callable[[Context], Outcome]


def _resolve(target: str) -> Run:
    module, _, function = target.partition(":")
    run: Run = getattr(importlib.import_module(module), function)
    return run


def _profiled(name: str, run: Run, ctx: Context) -> Outcome:
    profiler = cProfile.Profile()
    outcome: Outcome = profiler.runcall(run, ctx)
    stats_path = ctx.workpath / f"{name}.prof"
    profiler.dump_stats(stats_path)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(40)
    (ctx.workpath / f"{name}.profile.txt").write_text(text.getvalue(), encoding="utf-8")
    outcome.note(f"cProfile stats: {stats_path} (top functions: {name}.profile.txt)")
    return outcome


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    name, context_path, result_path = argv
    ctx = Context.load(Path(context_path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    run = _resolve(REGISTRY[name].target)
    outcome = _profiled(name, run, ctx) if ctx.profile else run(ctx)
    if name != "setup":
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        outcome.add(Metric(f"{name}.rss", f"{name}: peak RSS of the process", peak_mb, "MB"))
    Path(result_path).write_text(json.dumps(outcome.to_json()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
