"""gunicorn's settings for the portal; gunicorn reads this file from the directory it starts in
(``gunicorn portal.wsgi``: the Dockerfile's command and ``make serve-prod``).

From the environment: ``WEB_CONCURRENCY`` worker processes (default 3), ``GUNICORN_THREADS``
threads each (default 1), ``GUNICORN_TIMEOUT`` seconds per request (default 30), ``HOST`` and
``PORT`` (default 0.0.0.0:8000), ``GUNICORN_ACCESS_LOG=true`` for an access log line per
request on standard output (off by default: the portal's own metrics count every response, and
its logs keep no visitor's address).

Prometheus: every worker writes its figures to files in ``PROMETHEUS_MULTIPROC_DIR`` (made here
when unset, emptied at start), and ``/metrics`` adds them up; a worker that exits is marked dead
so its gauges go with it. The variable must be set before prometheus-client is first imported,
which is why this happens here and not in the settings.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="portal-metrics-")

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# A worker is replaced after this many requests (with jitter), so a slow leak cannot grow.
max_requests = 10_000
max_requests_jitter = 1_000
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "").lower() in {"1", "true"} else None
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'


def on_starting(server: Any) -> None:
    """Figures of an earlier run's workers would be added to this run's."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if directory.is_dir():
        for entry in directory.iterdir():
            if entry.is_file():
                entry.unlink()
            else:
                shutil.rmtree(entry, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
