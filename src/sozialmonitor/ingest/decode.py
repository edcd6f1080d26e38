"""Turning the bytes of a text file into text, with a deterministic encoding guess.

``encoding: auto`` decides per file:

1. a byte-order mark decides (UTF-8 with BOM, UTF-16 as written by Excel's "Unicode text");
2. bytes that are valid UTF-8 are UTF-8;
3. bytes that contain valid UTF-8 multi-byte sequences *and* invalid bytes are a damaged UTF-8 file:
   every invalid byte is reported;
4. everything else is Windows-1252 (the superset of Latin-1 that Excel on German Windows writes);
   the five bytes that Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) are reported.

Undecodable bytes are kept as lone surrogates (``surrogateescape``) so that the table reader can report
them with their row and column; :func:`has_undecodable` and :func:`show_undecodable` help with that.
"""

from __future__ import annotations

import codecs
import re

from sozialmonitor.errors import ConfigError

_SURROGATE = re.compile("[\udc80-\udcff]")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def decode_bytes(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """(text, encoding used). Undecodable bytes become lone surrogates, never an exception."""
    if encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise ConfigError(
                f"Zeichenkodierung {encoding!r} unbekannt", f"unknown character encoding {encoding!r}"
            ) from exc
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8") and data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        return data.decode(encoding, errors="surrogateescape"), encoding
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig", errors="surrogateescape"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="surrogateescape"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data):
        text = data.decode("utf-8", errors="surrogateescape")
        if any(ord(c) > 127 and not _SURROGATE.match(c) for c in text):
            return text, "utf-8"
    return data.decode("cp1252", errors="surrogateescape"), "cp1252"


def has_undecodable(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def show_undecodable(text: str) -> str:
    """The text with each undecodable byte shown as ``\\xNN``."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group(0)) - 0xDC00:02x}", text)
