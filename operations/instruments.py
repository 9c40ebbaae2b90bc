"""The Prometheus instruments this process updates, in one place (no Django).

Under gunicorn every worker is a process of its own: with ``PROMETHEUS_MULTIPROC_DIR`` set before
this module is imported (``gunicorn.conf.py`` does it) each process writes its values to files in
that directory and ``/metrics`` adds them up (:mod:`operations.metrics`). Figures kept in the
database (sync runs, DOIs, the search backlog) are read at scrape time instead, so they are the
same whichever process or host answers.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time from request to response, by view (the URL pattern's name) and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter(
    "portal_http_responses",
    "Responses sent, by HTTP status code.",
    ["status"],
)
RATE_LIMITED = Counter(
    "portal_rate_limited_requests",
    "Requests refused by the per-client rate limits, by class of traffic.",
    ["bucket"],
)
