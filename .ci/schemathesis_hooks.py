"""schemathesis hooks for .ci/run: NDJSON bodies, and the two rules of the API that its
JSON Schema does not state, both documented and both answered 400 with a message.

- NDJSON (``/clean/batch``): the document states an NDJSON body as the array of its
  lines; a generated array is sent one item a line, and an answer is read back into the
  array of its lines, so that every line of every streamed answer is checked against
  BatchItem (without these, schemathesis sent no NDJSON and checked no NDJSON answer).

- `lsh_bands * lsh_rows` must equal `num_perm` (the MinHash LSH parameters): the schema
  gives each its range, not their product. Generated options get the `num_perm` that makes
  the product hold when it is in range, and lose the three otherwise.
- An article added to the index needs an id: its index's own, or the article's. A
  generated request that adds without either gets one, and a body long enough to be
  fingerprinted (else it is skipped, not added): so the stateful phase, following the
  document's link from an added article to ``DELETE /index/{namespace}/{id}``, removes
  articles that are there (200), not only ones that are not (404).

So every request schemathesis generates as valid is valid, and every check runs.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import schemathesis

from cleaning import CLEAN_DEFAULTS
from cleaning.config import OPTION_RANGES

DEFAULTS = {name: getattr(CLEAN_DEFAULTS, name) for name in ("num_perm", "lsh_bands", "lsh_rows")}
NUM_PERM_RANGE = OPTION_RANGES["num_perm"][:2]
#: Words enough for the index to fingerprint an article (its shingles are a few words).
INDEXABLE = ("\n\nThe council approved the new harbour budget on Tuesday after a long "
             "debate about repairs to the old sea wall and the ferry pier.")


def consistent(options: Any) -> Any:
    if not isinstance(options, dict) or not DEFAULTS.keys() & options.keys():
        return options
    bands = options.get("lsh_bands", DEFAULTS["lsh_bands"])
    rows = options.get("lsh_rows", DEFAULTS["lsh_rows"])
    if isinstance(bands, (int, float)) and isinstance(rows, (int, float)):
        product = bands * rows
        if NUM_PERM_RANGE[0] <= product <= NUM_PERM_RANGE[1]:
            return {**options, "num_perm": product, "lsh_bands": bands, "lsh_rows": rows}
    return {k: v for k, v in options.items() if k not in DEFAULTS}


def with_consistent_options(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    if "options" in item:
        item = {**item, "options": consistent(item["options"])}
    index = item.get("index")
    if (isinstance(index, dict) and index.get("mode", "add") == "add"
            and index.get("id") in (None, "") and item.get("id") in (None, "")):
        item = {**item, "index": {**index, "id": "generated-id"}}
    index = item.get("index")
    if (isinstance(index, dict) and index.get("mode", "add") == "add"
            and isinstance(item.get("text"), str)):
        item = {**item, "text": item["text"] + INDEXABLE}
    return item


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Every call of every phase (the coverage phase too, which builds its bodies itself)."""
    body = case.body
    if isinstance(body, list):
        case.body = [with_consistent_options(item) for item in body]
    elif isinstance(body, dict):
        case.body = with_consistent_options(body)


@schemathesis.serializer("application/x-ndjson")
def ndjson_body(_context: Any, value: Any) -> bytes:
    """A generated NDJSON body (the array of its lines): one JSON value a line."""
    items = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


@schemathesis.deserializer("application/x-ndjson")
def ndjson_answer(_context: Any, response: Any) -> list[Any]:
    """An NDJSON answer as the array of its lines, each then checked against the
    document's item schema; a line that is no JSON fails the check."""
    content = response.content
    if content[:2] == GZIP_MAGIC:  # a transport that hands the body on as it came
        content = gzip.decompress(content)
    text = content.decode("utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


#: The first bytes of a gzip stream: the service compresses answers when asked to.
GZIP_MAGIC = b"\x1f\x8b"
