"""gunicorn's configuration for newsclean (the root gunicorn.conf.py loads it).

Settings come from the environment (see the README's table); this module only turns them
into gunicorn's terms. Logs go to stdout as one JSON object per line, with the request id.
"""

import glob
import os
import re
import shutil
import tempfile

# Metrics of every worker are added up from files in one folder. The variable must be set
# before prometheus_client is first imported; the folder is emptied once, in on_starting.
_OWN_METRICS_DIR = ""
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _OWN_METRICS_DIR = tempfile.mkdtemp(prefix="newsclean-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _OWN_METRICS_DIR

#: The files prometheus_client's multiprocess mode writes: kind, then worker pid.
METRIC_FILE_RE = re.compile(r"^(?:counter|gauge_[a-z]+|gauge|histogram|summary)_\d+\.db$")

from service import gunicorn_errors  # noqa: E402 (after the metrics folder is set)
from service.settings import Settings  # noqa: E402

# gunicorn's own error answers (400, 414, 431, an aborted worker's 500) in the JSON shape.
gunicorn_errors.install()

_settings = Settings.from_env()

bind = _settings.bind
workers = _settings.workers
# gevent's event loop: a connection is a greenlet, so slow clients hold no thread; one
# article cleaned at a time per process, in its cleaning thread (service/worker.py says why).
worker_class = "service.worker.Worker"
worker_connections = _settings.connections
timeout = _settings.worker_timeout
graceful_timeout = _settings.graceful_timeout
# An idle kept-alive connection waits in the event loop, at no thread's cost, this long.
keepalive = 15
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
limit_request_line = 8190
max_requests = 100_000
max_requests_jitter = 10_000


accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level
# Each access line is one JSON object built by a JSON encoder (a text template breaks on
# a quote, a backslash or a line break in a path or a User-Agent).
logger_class = "service.logs.JsonAccessLogger"
# gunicorn's control socket (~/.gunicorn/gunicorn.ctl) is shared by every instance of a
# user, and the image's user has no home: nothing here uses it.
control_socket_disable = True
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
    """Start with no samples left over from an earlier run: remove the metric files that
    prometheus_client writes (``counter_123.db``, ...) and nothing else, since the folder
    may be shared with other files."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(folder, exist_ok=True)
    for path in glob.glob(os.path.join(folder, "*.db")):
        if METRIC_FILE_RE.match(os.path.basename(path)):
            os.unlink(path)


def on_exit(server):  # type: ignore[no-untyped-def]
    """Remove the metrics folder made for this run (one the operator named stays)."""
    if _OWN_METRICS_DIR:
        shutil.rmtree(_OWN_METRICS_DIR, ignore_errors=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """A worker's metrics stay counted after it exits; its live gauges go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
