"""Reading CRM exports: CSV or Excel, every cell as text, in a detected and reported encoding
(:mod:`salessim.text_files`).

Parsing is tolerant and vectorised: amounts with currency symbols, codes and thousands
separators (``$12,345.00``, ``¥1,234``, ``1.234,56 €``, ``(500)``), scale suffixes (``12.5k``,
``1.2M``, ``3bn``, ``5万``, ``1.5亿``) and scientific notation (``1e5``); dates in mixed formats
(ISO, ``2026/03/05 14:22``, ``03/05/2026``, ``5.3.2026``, ``2026年3月5日``, ``05-Mar-2026``) from
1900 to 2199. A value that does not parse becomes missing and is reported by the validator,
never guessed (``10 to 20`` is not an amount). :func:`implausible_dates` and
:func:`robust_as_of` keep one stray date (``1900-01-01``, ``2099-01-01``) from rewriting a fit.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from salessim.errors import SalessimError
from salessim.text_files import decode, separator

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
    if path.is_dir():
        raise SalessimError(f"{path}: is a folder (give the path of a CSV or Excel export)")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            df = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as e:  # openpyxl raises many kinds
            raise SalessimError(f"{path}: cannot read Excel file ({type(e).__name__}: {e})") from None
        used = "excel"
    else:
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise SalessimError(f"{path}: cannot read ({e.strerror or e})") from None
        text, used = decode(raw, path, encoding)
        sep = separator(text)
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

#: Currency signs and codes, spaces and apostrophes (``1'234``) dropped from amounts; any other letter
#: makes the amount unparseable (``10 to 20``) rather than silently glued together.
_AMOUNT_JUNK = re.compile(r"US\$|(?<![A-Za-z])(?:USD|EUR|GBP|RMB|CNY|JPY|usd|eur|gbp|rmb|cny|jpy)(?![A-Za-z])"
                          r"|[$€£¥￥元\s\u00a0']+")
#: Scale suffixes: ``12.5k``, ``1.2M``/``1.2m``/``1.2mn``, ``3bn``, ``5万`` (1e4), ``1.5亿`` (1e8).
SCALES = {"k": 10**3, "K": 10**3, "千": 10**3, "m": 10**6, "M": 10**6, "mm": 10**6, "MM": 10**6, "mn": 10**6,
          "bn": 10**9, "B": 10**9, "万": 10**4, "百万": 10**6, "亿": 10**8}
_SCALED = re.compile(r"([0-9.,]+)(" + "|".join(sorted(map(re.escape, SCALES), key=len, reverse=True)) + ")")
_SCIENTIFIC = re.compile(r"[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]{1,3}")


def _plain_number(t: str) -> float:
    """Digits with thousands and decimal separators (``1.234,56``, ``12,345.6``) → float."""
    if not t or not re.fullmatch(r"[0-9.,]+", t):
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
        return float(t)
    except ValueError:
        return np.nan


def _one_amount(text: str) -> float:
    """One messy amount string → float (NaN when it does not parse or is not finite)."""
    t = text.strip()
    if not t:
        return np.nan
    neg = t.startswith("(") and t.endswith(")")
    t = _AMOUNT_JUNK.sub("", t.strip("()"))
    if t.startswith("-"):
        neg, t = not neg, t[1:]
    scaled = _SCALED.fullmatch(t)
    if _SCIENTIFIC.fullmatch(t):
        v = float(t)
    elif scaled:
        v = _plain_number(scaled.group(1))
        if np.isfinite(v):  # exact decimal scaling: 1.1M is 1,100,000, not 1,100,000.0000000002
            try:
                v = float(Decimal(repr(v)) * SCALES[scaled.group(2)])
            except InvalidOperation:
                v = np.nan
    else:
        v = _plain_number(t)
    if not np.isfinite(v):
        return np.nan
    return -v if neg else v


def parse_amounts(values: pd.Series) -> pd.Series:
    """Currency amounts (float, NaN where missing or unparseable); each distinct string parsed once."""
    text = values.astype(str)
    core = text.str.replace(_AMOUNT_JUNK, "", regex=True)
    # Fast path, vectorised: plain or US-style numbers (1234, -3, 12,345.67) once symbols are gone.
    fast = core.str.fullmatch(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?") & ~text.str.contains("(", regex=False)
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
_CJK_DATE = re.compile(r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日(?:\s*([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?$")


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


#: Dates a CRM export can hold; anything outside does not parse (``10450702`` is not a date).
DATE_RANGE = (pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31"))


def _in_range(parsed: pd.Series) -> pd.Series:
    """Parsed dates inside :data:`DATE_RANGE` as ``datetime64[ns]`` (NaT elsewhere)."""
    years = parsed.dt.year
    ok = parsed.notna() & (years >= DATE_RANGE[0].year) & (years <= DATE_RANGE[1].year)
    return pd.Series(pd.to_datetime(parsed.where(ok).astype(str).where(ok), errors="coerce"), index=parsed.index)


#: Fewest dates for the outlier check of :func:`implausible_dates`.
OUTLIER_MIN_DATES = 20


def implausible_dates(created: pd.Series, closed: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rows whose created or close date lies far outside the bulk of the export: more than
    ``max(span, 2 years)`` before the 0.5% quantile or after the 99.5% quantile of all dates
    (``span`` = the distance between them). One ``created: 1900-01-01`` or ``closed:
    2099-01-01`` would otherwise rewrite the lead rate, the as-of date and the cycle times.
    Returns the mask and a reason per row (``""`` where plausible)."""
    dates = pd.concat([created, closed]).dropna()
    none = pd.Series(False, index=created.index)
    if len(dates) < OUTLIER_MIN_DATES:
        return none, pd.Series("", index=created.index)
    lo, hi = dates.quantile(0.005), dates.quantile(0.995)
    pad = max(hi - lo, pd.Timedelta(days=730))
    first, last = lo - pad, hi + pad
    bad_created = (created < first) | (created > last)
    bad_closed = (closed < first) | (closed > last)
    window = f"outside {first.date()} to {last.date()}, far from the bulk of the export ({lo.date()} to {hi.date()})"
    detail = pd.Series(np.where(bad_created, "created date " + created.dt.strftime("%Y-%m-%d").fillna("") + " " + window,
                                np.where(bad_closed, "close date " + closed.dt.strftime("%Y-%m-%d").fillna("") + " " + window, "")),
                       index=created.index)
    return bad_created | bad_closed, detail


def _parse_distinct(s: pd.Series, dayfirst: bool) -> pd.Series:
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = s.str.contains("年", regex=False)
    cjk = s[todo].str.extract(_CJK_DATE)
    ok = cjk[0].notna()
    if ok.any():
        iso = cjk.loc[ok, 0] + "-" + cjk.loc[ok, 1].str.zfill(2) + "-" + cjk.loc[ok, 2].str.zfill(2)
        out.loc[iso.index] = _in_range(pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce"))
    slash = _FORMATS_DAYFIRST + _FORMATS_MONTHFIRST if dayfirst else _FORMATS_MONTHFIRST + _FORMATS_DAYFIRST
    for fmt in _FORMATS + slash:
        todo = out.isna() & (s != "")
        if not todo.any():
            break
        parsed = _in_range(pd.to_datetime(s[todo], format=fmt, errors="coerce"))
        out.loc[parsed.index[parsed.notna()]] = parsed[parsed.notna()]
    todo = out.isna() & s.str.fullmatch(r"[0-9]{5}(\.[0-9]+)?")
    if todo.any():  # Excel serial day numbers (1900 system)
        serial = pd.to_numeric(s[todo], errors="coerce")
        out.loc[todo[todo].index] = pd.Timestamp("1899-12-30") + pd.to_timedelta(serial.round(), unit="D")
    return out.dt.normalize()
