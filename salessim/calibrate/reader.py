"""Reading CRM exports: CSV or Excel, UTF-8 (with or without BOM) or GBK, every cell as text.

Parsing is tolerant and vectorised: amounts with currency symbols, codes and thousands
separators (``$12,345.00``, ``¥1,234``, ``1.234,56 €``, ``(500)``); dates in mixed formats
(ISO, ``2026/03/05 14:22``, ``03/05/2026``, ``5.3.2026``, ``2026年3月5日``, ``05-Mar-2026``).
A value that does not parse becomes missing and is reported by the validator, never guessed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from salessim.errors import SalessimError

ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK / GB2312
CURRENCY_SIGNS = {"$": "USD", "US$": "USD", "USD": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP",
                  "¥": "CNY", "￥": "CNY", "RMB": "CNY", "CNY": "CNY", "元": "CNY", "JPY": "JPY"}


def read_table(path: str | Path, encoding: str | None = None) -> tuple[pd.DataFrame, str]:
    """Rows of a CSV/TSV/Excel export as text (``''`` for empty), and the encoding used.

    Headers and cells are stripped of surrounding spaces. ``encoding=None`` tries UTF-8 (BOM or
    not) and then GBK (as GB18030). The frame's index is the row's line in the file (header = 1).
    """
    path = Path(path)
    if not path.exists():
        raise SalessimError(f"{path}: file not found")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            df = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as e:  # openpyxl raises many kinds
            raise SalessimError(f"{path}: cannot read Excel file ({type(e).__name__}: {e})") from None
        used = "excel"
    else:
        raw = path.read_bytes()
        text, used = None, ""
        for enc in ([encoding] if encoding else ENCODINGS):
            try:
                text, used = raw.decode(enc), enc
                break
            except (UnicodeDecodeError, LookupError):
                continue
        if text is None:
            raise SalessimError(f"{path}: cannot decode as {' or '.join(ENCODINGS)}; pass the encoding explicitly")
        first = text.split("\n", 1)[0]
        sep = max([",", ";", "\t"], key=first.count)
        try:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep,
                             skipinitialspace=True, on_bad_lines="error")
        except pd.errors.ParserError as e:
            raise SalessimError(f"{path}: malformed CSV ({str(e).strip()})") from None
        except pd.errors.EmptyDataError:
            raise SalessimError(f"{path}: the file is empty") from None
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    df = df.apply(lambda s: s.astype(str).str.strip())
    df.index = pd.RangeIndex(2, len(df) + 2, name="line")
    return df, used


# --------------------------------------------------------------------------- amounts

_AMOUNT_JUNK = re.compile(r"[A-Za-z$€£¥￥元\s\u00a0']+")


def _one_amount(text: str) -> float:
    """One messy amount string → float (NaN when it does not parse)."""
    t = text.strip()
    if not t:
        return np.nan
    neg = t.startswith("(") and t.endswith(")")
    t = _AMOUNT_JUNK.sub("", t.strip("()"))
    if t.startswith("-"):
        neg, t = not neg, t[1:]
    if not t or not re.fullmatch(r"[\d.,]+", t):
        return np.nan
    if "," in t and "." in t:
        dec = "," if t.rfind(",") > t.rfind(".") else "."
    elif "," in t:
        parts = t.split(",")
        dec = "," if len(parts) == 2 and len(parts[1]) != 3 else None
    elif t.count(".") > 1:
        dec = None  # 1.234.567 (dots as thousands)
    else:
        dec = "."
    thou = {",": ".", ".": ",", None: ",."}[dec]
    for ch in thou:
        t = t.replace(ch, "")
    if dec == ",":
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        return np.nan
    return -v if neg else v


def parse_amounts(values: pd.Series) -> pd.Series:
    """Currency amounts (float, NaN where missing or unparseable); each distinct string parsed once."""
    text = values.astype(str)
    core = text.str.replace(_AMOUNT_JUNK, "", regex=True)
    # Fast path, vectorised: plain or US-style numbers (1234, -3, 12,345.67) once symbols are gone.
    fast = core.str.fullmatch(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?") & ~text.str.contains("(", regex=False)
    out = pd.Series(np.nan, index=values.index)
    out[fast] = pd.to_numeric(core[fast].str.replace(",", "", regex=False)).astype(float)
    rest = text[~fast]
    if len(rest):
        lookup = {u: _one_amount(u) for u in pd.unique(rest.to_numpy())}
        out[~fast] = rest.map(lookup).to_numpy(dtype=float)
    return out


def detect_currency(values: pd.Series) -> str | None:
    """The currency named by symbols or codes in the amounts, if exactly one appears."""
    sample = " ".join(values.head(2000).tolist())
    found = {code for sign, code in CURRENCY_SIGNS.items() if sign in sample}
    return found.pop() if len(found) == 1 else None


# --------------------------------------------------------------------------- dates

_FORMATS_MONTHFIRST = ["%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%y"]
_FORMATS_DAYFIRST = ["%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%y"]
_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
            "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y/%m/%d", "%Y/%m/%d %H:%M",
            "%Y/%m/%d %H:%M:%S", "%Y.%m.%d", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%Y%m%d", "%d-%b-%Y", "%d %b %Y",
            "%b %d, %Y", "%d-%b-%y", "%Y-%m-%d %H:%M:%S.%f"]
_CJK_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_dates(values: pd.Series, dayfirst: bool = False) -> pd.Series:
    """Calendar dates (``datetime64``, time of day dropped; NaT where missing or unparseable).

    Formats are tried in a fixed order, each on the values still unparsed; ``a/b/yyyy`` is read
    month-first unless ``dayfirst``. Excel serial numbers (e.g. ``46023``) are accepted.
    """
    text = values.astype(str).str.strip()
    codes, uniq = pd.factorize(text)  # exports repeat dates: parse each distinct string once
    parsed = _parse_distinct(pd.Series(uniq, dtype=str), dayfirst).to_numpy()
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    out[codes >= 0] = parsed[codes[codes >= 0]]
    return pd.Series(out, index=values.index)


def _parse_distinct(s: pd.Series, dayfirst: bool) -> pd.Series:
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = s.str.contains("年", regex=False)
    cjk = s[todo].str.extract(_CJK_DATE)
    ok = cjk[0].notna()
    if ok.any():
        iso = cjk.loc[ok, 0] + "-" + cjk.loc[ok, 1].str.zfill(2) + "-" + cjk.loc[ok, 2].str.zfill(2)
        out.loc[iso.index] = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    slash = _FORMATS_DAYFIRST + _FORMATS_MONTHFIRST if dayfirst else _FORMATS_MONTHFIRST + _FORMATS_DAYFIRST
    for fmt in _FORMATS + slash:
        todo = out.isna() & (s != "")
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        out.loc[parsed.index[parsed.notna()]] = parsed[parsed.notna()]
    todo = out.isna() & s.str.fullmatch(r"\d{5}(\.\d+)?")
    if todo.any():  # Excel serial day numbers (1900 system)
        serial = pd.to_numeric(s[todo], errors="coerce")
        out.loc[todo[todo].index] = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial.round(), unit="D")
    return out.dt.normalize()
