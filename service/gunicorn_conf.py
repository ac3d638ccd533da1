"""gunicorn's configuration for newsclean (the root gunicorn.conf.py loads it).

Settings come from the environment (see the README's table); this module only turns them
into gunicorn's terms. Logs go to stdout as one JSON object per line, with the request id.
"""

import os
import shutil
import tempfile

# Metrics of every worker are added up from files in one folder. The variable must be set
# before prometheus_client is first imported; the folder is emptied once, in on_starting.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="newsclean-metrics-")

from service.settings import Settings

_settings = Settings.from_env()

bind = _settings.bind
workers = _settings.workers
worker_class = "sync"  # CPU-bound work: threads measured worse tail latency
timeout = _settings.worker_timeout
graceful_timeout = 10
keepalive = 5
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
limit_request_line = 8190
max_requests = 100_000
max_requests_jitter = 10_000


accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level
access_log_format = (
    '{"time": "%(t)s", "request_id": "%({x-request-id}o)s", "remote": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "query": "%(q)s", "status": %(s)s, '
    '"bytes": %(B)s, "duration_ms": %(M)s, "agent": "%(a)s"}'
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "service.logs.JsonFormatter"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "error": {"class": "logging.StreamHandler", "formatter": "json",
                  "stream": "ext://sys.stdout"},
        "access": {"class": "logging.StreamHandler", "formatter": "access",
                   "stream": "ext://sys.stdout"},
    },
    "root": {"handlers": ["error"], "level": "WARNING"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": _settings.log_level.upper(),
                           "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "newsclean": {"handlers": ["error"], "level": _settings.log_level.upper(),
                      "propagate": False},
    },
}


def on_starting(server):  # type: ignore[no-untyped-def]
    """Start with no samples left over from an earlier run."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """A worker's metrics stay counted after it exits; its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
