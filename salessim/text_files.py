"""Text files from other people's tools (CRM exports, payroll tables): decoded in a detected
and reported encoding, their separator read from the header line.

The encoding is the first of UTF-8 (with or without BOM), charset-normalizer's best guess,
GB18030 (a superset of GBK) and Windows-1252 that decodes the whole file and reads as clean
text (no replacement or control characters, no ``Ã©``-style UTF-8 mojibake, no CJK character
wedged inside a Latin word as in ``M黮ler``). Excel's "CSV" in Chinese Windows is GBK; in much of
Europe it is separated by ``;``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from salessim.errors import SalessimError

#: Encodings tried after UTF-8 and the detector's guess (gb18030 is a superset of GBK / GB2312).
ENCODINGS = ("utf-8-sig", "gb18030", "cp1252")
_MOJIBAKE = re.compile(r"[\ufffd\x80-\x9f]|[ÃÂ][\x80-\xbf\u0152-\u2122]|[A-Za-z][\u0400-\u04ff\u3400-\u9fff\uac00-\ud7af][a-z]"
                       r"|[\u00a1-\u00ff\u0152-\u02dc\u2013-\u2122]{3,}")


def clean_text(text: str) -> bool:
    """Whether decoded text reads as text: no replacement or C1 control characters, no UTF-8
    read as Windows-1252 (``MÃ¼ller``), no CJK character inside a Latin word (``M黮ler``), no
    run of three accented letters or symbols (GBK read as Windows-1252: ``ÕÅÎ°``)."""
    return _MOJIBAKE.search(text) is None and not any(
        unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text[:200_000])


#: Encodings the detector may choose between (CRM exports in practice), the fewest bytes it needs
#: to be trusted, and the most "chaos" (its mess score, 0-1) it may see in its guess.
DETECTABLE = ("gb18030", "big5", "shift_jis", "cp1252", "cp1251")
DETECT_MIN_BYTES, DETECT_MAX_CHAOS = 2_000, 0.1


def _detected(raw: bytes) -> str | None:
    """charset-normalizer's confident guess for ``raw`` among :data:`DETECTABLE` (``None`` for a
    short file or an unsure guess)."""
    from charset_normalizer import from_bytes

    if len(raw) < DETECT_MIN_BYTES:
        return None
    best = from_bytes(raw[:200_000], cp_isolation=list(DETECTABLE)).best()
    return best.encoding if best is not None and best.chaos <= DETECT_MAX_CHAOS else None


def decode(raw: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """``raw`` as text and the encoding used: ``encoding`` if given, else UTF-8 if it decodes,
    else the first of the detector's guess, GB18030 and Windows-1252 that decodes and passes
    :func:`clean_text`."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as e:
            raise SalessimError(f"{path}: cannot decode as {encoding} ({e}); save the export as UTF-8") from None
    if b"\x00" in raw[:4096]:
        raise SalessimError(f"{path}: binary data or UTF-16, not a CSV text export (save it as CSV UTF-8)")
    try:
        return raw.decode(ENCODINGS[0]), ENCODINGS[0]  # strict UTF-8 rarely decodes anything else
    except UnicodeDecodeError:
        pass
    tried = [ENCODINGS[0]]
    for enc in [_detected(raw), *ENCODINGS[1:]]:
        if enc is None or enc in tried:
            continue
        tried.append(enc)
        try:
            text = raw.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if clean_text(text):
            return text, enc
    raise SalessimError(f"{path}: cannot decode as clean text ({', '.join(tried)} tried); "
                        "save the export as CSV UTF-8")


#: CSV files people open in Excel: UTF-8 with a byte-order mark (without one Excel reads them in
#: the locale's code page, and a Chinese name comes out as mojibake).
CSV_ENCODING = "utf-8-sig"

#: Separators a CSV export may use; the header line's most frequent one is taken.
SEPARATORS = (",", ";", "\t")


def separator(text: str) -> str:
    """The separator of a CSV text: the one of :data:`SEPARATORS` its first line holds most of."""
    first = text.split("\n", 1)[0]
    return max(SEPARATORS, key=first.count)
