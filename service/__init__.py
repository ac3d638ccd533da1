"""newsclean's HTTP service: a thin, stateless Flask layer over `cleaning`.

    gunicorn -c gunicorn.conf.py "service:create_app()"

`create_app` builds the app from `Settings` (read from the environment when none are
given); nothing is created at import time.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING

from service.settings import Settings

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["Settings", "create_app"]

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def create_app(settings: Settings | None = None) -> Flask:
    """The WSGI app, configured by `settings` or by the environment."""
    # Imported here, not at the top: gunicorn's config imports this package before the
    # workers exist, and prometheus_client must not be imported before it is configured.
    from flask import Flask, Response, g, request

    from newsindex.index import Indexer
    from service.admission import CleaningSlot
    from service.api import bp
    from service.auth import check_api_key
    from service.compress import compress
    from service.errors import register_error_handlers
    from service.metrics import Metrics

    class App(Flask):
        def make_default_options_response(self) -> Response:
            """Allow what the matched rule allows: werkzeug's default lists the methods of
            every rule the path could match (``/index/ns/stats`` would list the DELETE of
            ``/index/ns/<id>``)."""
            response = self.response_class()
            rule = request.url_rule
            response.allow.update(rule.methods or () if rule else ())
            return response

    settings = settings or Settings.from_env()
    app = App(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["newsclean.settings"] = settings
    app.extensions["newsclean.metrics"] = metrics = Metrics()
    app.extensions["newsclean.indexer"] = Indexer(
        settings, observe=lambda operation, seconds:
        metrics.store_latency.labels(operation).observe(seconds),
        count=lambda event: metrics.bad_records.inc())
    app.extensions["newsclean.slot"] = CleaningSlot(settings.queue_depth,
                                                    settings.queue_timeout)
    app.register_blueprint(bp)
    register_error_handlers(app)

    @app.before_request
    def start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()
        g.cpu_spent = 0.0  # processor seconds its articles took to clean
        metrics.in_flight.inc()
        g.in_flight = True
        check_api_key(settings)

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.observe_request(request.method, endpoint, response.status_code,
                                time.perf_counter() - g.get("started", 0.0))
        metrics.observe_sizes(endpoint, request.content_length,
                              None if response.is_streamed else response.content_length)
        metrics.observe_memory()
        if response.status_code >= 400 and response.is_json:
            code = (response.get_json(silent=True) or {}).get("error", {}).get("code", "error")
            metrics.errors.labels(code).inc()
        return compress(request, response)

    @app.teardown_request
    def done(_exc: BaseException | None) -> None:
        if g.pop("in_flight", False):  # streamed answers end here, after their last byte
            metrics.in_flight.dec()

    return app
