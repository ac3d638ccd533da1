"""The front door under hostile and careless clients (issue: serving that survives real
clients): the contract holds for odd values, metrics cannot be blown up, options have
bounds, and the command line fails with a message, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from cleaning import CleanConfig, ConfigError, TooManyLines, clean
from cleaning.blocks import count_lines, split_lines
from cleaning.chardata import LINE_BREAK_CHARS
from service import Settings, create_app


@pytest.fixture
def client() -> FlaskClient:
    return create_app(Settings()).test_client()


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    assert response.is_json, response.get_data()[:200]
    return str(response.get_json()["error"]["code"])


@pytest.mark.parametrize("ident", [True, False, {}, [], 1.5])
def test_an_id_is_a_string_or_a_whole_number(client: FlaskClient, ident: object) -> None:
    response = client.post("/clean", json={"text": "a", "id": ident})
    assert response.status_code == 400
    assert error_code(response) == "bad_field"


def test_a_nul_in_the_title_is_refused_like_one_in_the_text(client: FlaskClient) -> None:
    response = client.post("/clean", json={"text": "a", "title": "x\x00y"})
    assert response.status_code == 422
    assert error_code(response) == "not_text"


def test_options_lists_only_the_methods_of_that_path(client: FlaskClient) -> None:
    allow = client.open("/index/default/stats", method="OPTIONS").headers["Allow"]
    assert set(allow.replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    allow = client.open("/index/default/some-id", method="OPTIONS").headers["Allow"]
    assert "DELETE" in allow


def test_batch_honours_diff_false_in_the_query(client: FlaskClient) -> None:
    for body, ctype in ((b'{"text": "A\\n\\nA"}\n', "application/x-ndjson"),
                        (b'[{"text": "A\\n\\nA"}]', "application/json")):
        response = client.post("/clean/batch?diff=false", data=body, content_type=ctype)
        assert response.status_code == 200
        assert "diff" not in response.get_data(as_text=True)


def test_bad_ndjson_lines_are_counted_as_errors(client: FlaskClient) -> None:
    client.post("/clean/batch", data=b'{broken\n{"text": "ok"}\n',
                content_type="application/x-ndjson")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'newsclean_errors_total{code="bad_json"} 1.0' in metrics


def test_unknown_methods_share_one_metric_label(client: FlaskClient) -> None:
    for n in range(20):
        client.open("/clean", method=f"X{n}FOO")
    metrics = client.get("/metrics").get_data(as_text=True)
    series = [line for line in metrics.splitlines()
              if line.startswith("newsclean_http_requests_total{")]
    assert not any("X1FOO" in line for line in series)
    assert any('method="other"' in line for line in series)


@pytest.mark.parametrize(("options", "message"), [
    ({"num_perm": 10_000}, "num_perm"),
    ({"num_perm": 10_000, "lsh_bands": 10_000, "lsh_rows": 1}, "num_perm"),
    ({"lsh_bands": 70_000, "lsh_rows": 1, "num_perm": 70_000}, "num_perm"),
    ({"max_candidates": 100_000}, "max_candidates"),
    ({"min_words": 10**9}, "min_words"),
    ({"shingle_words": 500}, "shingle_words"),
    ({"exact_max_blocks": 10**9}, "exact_max_blocks"),
    ({"headline_max_words": 10**6}, "headline_max_words"),
])
def test_every_option_has_a_documented_range(options: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CleanConfig.from_options(options)


def test_option_ranges_are_in_the_openapi_document(client: FlaskClient) -> None:
    schema = client.get("/openapi.json").get_json()["components"]["schemas"]["CleanOptions"]
    for name, prop in schema["properties"].items():
        if prop["type"] in ("integer", "number"):
            assert "minimum" in prop, name
            assert "maximum" in prop, name


def test_kept_similar_is_capped_and_says_what_it_left_out() -> None:
    config = CleanConfig(max_kept_similar=5)
    text = "\n\n".join(["Title of the page"] + ["Close"] * 40)
    result = clean(text, config)
    assert len(result.kept_similar) == 5
    assert result.kept_similar_omitted == 34
    assert result.to_dict()["kept_similar_omitted"] == 34


def run_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "newsclean.cli", *args], input=stdin,
                          capture_output=True, timeout=60, check=False)


def test_cli_missing_file_says_so_without_a_traceback(tmp_path: Path) -> None:
    run = run_cli("clean", str(tmp_path / "missing.txt"))
    assert run.returncode == 2
    assert b"Traceback" not in run.stderr
    assert b"missing.txt" in run.stderr


def test_cli_jsonl_goes_on_past_a_line_that_is_not_utf8(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(b'{"text": "one"}\n\xff\xfe not utf-8\n{"text": "three"}\n')
    run = run_cli("clean", "--jsonl", str(source), str(target))
    assert b"Traceback" not in run.stderr
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r.get("text") for r in records] == ["one\n", None, "three\n"]
    assert records[1]["line"] == 2
    assert run.returncode == 1


def test_import_cleaning_leaves_datasketch_for_when_it_is_needed() -> None:
    """datasketch (with SciPy) took half a second of every command and worker boot."""
    code = ("import sys, cleaning; cleaning.clean('Title\\n\\nA body.');"
            "print('datasketch' in sys.modules, 'numpy' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert run.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("body", [b"\n" * 200_001, b"\r" * 200_001, b"a\r\n" * 100_001])
def test_an_article_of_too_many_lines_is_413_not_a_gigabyte(body: bytes) -> None:
    client = create_app(Settings(max_lines=100_000)).test_client()
    response = client.post("/clean", data=body, content_type="text/plain")
    assert response.status_code == 413
    assert error_code(response) == "too_many_lines"
    ok = client.post("/clean", data=b"a\r\n" * 100_000, content_type="text/plain")
    assert ok.status_code == 200


@pytest.mark.parametrize("brk", ["\n", "\r", "\u2028", "\u2029", "\v", "\f", "\x1c", "\x1e"])
def test_every_line_break_the_cleaner_splits_on_counts_against_the_line_limit(brk: str) -> None:
    """U+2028 and U+2029 (and the controls the cleaner breaks lines at) made 1.3 million
    blocks of 5 MB: 1,132 MB of worker memory, past the limit on lines that counted "\\n"."""
    client = create_app(Settings(max_lines=1_000)).test_client()
    over = client.post("/clean", json={"text": "a" + brk * 1_001})
    assert over.status_code == 413
    assert error_code(over) == "too_many_lines"
    raw = client.post("/clean", data=("a" + brk) * 1_001, content_type="text/plain")
    assert raw.status_code == 413
    assert error_code(raw) == "too_many_lines"
    assert client.post("/clean", json={"text": ("a" + brk) * 1_000}).status_code == 200


@pytest.mark.parametrize("piece", ["a&#10;", "a&amp;#10;", "a\u00e2\u20ac\u00a8", "a\n"])
def test_the_library_holds_a_limit_on_the_lines_it_splits_once_repaired(piece: str) -> None:
    """A break that repair reveals (an entity, the mojibake of U+2028) is a line to the
    cleaner, and no line break in the text a service counts before it cleans."""
    with pytest.raises(TooManyLines) as raised:
        clean(piece * 101, max_lines=100)
    assert raised.value.limit == 100
    assert len(split_lines(piece * 100, CleanConfig(), max_lines=100)) == 101  # at it
    assert clean(piece * 101).text  # no limit, unless the caller sets one


@given(st.lists(st.sampled_from(["a", " b", "\r\n", *LINE_BREAK_CHARS]), max_size=40))
def test_the_line_limit_counts_the_lines_the_cleaner_splits(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert count_lines(text) == len(split_lines(text, CleanConfig())) - 1
    assert count_lines(text.encode()) == count_lines(text)


# ---------------------------------------------------------------------- API keys

KEYS = Settings(api_keys="first-key, second-key")


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/clean", {"text": "a"}),
    ("POST", "/clean/batch", [{"text": "a"}]),
    ("GET", "/index/default/stats", None),
    ("DELETE", "/index/default/some-id", None),
])
def test_with_keys_set_cleaning_and_the_index_need_one(method: str, path: str,
                                                       body: object) -> None:
    client = create_app(KEYS).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": "first-key"},
                    {"Authorization": "Basic first-key"}, {"Authorization": "Bearer first"}):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 401, headers
        assert error_code(response) == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for key in ("first-key", "second-key"):
        response = client.open(path, method=method, json=body,
                               headers={"Authorization": f"Bearer {key}"})
        assert response.status_code != 401


def test_probes_and_the_description_stay_open_and_metrics_as_configured() -> None:
    client = create_app(KEYS).test_client()
    for path in ("/healthz", "/readyz", "/version", "/openapi.json", "/metrics"):
        assert client.get(path).status_code == 200, path
    closed = create_app(Settings(api_keys="k", metrics_need_key=True)).test_client()
    assert closed.get("/metrics").status_code == 401
    assert closed.get("/metrics", headers={"Authorization": "Bearer k"}).status_code == 200
    assert closed.get("/healthz").status_code == 200


def test_without_keys_nothing_needs_one(client: FlaskClient) -> None:
    assert client.post("/clean", json={"text": "a"}).status_code == 200


def test_keys_never_show_in_the_settings_repr() -> None:
    assert "first-key" not in repr(KEYS)
    assert Settings.from_env({"NEWSCLEAN_API_KEYS": "a,b"}).keys == (b"a", b"b")
    assert Settings.from_env({"NEWSCLEAN_METRICS_NEED_KEY": "yes"}).metrics_need_key


# ---------------------------------------------------------------------- gzip bodies

def gzip_post(client: FlaskClient, body: bytes, content_type: str = "application/json",
              path: str = "/clean", encoding: str = "gzip"):  # type: ignore[no-untyped-def]
    return client.post(path, data=body, headers={"Content-Type": content_type,
                                                 "Content-Encoding": encoding})


def test_gzip_bodies_are_read_json_text_and_ndjson(client: FlaskClient) -> None:
    import gzip

    one = gzip_post(client, gzip.compress(json.dumps({"text": "Hello   world."}).encode()))
    assert one.status_code == 200
    assert one.get_json()["text"] == "Hello world.\n"
    raw = gzip_post(client, gzip.compress("Café   crème.".encode()), "text/plain; charset=utf-8")
    assert raw.get_json()["text"] == "Café crème.\n"
    lines = b"\n".join(json.dumps({"id": n, "text": f"Item   {n}."}).encode() for n in range(3))
    # Two gzip members one after the other (what pigz or `cat a.gz b.gz` make) are one body.
    half = len(lines) // 2
    batch = gzip_post(client, gzip.compress(lines[:half]) + gzip.compress(lines[half:]),
                      "application/x-ndjson", "/clean/batch")
    assert [json.loads(line)["text"] for line in batch.get_data().splitlines()] == [
        "Item 0.\n", "Item 1.\n", "Item 2.\n"]


def test_a_gzip_bomb_is_413_on_its_decompressed_size() -> None:
    import gzip

    client = create_app(Settings(max_body_bytes=100_000)).test_client()
    bomb = gzip.compress(b'{"text": "' + b"a" * 50_000_000 + b'"}')
    assert len(bomb) < 100_000  # small on the wire: the limit must hold for what it becomes
    response = gzip_post(client, bomb)
    assert response.status_code == 413
    assert error_code(response) == "too_large"
    just_under = gzip.compress(json.dumps({"text": "a" * 99_000}).encode())
    assert gzip_post(client, just_under).status_code == 200


@pytest.mark.parametrize(("body", "encoding", "status", "code"), [
    (b"not gzip at all", "gzip", 400, "bad_body"),
    (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "gzip", 400, "bad_body"),  # header only
    (b"{}", "br", 415, "unsupported_encoding"),
])
def test_bad_or_unknown_encodings_are_clear_errors(client: FlaskClient, body: bytes,
                                                   encoding: str, status: int,
                                                   code: str) -> None:
    response = gzip_post(client, body, encoding=encoding)
    assert response.status_code == status
    assert error_code(response) == code


@pytest.mark.parametrize(("text", "encoding"), [
    ("café crème brûlée", "latin-1"),  # was read as cp1257: "crčme brűlée"
    ("naïve façade", "latin-1"),  # was read as cp1006
    ("Le café est très bon, à Paris.", "cp1252"),
    ("Привет мир, как дела", "cp1251"),  # where the detector can tell, it still decides
    ("Zażółć gęślą jaźń", "cp1250"),
])
def test_short_undeclared_legacy_text_decodes_right(text: str, encoding: str) -> None:
    from cleaning import decode_bytes

    assert decode_bytes(text.encode(encoding)).text == text


# ---------------------------------------------------------------------- found by schemathesis

def test_whole_numbers_written_as_floats_are_whole_numbers(client: FlaskClient) -> None:
    """JSON (and JSON Schema) has 20.0 as the integer 20: for options and ids alike."""
    response = client.post("/clean", json={"text": "a", "id": 7.0,
                                           "options": {"min_words": 20.0}})
    assert response.status_code == 200
    assert response.get_json()["id"] == 7
    assert CleanConfig.from_options({"min_words": 20.0}).min_words == 20
    with pytest.raises(ConfigError):
        CleanConfig.from_options({"min_words": 20.5})
    with pytest.raises(ConfigError):
        CleanConfig.from_options({"min_words": True})


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"text": "a", "options": None}, 200, None),  # null: the defaults
    ({"text": "a", "index": None}, 200, None),  # null: no index
    ({"text": "a", "options": []}, 400, "bad_option"),  # was taken as no options
    ({"text": "a", "options": 0}, 400, "bad_option"),
    ({"text": "a", "index": False}, 400, "bad_index"),  # was taken as no index
    ({"text": "a", "id": "x", "index": {"mode": "add", "colour": 1}}, 400, "bad_index"),
    ({"text": "a", "index": {"mode": "query", "id": {}}}, 400, "bad_index"),
    ({"text": "a", "id": 2**70}, 400, "bad_field"),  # past 64 bits, a parser's float
])
def test_the_body_is_held_to_its_schema(client: FlaskClient, body: dict[str, object],
                                        status: int, code: str | None) -> None:
    response = client.post("/clean", json=body)
    assert response.status_code == status
    if code:
        assert error_code(response) == code


def test_an_index_id_left_empty_is_the_article_s(client: FlaskClient) -> None:
    response = client.post("/clean", json={"text": "A story of ten words or so, told here.",
                                           "id": "a-1", "index": {"id": "", "mode": "add"}})
    assert response.status_code == 200
    assert response.get_json()["index"]["id"] == "a-1"


def test_no_body_at_all_is_a_400_an_empty_text_is_not(client: FlaskClient) -> None:
    response = client.post("/clean")
    assert response.status_code == 400
    assert error_code(response) == "missing_body"
    assert client.post("/clean", data=b"", content_type="text/plain").status_code == 200


def test_a_batch_error_echoes_only_an_id_the_schema_allows(client: FlaskClient) -> None:
    out = client.post("/clean/batch", json=[{"id": {}, "text": 1}, {"id": 5, "text": 1}])
    first, second = out.get_json()
    assert "id" not in first
    assert second["id"] == 5
