"""Optional API keys: with NEWSCLEAN_API_KEYS set, the endpoints that clean articles or
touch the shared index need ``Authorization: Bearer KEY``.

Health, readiness, the version and the API description stay open (an orchestrator's probe
carries no key), and so do the metrics unless NEWSCLEAN_METRICS_NEED_KEY says otherwise.
A key is compared with every configured key in constant time, so the answer's timing
says nothing about how much of a key was right; keys are never logged (the access log
holds no request header but the User-Agent, and `Settings` leaves them out of its repr).
"""

from __future__ import annotations

import hmac

from flask import request

from service.errors import ApiError
from service.settings import Settings


def needs_key(path: str, settings: Settings) -> bool:
    """Whether a request for `path` must carry a key under these settings.

    >>> needs_key("/clean/batch", Settings(api_keys="k1"))
    True
    >>> needs_key("/healthz", Settings(api_keys="k1"))
    False
    >>> needs_key("/clean", Settings())
    False
    """
    if not settings.keys:
        return False
    if path == "/clean" or path.startswith(("/clean/", "/index/")):
        return True
    return path == "/metrics" and settings.metrics_need_key


def check_api_key(settings: Settings) -> None:
    """Refuse the current request (401) if it needs a key and carries no valid one."""
    if request.method == "OPTIONS" or not needs_key(request.path, settings):
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    token = given.strip().encode()
    valid = False
    for key in settings.keys:  # every key, whatever matched: constant time
        valid |= hmac.compare_digest(token, key)
    if scheme.lower() != "bearer" or not valid:
        raise ApiError(401, "unauthorized", "this endpoint needs an API key: send "
                       "'Authorization: Bearer KEY' with a key from NEWSCLEAN_API_KEYS")
