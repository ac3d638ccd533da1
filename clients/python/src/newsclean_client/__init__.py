"""newsclean_client: talk to a newsclean service from a pipeline.

    from newsclean_client import Client

    with Client("http://127.0.0.1:8000") as client:
        result = client.clean(text, title=title)
        for outcome in client.clean_many(articles):
            ...

Pooled connections (keep-alive), retries with backoff that honour `Retry-After`, typed
results. `newsclean_client.scrapy` holds a Scrapy item pipeline (extra `scrapy`).
"""

from __future__ import annotations

__version__ = "0.2.0"

from .client import AsyncClient, Client
from .core import Article, NewscleanError, Outcome, ServiceError, ServiceUnreachable
from .models import (
    CleanResult,
    ErrorDetail,
    Fix,
    IndexMatch,
    IndexResult,
    ItemError,
    KeptSimilar,
    Removal,
    Run,
    Stats,
)
from .retry import RETRY_STATUSES, Retry

__all__ = [
    "RETRY_STATUSES",
    "Article",
    "AsyncClient",
    "CleanResult",
    "Client",
    "ErrorDetail",
    "Fix",
    "IndexMatch",
    "IndexResult",
    "ItemError",
    "KeptSimilar",
    "NewscleanError",
    "Outcome",
    "Removal",
    "Retry",
    "Run",
    "ServiceError",
    "ServiceUnreachable",
    "Stats",
]
