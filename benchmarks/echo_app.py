"""The HTTP floor for `bench_http.py`: a Flask app that echoes what is posted to it, with
a /healthz for the runner to wait on. Served by the same gunicorn, the same sync workers,
it measures what a request costs before any cleaning: the issue's reference figure
(~7,000 requests/s for a 4 KB echo) is measured this way, so the two can be compared.
"""

from __future__ import annotations

from flask import Flask, Response, request

app = Flask(__name__)


@app.post("/echo")
def echo() -> Response:
    return Response(request.get_data(), mimetype=request.mimetype or "text/plain")


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")
