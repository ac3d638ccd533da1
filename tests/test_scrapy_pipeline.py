"""The Scrapy item pipeline in a real `scrapy crawl`: a subprocess crawling fixture pages
from a local http.server, cleaning through the real service with the real Redis index."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cleaning import clean
from tests.conftest import ROOT, integration
from tests.server import BIN, free_port, running

integration("scrapy")

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

REDIS_URL = "redis://127.0.0.1:6379/0"

BRIDGE = [
    "The city council voted on Tuesday to close the Elm Street bridge for eight months.",
    "Engineers found deep cracks in two of its supports during an inspection in March.",
    "Repairs will cost 4.2 million euros, paid from the regional transport budget.",
    "Buses will be rerouted over the Mill Road crossing until the work is done.",
]

PAGES = {
    # Two sites print one agency story; the second adds a line of its own.
    "bridge.html": ("Elm Street bridge to close for repairs", BRIDGE),
    "bridge-syndicated.html": ("Elm Street bridge to close for repairs",
                               [*BRIDGE, "Reporting by the regional desk."]),
    # The headline printed again in the body, and a paragraph pasted twice.
    "market.html": ("Farmers market moves to the harbour", [
        "Farmers market moves to the harbour",
        "Stalls at the old square on Saturday. Photo: City Press",
        "Farmers market moves to the harbour",
        "The weekly farmers market will move to the harbour front from next month.",
        "Stall holders asked for more space and shade after a record summer season.",
        "The weekly farmers market will move to the harbour front from next month.",
        "The market opens at 8 a.m. every Saturday, as before.",
    ]),
    "library.html": ("New library opens in the old post office", [
        "The new city library opened on Monday in the restored post office building.",
        "It holds 120,000 books and a children's floor with a reading garden.",
        "Opening hours are 9 a.m. to 8 p.m. on weekdays and until 5 p.m. on Saturdays.",
    ]),
}

SPIDER = '''
import scrapy


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, base, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [base + "/index.html"]

    def parse(self, response):
        links = response.css("a::attr(href)").getall()
        for priority, href in enumerate(links):
            yield response.follow(href, self.parse_article, priority=-priority)

    def parse_article(self, response):
        paragraphs = response.css("article p::text").getall()
        yield {"url": response.url, "title": response.css("h1::text").get(),
               "text": "\\n\\n".join(paragraphs), "raw": "\\n\\n".join(paragraphs)}
'''

STATS_EXTENSION = '''
import json

from scrapy import signals


class DumpStats:
    """Write the crawl's stats to STATS_FILE when it ends, for the test to read."""

    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def closed(self, spider):
        stats = {k: v for k, v in self.crawler.stats.get_stats().items()
                 if isinstance(v, (int, float, str))}
        with open(self.crawler.settings.get("STATS_FILE"), "w") as out:
            json.dump(stats, out)
'''


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<h1>{title}</h1><article>{body}</article><footer>(c) Example</footer>"
            "</body></html>")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site")
    links = "".join(f"<a href='{name}'>{name}</a>" for name in PAGES)
    (root / "index.html").write_text(f"<html><body>{links}</body></html>")
    for name, (title, paragraphs) in PAGES.items():
        (root / name).write_text(page(title, paragraphs))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def service() -> Iterator[str]:
    env = {"REDIS_URL": REDIS_URL, "NEWSCLEAN_INDEX_PREFIX": f"test-scrapy-{uuid.uuid4().hex}"}
    with running([str(BIN / "newsclean"), "serve", "--workers", "1"], env) as base:
        yield base


def crawl(tmp_path: Path, site: str, settings: dict[str, Any]) -> tuple[list[dict[str, Any]],
                                                                         dict[str, Any], str]:
    """`scrapy crawl news` in a project of its own; its items, stats and log."""
    project = tmp_path / "project"
    (project / "newsproj" / "spiders").mkdir(parents=True)
    (project / "scrapy.cfg").write_text("[settings]\ndefault = newsproj.settings\n")
    (project / "newsproj" / "__init__.py").write_text("")
    (project / "newsproj" / "spiders" / "__init__.py").write_text("")
    (project / "newsproj" / "spiders" / "news.py").write_text(SPIDER)
    (project / "newsproj" / "stats.py").write_text(STATS_EXTENSION)
    all_settings = {
        "BOT_NAME": "newsproj", "SPIDER_MODULES": ["newsproj.spiders"],
        "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS": 1, "DOWNLOAD_DELAY": 0.3,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO",
        "ITEM_PIPELINES": {"newsclean_client.scrapy.NewscleanPipeline": 300},
        "EXTENSIONS": {"newsproj.stats.DumpStats": 0},
        "STATS_FILE": str(tmp_path / "stats.json"),
        "NEWSCLEAN_OUTPUT_FIELD": "text",
        **settings,
    }
    (project / "newsproj" / "settings.py").write_text(
        "".join(f"{k} = {v!r}\n" for k, v in all_settings.items()))
    out = tmp_path / "items.jsonl"
    done = subprocess.run([str(BIN / "scrapy"), "crawl", "news", "-a", f"base={site}",
                           "-O", str(out)], cwd=project, capture_output=True, text=True,
                          timeout=120, env={"PATH": f"{BIN}:/usr/bin:/bin",
                                            "PYTHONPATH": str(project)})
    assert done.returncode == 0, done.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text().splitlines()]
    return items, json.loads((tmp_path / "stats.json").read_text()), done.stderr


def by_page(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["url"].rsplit("/", 1)[1]: item for item in items}


def test_items_are_cleaned_and_a_repeat_is_flagged(tmp_path: Path, site: str,
                                                   service: str) -> None:
    namespace = f"crawl-{uuid.uuid4().hex[:12]}"
    items, stats, _ = crawl(tmp_path, site, {"NEWSCLEAN_URL": service,
                                             "NEWSCLEAN_INDEX_NAMESPACE": namespace})
    pages = by_page(items)
    assert set(pages) == set(PAGES)
    for item in items:
        assert item["text"] == clean(item["raw"], title=item["title"]).text
    market = pages["market.html"]
    assert market["newsclean"]["removed"] == {"repeated_headline": 1, "duplicate": 1}
    assert market["text"].count("will move to the harbour front") == 1
    assert pages["bridge-syndicated.html"]["newsclean"]["repeats"] == [pages["bridge.html"]["url"]]
    assert pages["bridge.html"]["newsclean"]["repeats"] == []
    assert pages["library.html"]["newsclean"]["repeats"] == []
    assert stats["newsclean/items"] == 4
    assert stats["newsclean/removed_blocks"] == 2
    assert stats["newsclean/removed/duplicate"] == 1
    assert stats["newsclean/removed/repeated_headline"] == 1
    assert stats["newsclean/repeats"] == 1
    assert "newsclean/errors" not in stats


def test_a_repeat_is_dropped_when_so_configured(tmp_path: Path, site: str,
                                                service: str) -> None:
    namespace = f"crawl-{uuid.uuid4().hex[:12]}"
    items, stats, log = crawl(tmp_path, site, {"NEWSCLEAN_URL": service,
                                               "NEWSCLEAN_INDEX_NAMESPACE": namespace,
                                               "NEWSCLEAN_ON_REPEAT": "drop"})
    assert set(by_page(items)) == set(PAGES) - {"bridge-syndicated.html"}
    assert stats["newsclean/dropped/repeat"] == 1
    assert "repeats" in log


def test_library_mode_cleans_in_process(tmp_path: Path, site: str) -> None:
    items, stats, _ = crawl(tmp_path, site, {"NEWSCLEAN_MODE": "library",
                                             "NEWSCLEAN_DIFF_FIELD": "diff"})
    assert len(items) == 4
    for item in items:
        assert item["text"] == clean(item["raw"], title=item["title"]).text
        assert "index" not in item["newsclean"]
    assert stats["newsclean/removed_blocks"] == 2
    assert by_page(items)["market.html"]["diff"].startswith("---")


def test_a_service_that_is_down_passes_items_on_flagged(tmp_path: Path, site: str) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    items, stats, log = crawl(tmp_path, site, {"NEWSCLEAN_URL": down, "NEWSCLEAN_RETRIES": 1})
    assert len(items) == 4
    for item in items:
        assert item["text"] == item["raw"]  # uncleaned, not lost
        assert item["newsclean"]["cleaned"] is False
        assert item["newsclean"]["error"]["code"] == "unreachable"
    assert stats["newsclean/errors"] == 4
    assert log.count("newsclean could not clean") == 4


def test_the_pipeline_refuses_settings_it_cannot_honour() -> None:
    from newsclean_client.scrapy import PipelineSettings

    with pytest.raises(ValueError, match="NEWSCLEAN_ON_REPEAT"):
        PipelineSettings(on_repeat="ignore")
    with pytest.raises(ValueError, match="needs the service"):
        PipelineSettings(mode="library", index_namespace="news")
    assert sys.modules.get("newsclean_client.scrapy") is not None


def test_library_mode_without_newsclean_says_what_to_install(tmp_path: Path) -> None:
    # The client alone, as a scraper installs it: this checkout (which holds `cleaning`)
    # taken off the import path, so `import cleaning` really fails.
    probe = f"""
import asyncio, sys
from pathlib import Path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path({str(ROOT)!r})]
from newsclean_client.scrapy import NewscleanPipeline, PipelineSettings
try:
    import cleaning
except ImportError:
    pass
else:
    raise SystemExit("cleaning is importable: the probe proves nothing")
asyncio.run(NewscleanPipeline(PipelineSettings(mode="library"), None).open_spider())
"""
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 1, run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("RuntimeError: NEWSCLEAN_MODE = 'library'"), run.stderr
    assert "pip install newsclean" in last
    assert "No module named 'cleaning'" in run.stderr  # the cause, chained
