"""Turn input bytes into text, saying which encoding was used and why."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from cleaning import chardata
from cleaning.errors import BinaryInputError, CharsetError, DecodeError

# Signatures of binary formats that scrapers hand over by mistake.
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"RIFF", "a RIFF (WebP, WAV or AVI) file"),
    (b"\x7fELF", "an executable"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")
#: Declared charsets in which text has NUL bytes (one in every ASCII character): a body
#: declared in one is decoded with it before it is told from binary, not after.
WIDE_ENCODINGS = frozenset({"utf-16", "utf-16-le", "utf-16-be",
                            "utf-32", "utf-32-le", "utf-32-be"})
#: How much of a body is read to tell text from binary: enough for a file's header and a
#: few lines of any text.
BINARY_SAMPLE_BYTES = 4096
#: More than one control byte in this many (tabs and line breaks aside) is not text: real
#: text has almost none, and the fuzzer's control-laden strings stay under a tenth.
CONTROL_BYTES_IN_TEXT = 10


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, with the encoding used and how it was chosen.

    `source` is ``"declared"`` (the caller's charset), ``"bom"``, ``"default"`` (UTF-8) or
    ``"detected"`` (charset-normalizer's best guess).
    """

    text: str
    encoding: str
    source: str


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode `data`: with the declared charset if it works, else UTF-8, else a detector.

    A BOM-marked UTF-8 text keeps its BOM as a character, so that the diff applies to the
    bytes as they came; the repair step removes it.

    >>> decode_bytes("caf\\u00e9".encode("utf-8"))
    Decoded(text='café', encoding='utf-8', source='default')
    >>> decode_bytes("caf\\u00e9".encode("cp1252"), "windows-1252")
    Decoded(text='café', encoding='cp1252', source='declared')
    >>> decode_bytes("caf\\u00e9".encode("utf-16-le"), "UTF-16LE")
    Decoded(text='café', encoding='utf-16-le', source='declared')
    """
    for bom, name in _BOMS:
        if data.startswith(bom) and name != "utf-8":
            try:
                return Decoded(data.decode(name), name, "bom")
            except UnicodeDecodeError:
                break
    if declared and (codec := text_encoding(declared)) in WIDE_ENCODINGS:
        _refuse_binary_format(data)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            pass  # not what it says: told from binary below, as any other body
        else:
            if "\x00" not in text:
                return Decoded(text, codec, "declared")
    _refuse_binary(data)
    if declared:
        codec = text_encoding(declared)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            pass  # a wrong declaration is common; fall through to UTF-8 and detection
        else:
            if not chardata.SURROGATE_RE.search(text):  # UTF-7 can spell lone ones
                return Decoded(text, codec, "declared")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "default")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.encoding is None:
        raise DecodeError(
            "the body is neither UTF-8 nor any encoding that could be detected; "
            "send UTF-8 or name the charset in the Content-Type header"
        )
    for match in matches:  # the detector's own order, best first
        if (match.chaos, match.coherence) != (best.chaos, best.coherence):
            break
        if match.encoding == PREFERRED_WHEN_TIED:
            best = match
            break
    return Decoded(str(best), codecs.lookup(best.encoding).name, "detected")


#: When the detector cannot tell encodings apart (the same measures of mess and of
#: language, as in a short text: "café crème brûlée" reads as well in cp1250 and cp1257),
#: the one the web uses most for undeclared legacy text wins: windows-1252, the default
#: of the WHATWG Encoding standard for most locales (and what "ISO-8859-1" means on the web).
PREFERRED_WHEN_TIED = "cp1252"


#: Codecs that are text encodings to Python, yet no document is written in.
NOT_DOCUMENT_ENCODINGS = frozenset({"undefined", "punycode", "idna", "unicode_escape",
                                    "raw_unicode_escape"})


def text_encoding(name: str) -> str:
    """The codec of a declared charset, if it names an encoding documents are written in.

    >>> text_encoding("Windows-1252"), text_encoding('"utf8"')
    ('cp1252', 'utf-8')
    >>> text_encoding("rot13")
    Traceback (most recent call last):
    ...
    cleaning.errors.CharsetError: charset 'rot13' is not a text encoding; ...
    """
    cleaned = name.strip().strip("\"'")
    try:
        info = codecs.lookup(cleaned)
    except LookupError:
        raise CharsetError(f"unknown charset {name!r}; name a text encoding such as utf-8 "
                           "or windows-1252, or leave the charset out") from None
    if not getattr(info, "_is_text_encoding", True) or (
            info.name.replace("-", "_") in NOT_DOCUMENT_ENCODINGS):
        raise CharsetError(f"charset {name!r} is not a text encoding; name one such as "
                           "utf-8 or windows-1252, or leave the charset out")
    return info.name


def _refuse_binary_format(data: bytes) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise BinaryInputError(f"the body is {what}, not text; send the article's text")


def _refuse_binary(data: bytes) -> None:
    _refuse_binary_format(data)
    if b"\x00" in data:
        raise BinaryInputError(
            "the body contains NUL bytes, so it is binary or UTF-16/32 without a BOM; "
            "send text, with its charset named in the Content-Type header"
        )
    sample = data[:BINARY_SAMPLE_BYTES]
    if sample:
        controls = sum(1 for b in sample if b < 0x20 and b not in _TEXT_CONTROLS)
        if controls > len(sample) // CONTROL_BYTES_IN_TEXT:
            raise BinaryInputError("the body is mostly control bytes, so it is not text")
