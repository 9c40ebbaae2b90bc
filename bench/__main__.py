"""``python -m bench N [options]`` (``make bench N=100000``): the portal's benchmarks.

Generates a synthetic SciCat export of N datasets (or reuses the one cached under ``bench/out/``),
then, on each database in turn (a fresh SQLite file, a throwaway PostgreSQL server), runs the
scenarios, each in a child process with clean settings for that database, and prints one table
with every figure per database, the PostgreSQL/SQLite ratio and the targets. The whole report is
also saved as JSON under ``bench/out/results/``.

Only one database is worked on at a time, and each scenario is one process: the benchmark uses
about two cores (the child and, on PostgreSQL, the server).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import generate
from bench.databases import (
    DATABASES,
    REPO_ROOT,
    BenchError,
    Database,
    child_environment,
    provision,
)
from bench.generate import Summary
from bench.harness import DEFAULT_SCENARIOS, REGISTRY, Context, Metric, Outcome, plan, table

OUT = Path(__file__).resolve().parent / "out"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Generate a synthetic catalogue export of N datasets and benchmark the portal "
        "on it: the import, then the pages.",
        epilog="scenarios: " + "; ".join(f"{s.name}: {s.description}" for s in REGISTRY.values()),
    )
    parser.add_argument("n", type=int, help="number of datasets in the export")
    parser.add_argument(
        "--database", choices=[*DATABASES, "both"], default="both", help="default: both"
    )
    parser.add_argument(
        "--skip-generate",
        action="store_true",
        help="use the cached export for N and --seed; fail when there is none",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=200,
        metavar="K",
        help="timed requests of the main page variant (other variants: K/4, at least 20)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--chunk-size", type=int, default=generate.CHUNK_SIZE)
    parser.add_argument(
        "--scenarios",
        default=",".join(DEFAULT_SCENARIOS),
        help=f"comma-separated, default {','.join(DEFAULT_SCENARIOS)} (requirements are added)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="run each scenario under cProfile (slower)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"work directory (default {OUT})")
    args = parser.parse_args(argv)
    if args.n < 1 or args.requests < 1:
        parser.error("N and --requests must be at least 1")
    return args


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _export(args: argparse.Namespace) -> tuple[Path, Summary, str]:
    """The export to benchmark: the cached one when it is complete, else a new one."""
    name = f"n{args.n}-seed{args.seed}-chunk{args.chunk_size}-v{generate.GENERATOR_VERSION}"
    path = args.out / "exports" / name
    summary = Summary.read(path)
    if summary is not None and summary.datasets == args.n:
        return path, summary, f"cached export {path}"
    if args.skip_generate:
        raise BenchError(f"--skip-generate: no complete export at {path}; run without it first")
    _say(f"generating {args.n:,} datasets into {path}")

    def progress(done: int) -> None:
        if done % (args.chunk_size * 10) == 0 or done == args.n:
            _say(f"  {done:,} / {args.n:,} datasets")

    summary = generate.generate(
        path, args.n, seed=args.seed, chunk_size=args.chunk_size, progress=progress
    )
    return path, summary, f"generated in {summary.seconds:.1f} s into {path}"


def _run_child(
    scenario: str, ctx: Context, env: dict[str, str], workdir: Path, database: Database
) -> Outcome:
    context_path = workdir / f"{scenario}.context.json"
    result_path = workdir / f"{scenario}.result.json"
    ctx.dump(context_path)
    command = [sys.executable, "-m", "bench.child", scenario, str(context_path), str(result_path)]
    load_before = os.getloadavg()[0]
    server_before = database.server_cpu_seconds()
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, cwd=REPO_ROOT, check=False)
    wall = time.perf_counter() - started
    server_after = database.server_cpu_seconds()
    if completed.returncode != 0:
        raise BenchError(
            f"scenario {scenario} on {database.name} failed (exit {completed.returncode}); "
            "its output is above"
        )
    _say(f"  {scenario} done in {wall:.1f} s")
    outcome = Outcome.from_json(json.loads(result_path.read_text(encoding="utf-8")))
    if scenario != "setup" and server_before is not None and server_after is not None:
        outcome.add(
            Metric(
                f"{scenario}.server_cpu",
                f"{scenario}: database server CPU / wall (whole process)",
                100 * (server_after - server_before) / wall,
                "%",
            )
        )
    outcome.note(
        f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after "
        f"({os.cpu_count()} CPUs; other work on the machine skews the figures)"
    )
    return outcome


def _benchmark(
    name: str, args: argparse.Namespace, export: Path, summary: Summary, scenarios: list[str]
) -> tuple[Database, Outcome, bool]:
    """Run ``scenarios`` on a new database ``name``; whether every one of them ran."""
    workdir = args.out / f"{name}-n{args.n}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    combined = Outcome()
    complete = True
    with provision(name, workdir) as database:
        _say(f"{name}: {database.label}")
        env = child_environment(database, workdir)
        ctx = Context(
            database=name,
            database_label=database.label,
            export=str(export),
            n=args.n,
            summary=summary.to_json(),
            requests=args.requests,
            workdir=str(workdir),
            profile=args.profile,
        )
        for scenario in scenarios:
            _say(f"{name}: {scenario}")
            try:
                outcome = _run_child(scenario, ctx, env, workdir, database)
            except BenchError as exc:
                combined.note(f"{scenario}: {exc}")
                _say(str(exc))
                complete = False
                break
            combined.metrics.extend(outcome.metrics)
            combined.notes.extend(f"{scenario}: {note}" for note in outcome.notes)
    return database, combined, complete


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        scenarios = [s.name for s in plan(n for n in args.scenarios.split(",") if n)]
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    databases = list(DATABASES) if args.database == "both" else [args.database]
    try:
        export, summary, origin = _export(args)
    except BenchError as exc:
        print(exc, file=sys.stderr)
        return 2
    _say(f"export: {generate.describe(summary)}")

    results: dict[str, Outcome] = {}
    labels: dict[str, str] = {}
    failed = False
    for name in databases:
        try:
            database, outcome, complete = _benchmark(name, args, export, summary, scenarios)
        except BenchError as exc:
            _say(f"{name}: {exc}")
            failed = True
            continue
        failed = failed or not complete
        results[name] = outcome
        labels[name] = database.label

    lines = [
        "",
        f"Benchmark, N = {args.n:,} datasets (seed {args.seed}), scenarios: {', '.join(scenarios)}",
        f"  export: {generate.describe(summary)}",
        f"          {origin}",
        *(f"  {name}: {label}" for name, label in labels.items()),
        f"  machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.platform(terse=True)}",
        "",
        table(results) if results else "(no results)",
        "",
        "Notes:",
        *(f"  [{name}] {note}" for name, outcome in results.items() for note in outcome.notes),
    ]
    print("\n".join(lines))

    saved = args.out / "results" / f"{time.strftime('%Y%m%dT%H%M%S')}-n{args.n}.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(
        json.dumps(
            {
                "n": args.n,
                "seed": args.seed,
                "summary": summary.to_json(),
                "databases": labels,
                "results": {name: outcome.to_json() for name, outcome in results.items()},
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"\nsaved: {saved}")
    missed = [
        m
        for name, outcome in results.items()
        for m in outcome.metrics
        if m.target and m.target.applies(name) and not m.target.met(m.value)
    ]
    if failed:
        return 1
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
