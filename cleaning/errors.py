"""The errors the cleaning library raises.

    CleaningError            anything this library raises on purpose
    ├── ConfigError          an option has a wrong name, type or value
    ├── TimeLimitExceeded    cleaning took more processor time than `time_limit` allows
    ├── TooManyLines         the text splits into more lines than `max_lines` allows
    └── DecodeError          bytes that cannot be read as text
        ├── BinaryInputError bytes that are not text at all (NUL bytes, a PDF, an image...)
        └── CharsetError     the declared charset is no text encoding (base64, rot13...)

Every message says what to do next. The HTTP service maps `ConfigError` to 400,
`DecodeError` to 422 (`CharsetError` to 415), `TimeLimitExceeded` to 422 (an article
past its limit is past it on every try, so it is no error to retry) and `TooManyLines`
to 413.
"""

from __future__ import annotations

__all__ = ["BinaryInputError", "CharsetError", "CleaningError", "ConfigError",
           "DecodeError", "TimeLimitExceeded", "TooManyLines"]


class CleaningError(Exception):
    """Base class of every error raised on purpose by `cleaning`."""


class ConfigError(CleaningError, ValueError):
    """An option is unknown or out of range."""


class TimeLimitExceeded(CleaningError):
    """Cleaning used more processor time than the call's `time_limit`; `limit` says how
    much that was, in seconds."""

    def __init__(self, message: str, limit: float) -> None:
        super().__init__(message)
        self.limit = limit


class TooManyLines(CleaningError):
    """The text splits into more line breaks than the call's `max_lines` (`limit`), those
    that a repair reveals (``&#10;``, the mojibake of U+2028) counted too."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the text has more than {limit} line breaks once repaired (entities and "
            "mojibake that decode to one count too); clean it in parts, or allow more "
            "lines (max_lines)")
        self.limit = limit


class DecodeError(CleaningError, ValueError):
    """The input bytes cannot be decoded as text in any candidate encoding."""


class BinaryInputError(DecodeError):
    """The input bytes are a binary format, not text."""


class CharsetError(DecodeError):
    """The declared charset is unknown, or names no encoding a document is written in
    (a transform such as base64 or rot13, ``undefined``, an escape codec)."""
