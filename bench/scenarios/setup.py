"""An empty database made ready: migrations applied and static files collected (DEBUG is off)."""

from __future__ import annotations

from bench.harness import Context, Outcome, Stopwatch


def run(ctx: Context) -> Outcome:
    from django.core.management import call_command

    outcome = Outcome()
    with Stopwatch() as migrate:
        call_command("migrate", interactive=False, verbosity=0)
    with Stopwatch() as static:
        call_command("collectstatic", interactive=False, verbosity=0)
    outcome.note(f"migrate {migrate.wall:.1f} s, collectstatic {static.wall:.1f} s")
    return outcome
