"""newsclean's cleaning library: repair scraped article text, remove what repeats, explain.

    >>> from cleaning import clean
    >>> clean("Hello   world.").text
    'Hello world.\\n'

Pure: no web framework, no environment, no network. The HTTP service in `service` is a
thin layer over `clean`.
"""

from __future__ import annotations

from cleaning.config import CLEAN_DEFAULTS, CleanConfig
from cleaning.decode import Decoded, decode_bytes
from cleaning.errors import (
    BinaryInputError,
    CharsetError,
    CleaningError,
    ConfigError,
    DecodeError,
    TimeLimitExceeded,
    TooManyLines,
)
from cleaning.fingerprint import MinHashFactory
from cleaning.passes import PASSES, Pass
from cleaning.pipeline import clean
from cleaning.result import CleanResult, Fix, KeptSimilar, Removal, Run, Stats
from cleaning.rules import RULES, Rule

__all__ = [
    "CLEAN_DEFAULTS",
    "PASSES",
    "RULES",
    "BinaryInputError",
    "CharsetError",
    "CleanConfig",
    "CleanResult",
    "CleaningError",
    "ConfigError",
    "DecodeError",
    "Decoded",
    "Fix",
    "KeptSimilar",
    "MinHashFactory",
    "Pass",
    "Removal",
    "Rule",
    "Run",
    "Stats",
    "TimeLimitExceeded",
    "TooManyLines",
    "clean",
    "decode_bytes",
]

__version__ = "0.1.0"
