"""The operator's kit: alert rules (promtool), and a dashboard whose every panel returns
data from a real Prometheus scraping a real newsclean under load."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from tests.server import BIN, START_CEILING, free_port, post_json, request, running
from tests.test_index import STORY, article

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def tool(name: str) -> str:
    """A command from Debian's `prometheus` or `prometheus-alertmanager` package; CI
    installs both (.ci/run)."""
    package = "prometheus-alertmanager" if "alertmanager" in name or name == "amtool" \
        else "prometheus"
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {name} is not installed (apt-get install {package})")
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return found


def test_alert_rules_are_valid_and_their_tests_pass() -> None:
    promtool = tool("promtool")
    folder = DEPLOY / "prometheus"
    check = subprocess.run([promtool, "check", "rules", "alerts.yaml"], cwd=folder,
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "SUCCESS: 5 rules found" in check.stdout
    tested = subprocess.run([promtool, "test", "rules", "alerts.test.yaml"], cwd=folder,
                            capture_output=True, text=True, timeout=60)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_newsclean_down_is_tested_on_both_scrape_label_sets() -> None:
    """The rule finds newsclean's targets as the dashboard's $job does, not by a job name:
    its unit tests hold it to a static config's job and to annotation-based Kubernetes
    scraping's, where another application's target down stays silent."""
    rule = next(r for g in yaml.safe_load((DEPLOY / "prometheus" / "alerts.yaml").read_text())
                ["groups"] for r in g["rules"] if r["alert"] == "NewscleanDown")
    assert 'job="newsclean"' not in rule["expr"]
    assert "newsclean_build_info" in rule["expr"]
    tests = yaml.safe_load((DEPLOY / "prometheus" / "alerts.test.yaml").read_text())["tests"]
    fired = [alert["exp_labels"] for test in tests for case in test["alert_rule_test"]
             if case["alertname"] == "NewscleanDown" for alert in case["exp_alerts"]]
    assert {labels["job"] for labels in fired} == {"newsclean", "kubernetes-pods"}
    assert all(labels.get("app_kubernetes_io_name", "newsclean") == "newsclean"
               for labels in fired)
    silent = [series["series"] for test in tests for series in test["input_series"]
              if series["series"].startswith("up{") and "newsclean" not in series["series"]]
    assert silent, "a test with another application's target down"


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real newsclean (real Redis index) scraped every second by a real Prometheus."""
    prefix = f"nctest-{uuid.uuid4().hex[:8]}"
    env = {"REDIS_URL": "redis://127.0.0.1:6379/0", "NEWSCLEAN_INDEX_PREFIX": prefix}
    with running([str(BIN / "newsclean"), "serve"], env) as base:
        config = tmp_path / "prometheus.yml"
        config.write_text(json.dumps({
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(DEPLOY / "prometheus" / "alerts.yaml")],
            "scrape_configs": [{"job_name": "newsclean", "static_configs": [
                {"targets": [base.removeprefix("http://")]}]}]}))
        try:
            with prometheus_on(config, tmp_path) as url:
                yield base, url
        finally:
            client = redis.Redis()
            for key in client.scan_iter(f"{prefix}*", count=1000):
                client.delete(key)


@contextmanager
def prometheus_on(config: Path, folder: Path, *flags: str) -> Iterator[str]:
    """A real Prometheus with `config` (and `flags`), on a free loopback port, until it is
    ready."""
    port = free_port()
    proc = subprocess.Popen([tool("prometheus"), f"--config.file={config}",
                             f"--storage.tsdb.path={folder / 'data'}",
                             f"--web.listen-address=127.0.0.1:{port}", *flags],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_CEILING
        while not ready(url):
            assert time.monotonic() < deadline, "Prometheus did not start"
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/-/ready", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def query(url: str, expr: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/v1/query?query={urllib.parse.quote(expr)}",
                                timeout=10) as answer:
        body = json.loads(answer.read())
    assert body["status"] == "success", body
    return body["data"]["result"]  # type: ignore[no-any-return]


def load(base: str) -> None:
    """Traffic that moves every metric: copies removed, mojibake repaired, errors, the
    index, a batch."""
    text = article("Harbour plan", STORY)
    for n in range(30):
        post_json(base + "/clean", {"text": text + "\n\n" + STORY[1] + "\n\nIt\u00e2\u20ac\u2122s "
                                    "done.", "id": f"a{n}", "index": {"namespace": "dash"}})
        request("POST", base + "/clean", b"{not json", {"Content-Type": "application/json"})
    request("POST", base + "/clean/batch", b'{"text": "one"}\n{"text": "two"}\n',
            {"Content-Type": "application/x-ndjson"})


def test_every_dashboard_panel_returns_data(prometheus: tuple[str, str]) -> None:
    base, url = prometheus
    dashboard = json.loads((DEPLOY / "grafana" / "newsclean.json").read_text())
    exprs = [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p["targets"]]
    assert len(exprs) >= 12
    deadline = time.monotonic() + 60
    empty: list[str] = []
    while time.monotonic() < deadline:
        load(base)
        time.sleep(2)
        empty = []
        for title, expr in exprs:
            promql = (expr.replace("$__rate_interval", "30s").replace("$job", "newsclean")
                      .replace("$instance", ".*"))
            if not query(url, promql):
                empty.append(f"{title}: {promql}")
        if not empty:
            break
    assert empty == []
    # The dashboard's variables find this service too.
    assert query(url, 'newsclean_build_info{job="newsclean"}')
    # And Prometheus loaded the alert rules beside it.
    with urllib.request.urlopen(url + "/api/v1/rules", timeout=10) as answer:
        groups = json.loads(answer.read())["data"]["groups"]
    assert {rule["name"] for g in groups for rule in g["rules"]} >= {"NewscleanDown",
                                                                    "NewscleanErrorRate"}


# ---------------------------------------------------------------------- Kubernetes


def manifests() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        out[document["kind"]] = document
    return out


def test_kubernetes_manifests_validate_strictly() -> None:
    files = sorted(str(p) for p in (DEPLOY / "kubernetes").glob("*.yaml"))
    assert len(files) == 4
    done = subprocess.run([str(BIN / "kubernetes-validate"), "--strict", *files],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(manifests()) == {"Deployment", "Service", "HorizontalPodAutoscaler",
                                "PodDisruptionBudget"}


def test_the_deployment_matches_the_app_and_the_image() -> None:
    from service import create_app
    from service.settings import ENV, Settings

    deployment = manifests()["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    routes = {rule.rule for rule in create_app(Settings()).url_map.iter_rules()
              if "GET" in (rule.methods or ())}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"] in routes, probe
        assert container[probe]["httpGet"]["port"] == "http"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"  # degraded: still ready
    dockerfile = (ROOT / "Dockerfile").read_text()
    bind_port = int(re.search(r"NEWSCLEAN_BIND=[\d.]+:(\d+)", dockerfile).group(1))  # type: ignore[union-attr]
    assert container["ports"][0]["containerPort"] == bind_port
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert int(annotations["prometheus.io/port"]) == bind_port
    assert annotations["prometheus.io/path"] in routes
    # The stop sequence: the pre-stop pause, then gunicorn's graceful timeout, fit in it.
    pause = container["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pod["terminationGracePeriodSeconds"] > pause + Settings().graceful_timeout
    # Non-root as the image's user, read-only root, /tmp writable for what writes there.
    uid = int(re.search(r"useradd .*--uid (\d+)", dockerfile).group(1))  # type: ignore[union-attr]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == uid
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert [m["mountPath"] for m in container["volumeMounts"]] == ["/tmp"]
    multiproc = re.search(r"PROMETHEUS_MULTIPROC_DIR=(\S+)", dockerfile).group(1)  # type: ignore[union-attr]
    assert multiproc.startswith("/tmp/")
    known = {name for name, _ in ENV.values()} | {"WEB_CONCURRENCY", "REDIS_URL"}
    assert {e["name"] for e in container["env"]} <= known
    hpa = manifests()["HorizontalPodAutoscaler"]
    assert hpa["spec"]["minReplicas"] > manifests()["PodDisruptionBudget"]["spec"]["minAvailable"]


# ---------------------------------------------------------------------- compose


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())  # type: ignore[no-any-return]


def test_compose_file_follows_the_compose_specification() -> None:
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.compose-spec", str(DEPLOY / "compose.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(compose()["services"]) == {"newsclean", "redis", "prometheus", "alertmanager",
                                          "grafana"}


def test_compose_services_run_natively(tmp_path: Path) -> None:
    """What compose.yaml runs, run here without a Docker engine: redis-server with its
    command, newsclean with its environment, Prometheus with its configuration and rules
    (container paths mapped to this checkout), scraping newsclean; Grafana's provisioning
    points at the dashboard file and at that Prometheus."""
    services = compose()["services"]
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.skip("redis-server is not installed")
    redis_port = free_port()
    command = services["redis"]["command"]
    assert command[0] == "redis-server"
    store = subprocess.Popen([redis_server, *command[1:], "--port", str(redis_port),
                              "--bind", "127.0.0.1", "--dir", str(tmp_path)],
                             stdout=subprocess.DEVNULL)
    try:
        env = {k: str(v) for k, v in services["newsclean"]["environment"].items()}
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        with running([str(BIN / "newsclean"), "serve"], env) as base:
            ready_body = json.loads(request("GET", base + "/readyz")[2])
            assert ready_body["index"]["store"] == "redis"
            assert ready_body["status"] == "ready"
            config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
            mounts = dict(reversed(v.split(":")[:2]) for v in services["prometheus"]["volumes"])
            config["rule_files"] = [str(DEPLOY / mounts[r].removeprefix("./"))
                                    for r in config["rule_files"]]
            target = config["scrape_configs"][0]["static_configs"][0]["targets"]
            assert target == ["newsclean:8000"]
            config["scrape_configs"][0]["static_configs"][0]["targets"] = [
                base.removeprefix("http://")]
            config["global"]["scrape_interval"] = "1s"
            native = tmp_path / "prometheus.yml"
            native.write_text(yaml.safe_dump(config))
            checked = subprocess.run([tool("promtool"), "check", "config", str(native)],
                                     capture_output=True, text=True, timeout=60)
            assert checked.returncode == 0, checked.stdout + checked.stderr
            with prometheus_on(native, tmp_path) as url:
                deadline = time.monotonic() + START_CEILING
                while not query(url, 'up{job="newsclean"} == 1'):
                    assert time.monotonic() < deadline, "Prometheus never scraped newsclean"
                    time.sleep(0.3)
    finally:
        store.terminate()
        store.wait(timeout=10)
    grafana = services["grafana"]["volumes"]
    dashboard_mount = next(v for v in grafana if v.startswith("./grafana/newsclean.json"))
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/newsclean.yaml")
                              .read_text())
    assert dashboard_mount.split(":")[1].startswith(provider["providers"][0]["options"]["path"])
    source = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yaml")
                            .read_text())["datasources"][0]
    assert source["url"] == "http://prometheus:9090"
    assert "9090:9090" in services["prometheus"]["ports"]


def test_compose_alertmanager_receives_prometheus_alerts(tmp_path: Path) -> None:
    """compose.yaml's Alertmanager, run natively with its configuration (checked by
    amtool), receives the alerts of a Prometheus run with compose's configuration: the
    rules of alerts.yaml and one that always fires, so the wiring is seen end to end."""
    services = compose()["services"]
    mounts = dict(reversed(v.split(":")[:2]) for v in services["alertmanager"]["volumes"])
    am_config = DEPLOY / mounts["/etc/alertmanager/alertmanager.yml"].removeprefix("./")
    checked = subprocess.run([tool("amtool"), "check-config", str(am_config)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "9093:9093" in services["alertmanager"]["ports"]
    assert "alertmanager" in services["prometheus"]["depends_on"]

    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"]
    assert targets == ["alertmanager:9093"]
    am_port = free_port()
    config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] = [
        f"127.0.0.1:{am_port}"]
    probe = tmp_path / "probe.yaml"
    probe.write_text(yaml.safe_dump({"groups": [{"name": "probe", "rules": [
        {"alert": "ComposeWiringProbe", "expr": "vector(1)",
         "labels": {"severity": "warning"}}]}]}))
    prom_mounts = dict(reversed(v.split(":")[:2]) for v in services["prometheus"]["volumes"])
    config["rule_files"] = [str(DEPLOY / prom_mounts[r].removeprefix("./"))
                            for r in config["rule_files"]] + [str(probe)]
    config["global"]["evaluation_interval"] = "1s"
    native = tmp_path / "prometheus.yml"
    native.write_text(yaml.safe_dump(config))

    manager = subprocess.Popen([tool("prometheus-alertmanager"), f"--config.file={am_config}",
                                f"--storage.path={tmp_path / 'am'}",
                                f"--web.listen-address=127.0.0.1:{am_port}",
                                "--cluster.listen-address="],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Alerts evaluated before the Alertmanager is discovered are sent again after the
        # resend delay (1 min by default): 1 s here.
        with prometheus_on(native, tmp_path, "--rules.alert.resend-delay=1s"):
            deadline = time.monotonic() + START_CEILING
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{am_port}/api/v2/alerts",
                                                timeout=2) as answer:
                        names = {a["labels"]["alertname"] for a in json.loads(answer.read())}
                except OSError:
                    names = set()
                if "ComposeWiringProbe" in names:
                    break
                assert time.monotonic() < deadline, "the Alertmanager never got the alert"
                time.sleep(0.3)
    finally:
        manager.terminate()
        manager.wait(timeout=20)


def test_ci_fetches_the_package_lists_before_it_installs_a_package() -> None:
    """On a fresh image `apt-get install` finds no package lists and fails."""
    lines = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text().splitlines()
    commands = [line for line in lines if not line.lstrip().startswith("#")]
    installs = [n for n, line in enumerate(commands) if "apt-get install" in line]
    updates = [n for n, line in enumerate(commands) if "apt-get update" in line]
    assert installs
    assert updates
    assert updates[0] < installs[0]


#: What one worker takes (README, "Limits and memory"): its base, and a body at the limits
#: cleaned (benchmarks/REPORT-memory.md), in MiB.
WORKER_BASE_MIB, WORKER_REQUEST_MIB = 120, 600


def test_the_pod_memory_limit_holds_every_worker_cleaning_at_the_limits() -> None:
    deployment = manifests()["Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    workers = int(next(e["value"] for e in container["env"] if e["name"] == "WEB_CONCURRENCY"))
    limit = container["resources"]["limits"]["memory"]
    assert limit.endswith("Mi")
    assert int(limit[:-2]) >= workers * (WORKER_BASE_MIB + WORKER_REQUEST_MIB)
