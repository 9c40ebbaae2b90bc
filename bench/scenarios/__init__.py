"""The benchmark scenarios; each module has ``run(ctx) -> Outcome`` (see :mod:`bench.harness`).

They run in a child process with Django set up for one database, so they import Django code
inside ``run`` and never at module level: the parent imports nothing of the portal.
"""
