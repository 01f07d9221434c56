"""Numbers as a non-analyst reads them: the one place that turns values into text.

Every report, chart axis, dashboard label and CLI table formats through these functions, so
money, percentages, percentage points, counts and intervals look the same everywhere:

* one minus sign (:data:`MINUS`, U+2212, the one matplotlib uses on axes); ``-0.0`` prints as 0;
* one confidence level (:func:`ci_label`, from :data:`salessim.experiments.statistics.LEVEL`);
* deterministic quantities (an interval of zero width) print without an interval;
* missing values print as :data:`MISSING` (never ``NaN``), booleans as yes/no;
* scenario paths (``events.0.duration_factor``) get business labels (:func:`path_label`);
* stress-test tails are named by direction: :func:`unfavourable_tail` says which tail of a KPI
  is the bad one (high cost of sales, low revenue).

Money is in the scenario's currency; rates are fractions (``0.25`` = 25%).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CNY": "¥", "RMB": "¥"}

#: The minus sign of every formatted number (U+2212, as on matplotlib axes).
MINUS = "\u2212"
#: Text of a value that is missing or undefined.
MISSING = "n/a"

#: Units (as :func:`salessim.results.kpis` gives them) that are fractions shown as percentages.
RATE_UNITS = ("%",)
COUNT_UNITS = ("deals", "leads", "months", "reps", "accounts", "customers", "count")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _sign(value: float, signed: bool) -> str:
    if value < 0:
        return MINUS
    return "+" if signed and value > 0 else ""


def _zero(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` with the sign of a rounded zero dropped (no ``-0.0``)."""
    r = round(float(value), digits)
    return 0.0 if r == 0 else r


def money(value: float, currency: str = "USD", digits: int = 1, signed: bool = False) -> str:
    """Compact money: ``$1.3M``, ``€250.0K``, ``$950``, ``−$1.2M``; other currencies as
    ``1.3M CHF``. ``signed`` puts ``+`` on gains (a change, not a level)."""
    if _missing(value):
        return MISSING
    v = float(value)
    text = None
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        below = 0.5 if div == 1e3 else 0.5 * 10 ** -digits * 1e3  # rounds up into this unit
        if abs(v) >= div - below:
            scaled = _zero(v / div, digits)
            text, v = f"{abs(scaled):.{digits}f}{suffix}", scaled
            break
    if text is None:
        v = _zero(v, 0)
        text = f"{abs(v):,.0f}"
    sign = _sign(v, signed)
    sym = SYMBOLS.get(currency)
    return f"{sign}{sym}{text}" if sym else f"{sign}{text} {currency}"


def percent(value: float, digits: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: ``0.253`` -> ``25.3%`` (``signed``: ``+25.3%``)."""
    if _missing(value):
        return MISSING
    v = _zero(float(value) * 100, digits)
    return f"{_sign(v, signed)}{abs(v):.{digits}f}%"


def points(value: float, digits: int = 1, signed: bool = True) -> str:
    """A change of a rate in percentage points: ``0.012`` -> ``+1.2 pt`` (never ``−0.0 pt``)."""
    if _missing(value):
        return MISSING
    v = _zero(float(value) * 100, digits)
    return f"{_sign(v, signed)}{abs(v):.{digits}f} pt"


def count(value: float, signed: bool = False, digits: int = 0) -> str:
    """A count with thousands separators: ``12,345`` (``digits`` for a mean of counts)."""
    if _missing(value):
        return MISSING
    v = _zero(float(value), digits)
    return f"{_sign(v, signed)}{abs(v):,.{digits}f}"


def number(value: float, digits: int = 2, signed: bool = False) -> str:
    """A plain number (a ratio, a correlation): ``1.25``, ``−0.30``."""
    if _missing(value):
        return MISSING
    v = _zero(float(value), digits)
    return f"{_sign(v, signed)}{abs(v):,.{digits}f}"


def yes_no(value: Any, lang: str = "en") -> str:
    """A boolean as a word."""
    if _missing(value):
        return MISSING
    if lang == "zh":
        return "是" if value else "否"
    return "yes" if value else "no"


def value(v: float, unit: str, currency: str = "USD", signed: bool = False, change: bool = False,
          digits: int | None = None) -> str:
    """A KPI value in its ``unit`` (as :func:`salessim.results.kpi_table` names units: the
    currency code, ``%``, ``days``, ``deals``, ``x normal`` ...). ``change=True`` formats a
    difference: rates in percentage points, the rest signed."""
    if _missing(v):
        return MISSING
    if isinstance(v, bool):
        return yes_no(v)
    if unit in RATE_UNITS:
        return points(v, 1 if digits is None else digits) if change else percent(v, 1 if digits is None else digits, signed)
    signed = signed or change
    if unit == currency or unit in SYMBOLS:
        return money(v, unit, 2 if digits is None else digits, signed)
    if unit == "days":
        return f"{number(v, 1 if digits is None else digits, signed)} days"
    if unit in COUNT_UNITS:
        return count(v, signed, 0 if digits is None else digits)
    if unit.startswith("x "):
        return f"{number(v, 2 if digits is None else digits, signed)}{unit}"
    if unit == "r":
        return number(v, 2 if digits is None else digits, signed)
    return f"{number(v, 2 if digits is None else digits, signed)} {unit}".rstrip()


def is_deterministic(low: float, high: float, mean: float | None = None) -> bool:
    """True when an interval has no width (a fixed cost, a parameter): show it without one."""
    if _missing(low) or _missing(high):
        return False
    scale = max(abs(float(low)), abs(float(high)), abs(float(mean or 0.0)), 1e-12)
    return abs(float(high) - float(low)) <= 1e-9 * scale


def interval(mean: float, low: float, high: float, unit: str, currency: str = "USD",
             change: bool = False, digits: int | None = None) -> str:
    """``mean [low, high]`` in the unit (``$1.2M [$1.1M, $1.3M]``); just the mean when the interval
    is missing or has no width."""
    text = value(mean, unit, currency, change=change, digits=digits)
    if _missing(low) or _missing(high) or is_deterministic(low, high, mean):
        return text
    lo = value(low, unit, currency, change=change, digits=digits)
    hi = value(high, unit, currency, change=change, digits=digits)
    unit_text = _UNIT_SUFFIX.search(text)
    if unit_text and lo.endswith(unit_text.group()) and hi.endswith(unit_text.group()):
        cut = len(unit_text.group())  # the unit once, on the mean: ``−5.3 pt [−6.6, −4.0]``
        lo, hi = lo[:-cut], hi[:-cut]
    return f"{text} [{lo}, {hi}]"


#: A unit written in words after a number (`` pt``, ``x normal``, `` days``): shown once per interval.
_UNIT_SUFFIX = re.compile(r"(?:\s|(?<=\d)x\s)[^\d]*$")


def ci_level() -> float:
    """The confidence level of every interval the package reports (0.95 unless changed)."""
    from salessim.experiments.statistics import LEVEL

    return LEVEL


def ci_label(lang: str = "en", level: float | None = None) -> str:
    """``95% CI`` (or ``95% 置信区间``) at ``level``, default :func:`ci_level`."""
    level = f"{ci_level() if level is None else level:.0%}"
    return f"{level} 置信区间" if lang == "zh" else f"{level} CI"


# ------------------------------------------------------------------------- direction of KPIs

#: KPI name fragments where a higher value is worse for the business.
_HIGH_IS_BAD = ("cost", "attrition", "vacancy", "lost", "discount", "cycle", "pushed out", "hockey-stick", "last day",
                "margin paid", "Q4 share", "cost of sales")


def higher_is_better(kpi: str) -> bool:
    """Whether a higher value of ``kpi`` is good news (revenue) or bad news (cost of sales)."""
    k = kpi.lower()
    return not any(f.lower() in k for f in _HIGH_IS_BAD)


def unfavourable_tail(kpi: str) -> str:
    """``"low"`` or ``"high"``: the tail of ``kpi``'s distribution a stress test should report
    (low revenue; high cost of sales, high attrition)."""
    return "low" if higher_is_better(kpi) else "high"


def tail_label(kpi: str, share: float = 0.1, lang: str = "en") -> str:
    """The unfavourable tail named by direction: ``worst 10%, low`` or ``worst 10%, high``."""
    tail = unfavourable_tail(kpi)
    if lang == "zh":
        return f"最差 {share:.0%}，{'偏低' if tail == 'low' else '偏高'}"
    return f"worst {share:.0%}, {tail}"


def tail_quantile(kpi: str, share: float = 0.1) -> float:
    """The quantile of the unfavourable tail: ``share`` for KPIs where low is bad, ``1 - share``
    where high is bad."""
    return share if unfavourable_tail(kpi) == "low" else 1 - share


# ------------------------------------------------------------------------- scenario paths

#: Business labels of scenario fields (the last part of a dotted path).
FIELD_LABELS = {
    "duration_factor": "duration", "size_factor": "size", "reps": "sales reps", "hours_per_week": "selling hours per week",
    "selling_hours_per_week": "selling hours per week", "quota": "quota", "base_salary": "base salary",
    "target_variable": "target variable pay", "rate": "commission rate", "conversion": "conversion",
    "slip_loss_per_week": "deals lost per unworked week", "leads_per_month": "leads per month",
    "attrition": "attrition", "annual_attrition": "annual attrition", "ramp_months": "ramp-up months",
    "cost": "cost", "start_month": "start month", "months": "months", "median": "median",
    "deal_size": "deal size", "managers": "managers", "span": "span of control", "growth": "growth",
}
#: Labels of the collections a path can index into (``events.0`` -> ``event 1``).
COLLECTION_LABELS = {"events": "event", "segments": "segment", "stages": "stage", "products": "product",
                     "interventions": "intervention", "tiers": "tier", "territories": "territory",
                     "thresholds": "step"}


#: Labels of whole path endings (checked before the word-by-word label).
PATH_LABELS = {
    "pay.target_incentive": "target incentive (a year)", "pay.base_salary": "base salary (a year)",
    "pay.ote": "on-target earnings (a year)", "pay.mix": "pay mix (base/variable)",
    "caps.year": "annual cap on variable pay", "caps.period": "cap on variable pay per period",
    "cap.year": "annual cap", "cap.period": "cap per period", "multiple": "rate (x base rate)",
    "to": "ends at (attainment)", "from": "starts at (attainment)", "gate": "gate (attainment)",
    "attainment": "at attainment", "amount": "amount", "target_share": "share of target incentive",
}


#: Chinese of the plan-path labels (:data:`PATH_LABELS` values and collection names).
PATH_LABELS_ZH = {
    "target incentive (a year)": "目标奖金（年）", "base salary (a year)": "底薪（年）", "on-target earnings (a year)": "目标总薪酬（年）",
    "pay mix (base/variable)": "薪酬结构（底薪/浮动）", "annual cap on variable pay": "浮动薪酬年度封顶",
    "cap on variable pay per period": "浮动薪酬每期封顶", "annual cap": "年度封顶", "cap per period": "每期封顶",
    "rate (x base rate)": "提成比例（基准倍数）", "ends at (attainment)": "上限（目标达成率）", "starts at (attainment)": "起点（目标达成率）",
    "gate (attainment)": "门槛（目标达成率）", "at attainment": "目标达成率", "amount": "金额",
    "share of target incentive": "目标奖金占比", "commission rate": "提成比例", "tier": "档", "step": "级", "component": "组成部分",
    "commission": "提成",
}


def path_label(path: str, lang: str = "en") -> str:
    """A business label for a dotted scenario or plan path: ``events.0.duration_factor`` ->
    ``Event 1: duration``; ``org.reps`` -> ``Sales reps``; ``market.segments.1.deal_size.median``
    -> ``Segment 2: deal size median``; ``plan.components.commission.tiers.0.multiple`` ->
    ``Commission, tier 1: rate (x base rate)``; ``plan.caps.year`` -> ``Annual cap on variable pay``."""
    parts = [p for p in re.split(r"[.\[\]]+", str(path)) if p]
    owner: list[str] = []
    words: list[str] = []
    i = 0
    while i < len(parts):
        p = parts[i]
        rest = ".".join(parts[i:])
        if rest in PATH_LABELS:
            words.append(PATH_LABELS[rest])
            break
        if p == "components" and i + 1 < len(parts):  # a plan component, by name or index
            name = parts[i + 1]
            owner.append(f"component {int(name) + 1}" if name.isdigit() else name.replace("_", " "))
            i += 2
            continue
        if p in COLLECTION_LABELS and i + 1 < len(parts) and parts[i + 1].isdigit():
            owner.append(f"{COLLECTION_LABELS[p]} {int(parts[i + 1]) + 1}")
            i += 2
            continue
        if p not in ("org", "market", "funnel", "plan", "comp", "scenario", "behaviour", "behavior"):
            words.append(FIELD_LABELS.get(p, p.replace("_", " ")))
        i += 1
    text = " ".join(words) if words else (parts[-1] if parts else str(path))
    if lang == "zh":
        def zh(part: str) -> str:
            word, _, n = part.rpartition(" ")
            if n.isdigit() and word in PATH_LABELS_ZH:
                return f"第 {n} {PATH_LABELS_ZH[word]}"
            return PATH_LABELS_ZH.get(part, part)

        return (f"{'，'.join(zh(o) for o in owner)}：{zh(text)}" if owner else zh(text))
    label = f"{', '.join(owner)}: {text}" if owner else text
    return label[:1].upper() + label[1:]


# ------------------------------------------------------------------------- tables


def format_frame(frame: pd.DataFrame, units: dict[str, str], currency: str = "USD",
                 change: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame as text for printing: each column in ``units`` (column -> unit) formatted by
    :func:`value` (columns in ``change`` as differences), booleans as yes/no, missing as n/a."""
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        s = frame[col]
        if col in units:
            out[col] = [value(v, units[col], currency, change=col in change) for v in s]
        elif s.dtype == bool:
            out[col] = [yes_no(v) for v in s]
        else:
            out[col] = ["" if _missing(v) else (number(v) if isinstance(v, float) else str(v)) for v in s]
    return out


def text_table(frame: pd.DataFrame) -> str:
    """A formatted (all-text) frame as an aligned plain-text table without the row index: first
    column left-aligned, the rest right-aligned."""
    cols = [str(c) for c in frame.columns]
    rows = [[str(v) for v in r] for r in frame.itertuples(index=False, name=None)]
    widths = [max([_width(c)] + [_width(r[i]) for r in rows]) for i, c in enumerate(cols)]

    def line(cells: list[str]) -> str:
        return "  ".join(_pad(c, w, left=i == 0) for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(cols), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _width(text: str) -> int:
    """Display width (CJK characters take two columns)."""
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in text)


def _pad(text: str, width: int, left: bool) -> str:
    fill = " " * (width - _width(text))
    return text + fill if left else fill + text


def format_kpis(kpis: pd.DataFrame) -> str:
    """KPIs (``kpi``, ``value``, ``unit``) as a readable two-column text table."""
    def fmt(v: float, unit: str) -> str:
        if unit in ("USD", "EUR", "GBP", "JPY", "INR", "CNY") or unit in SYMBOLS:
            return f"{number(v, 0)} {unit}" if not _missing(v) else MISSING
        return value(v, unit)

    width = max(len(k) for k in kpis["kpi"])
    return "\n".join(f"{r.kpi:<{width}}  {fmt(r.value, r.unit):>18}" for r in kpis.itertuples())



def plan_value(path: str, v: Any, currency: str = "USD") -> str:
    """A plan field's value as its path says it is read: money for salaries, incentives, caps
    and amounts; percentages for rates and attainment bounds; ``1.10x`` for rate multiples;
    ``none`` for an absent cap."""
    if _missing(v) or v in ("null", "None"):
        return "none"
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    last = str(path).split(".")[-1]
    if last == "multiple":
        return f"{number(x, 2)}x"
    if last in ("rate", "to", "from", "gate", "attainment", "target_share", "pool_rate", "weight"):
        return percent(x, 1)
    if last in ("base_salary", "target_incentive", "ote", "year", "period", "amount", "per_deal", "pool_per_member"):
        return money(x, currency, 1)
    return number(x, 2)
