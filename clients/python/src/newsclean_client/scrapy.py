"""A Scrapy item pipeline: every item's article text cleaned on its way out of the spider.

    ITEM_PIPELINES = {"newsclean_client.scrapy.NewscleanPipeline": 300}
    NEWSCLEAN_URL = "http://newsclean:8000"

Settings (all optional; defaults in `PipelineSettings`):

- `NEWSCLEAN_MODE`: `"service"` (the default: call `NEWSCLEAN_URL`) or `"library"` (clean
  in-process with `cleaning.clean`, when newsclean itself is installed).
- `NEWSCLEAN_URL`, `NEWSCLEAN_API_KEY`, `NEWSCLEAN_TIMEOUT`, `NEWSCLEAN_RETRIES`.
- `NEWSCLEAN_TEXT_FIELD` (`text`; news-please uses `maintext`, Fundus `plaintext`),
  `NEWSCLEAN_TITLE_FIELD` (`title`), `NEWSCLEAN_ID_FIELD` (`url`).
- `NEWSCLEAN_OUTPUT_FIELD`: where the cleaned text goes (the text field itself unless set);
  `NEWSCLEAN_SUMMARY_FIELD` (`newsclean`): what changed, as a dict, None for none;
  `NEWSCLEAN_DIFF_FIELD` (None): the unified diff, when set.
- `NEWSCLEAN_OPTIONS`: cleaning options (a dict), as the service's `options`.
- `NEWSCLEAN_INDEX_NAMESPACE` (None): look each article up in the service's cross-article
  index, and add it; `NEWSCLEAN_INDEX_MODE` `"add"` or `"query"`; `NEWSCLEAN_ON_REPEAT`
  `"flag"` (the summary lists the earlier articles) or `"drop"` (DropItem).
- `NEWSCLEAN_ON_ERROR`: `"pass"` (the item goes on uncleaned, its summary says why) or
  `"drop"`.

Scrapy stats: `newsclean/items`, `newsclean/changed`, `newsclean/removed_blocks`,
`newsclean/removed/<kind>`, `newsclean/fixes`, `newsclean/repeats`, `newsclean/skipped`
(no text), `newsclean/errors` and `newsclean/errors/<code>`, `newsclean/dropped/<why>`.

`process_item` is a coroutine: with Scrapy's asyncio reactor (its default since 2.13), a
slow service holds the item, not the downloads.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.reactor import is_asyncio_reactor_installed

from .client import AsyncClient
from .core import NewscleanError, ServiceError
from .models import CleanResult, ErrorDetail, from_json

logger = logging.getLogger(__name__)

#: What library mode says when newsclean itself is not installed beside the client.
LIBRARY_MISSING = ("NEWSCLEAN_MODE = 'library' cleans in this process with newsclean's "
                   "library, which is not installed here: pip install newsclean (the "
                   "library alone, without the server), or set NEWSCLEAN_MODE = 'service' "
                   "and NEWSCLEAN_URL")
CHOICES = {"mode": ("service", "library"), "index_mode": ("add", "query"),
           "on_repeat": ("flag", "drop"), "on_error": ("pass", "drop")}


@dataclass(frozen=True)
class PipelineSettings:
    """The pipeline's settings, each read from `NEWSCLEAN_<NAME>`."""

    mode: str = "service"
    url: str = "http://127.0.0.1:8000"
    api_key: str | None = None
    timeout: float = 60.0
    retries: int = 4
    text_field: str = "text"
    title_field: str | None = "title"
    id_field: str | None = "url"
    output_field: str | None = None
    summary_field: str | None = "newsclean"
    diff_field: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    index_namespace: str | None = None
    index_mode: str = "add"
    on_repeat: str = "flag"
    on_error: str = "pass"

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"NEWSCLEAN_{name.upper()} must be one of {allowed}, "
                                 f"not {getattr(self, name)!r}")
        if self.mode == "library" and self.index_namespace:
            raise ValueError("NEWSCLEAN_INDEX_NAMESPACE needs the service (its index lives "
                             "in its Redis): use NEWSCLEAN_MODE = 'service'")

    @classmethod
    def from_settings(cls, settings: Any) -> PipelineSettings:
        defaults = cls()
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            key = f"NEWSCLEAN_{name.upper()}"
            if key not in settings:
                continue
            default = getattr(defaults, name)
            if isinstance(default, bool):
                values[name] = settings.getbool(key)
            elif isinstance(default, int):
                values[name] = settings.getint(key)
            elif isinstance(default, float):
                values[name] = settings.getfloat(key)
            elif isinstance(default, dict):
                values[name] = settings.getdict(key)
            else:
                values[name] = settings.get(key) or None
        return cls(**values)


class NewscleanPipeline:
    """Clean each item's article text with newsclean (see the module's docstring)."""

    def __init__(self, settings: PipelineSettings, stats: Any) -> None:
        self.settings = settings
        self.stats = stats
        self.client: AsyncClient | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> NewscleanPipeline:
        return cls(PipelineSettings.from_settings(crawler.settings), crawler.stats)

    async def open_spider(self, spider: Any = None) -> None:
        if self.settings.mode == "library":
            try:
                import cleaning  # noqa: F401  (fail now, not on the first item)
            except ModuleNotFoundError as exc:
                if exc.name != "cleaning":
                    raise  # newsclean is there, one of its own dependencies is not
                raise RuntimeError(LIBRARY_MISSING) from exc
            return
        if not is_asyncio_reactor_installed():
            raise RuntimeError("NewscleanPipeline needs Scrapy's asyncio reactor: set "
                               "TWISTED_REACTOR = 'twisted.internet.asyncioreactor."
                               "AsyncioSelectorReactor'")
        self.client = AsyncClient(self.settings.url, timeout=self.settings.timeout,
                                  retries=self.settings.retries, api_key=self.settings.api_key)

    async def close_spider(self, spider: Any = None) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        s = self.settings
        adapter = ItemAdapter(item)
        text = adapter.get(s.text_field)
        if not isinstance(text, str):
            self.stats.inc_value("newsclean/skipped")
            return item
        self.stats.inc_value("newsclean/items")
        title = adapter.get(s.title_field) if s.title_field else None
        ident = adapter.get(s.id_field) if s.id_field else None
        try:
            result = await self._clean(text, title if isinstance(title, str) else None,
                                       ident if isinstance(ident, str | int) else None)
        except NewscleanError as exc:
            return self._failed(item, adapter, ident, exc)
        self._count(result)
        adapter[s.output_field or s.text_field] = result.text
        if s.diff_field:
            adapter[s.diff_field] = result.diff
        repeats = [m.id for m in result.index.matches] if result.index else []
        if s.summary_field:
            adapter[s.summary_field] = summary(result, repeats)
        if repeats:
            self.stats.inc_value("newsclean/repeats")
            if s.on_repeat == "drop":
                self.stats.inc_value("newsclean/dropped/repeat")
                raise DropItem(f"newsclean: {ident or 'item'} repeats {', '.join(repeats)}")
        return item

    async def _clean(self, text: str, title: str | None, ident: str | int | None) -> CleanResult:
        s = self.settings
        want_diff = bool(s.diff_field)
        if s.mode == "library":
            return await asyncio.to_thread(_clean_in_process, text, title, s.options, want_diff)
        assert self.client is not None
        index = None
        if s.index_namespace:
            index = {"namespace": s.index_namespace, "mode": s.index_mode}
        return await self.client.clean(text, title=title, id=ident, options=s.options or None,
                                       diff=want_diff, index=index)

    def _count(self, result: CleanResult) -> None:
        if result.changed:
            self.stats.inc_value("newsclean/changed")
        self.stats.inc_value("newsclean/removed_blocks", len(result.removed))
        for kind, count in result.removed_by_kind().items():
            self.stats.inc_value(f"newsclean/removed/{kind}", count)
        self.stats.inc_value("newsclean/fixes", len(result.fixes))

    def _failed(self, item: Any, adapter: ItemAdapter, ident: Any, exc: Exception) -> Any:
        error = (exc.error if isinstance(exc, ServiceError)
                 else ErrorDetail(status=0, code="unreachable", message=str(exc)))
        self.stats.inc_value("newsclean/errors")
        self.stats.inc_value(f"newsclean/errors/{error.code}")
        action = "dropped" if self.settings.on_error == "drop" else "passed on uncleaned"
        logger.error("newsclean could not clean %s (%s: %s); %s", ident or "an item",
                     error.code, error.message, action)
        if self.settings.on_error == "drop":
            self.stats.inc_value("newsclean/dropped/error")
            raise DropItem(f"newsclean: {error.code}: {error.message}")
        if self.settings.summary_field:
            adapter[self.settings.summary_field] = {
                "cleaned": False, "error": {"code": error.code, "message": error.message}}
        return item


def summary(result: CleanResult, repeats: list[str]) -> dict[str, Any]:
    """What the pipeline writes into the summary field of a cleaned item."""
    out: dict[str, Any] = {"cleaned": True, "changed": result.changed,
                           "headline": result.headline, "removed": result.removed_by_kind(),
                           "fixes": len(result.fixes)}
    if result.index is not None:
        out["index"] = result.index.status
        out["repeats"] = repeats
    return out


def _clean_in_process(text: str, title: str | None, options: dict[str, Any],
                      want_diff: bool) -> CleanResult:
    """`cleaning.clean`, its result in the client's types: one result shape for both modes."""
    from cleaning import CleanConfig, CleaningError, clean

    try:
        result = clean(text, CleanConfig(**options) if options else None, title=title)
    except (CleaningError, TypeError) as exc:  # TypeError: an option that does not exist
        raise ServiceError(ErrorDetail(status=0, code=type(exc).__name__,
                                       message=str(exc))) from exc
    return from_json(CleanResult, result.to_dict(include_diff=want_diff))
