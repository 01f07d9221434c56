"""Axis formatting and the house style for charts.

Tick labels come from :mod:`salessim.ui.formatting` (one minus sign, compact money) with as many
decimals as it takes for every tick of an axis to read differently. Each plan keeps its colour
across charts (:func:`plan_colours`); each chart states what it shows (:func:`source_note`: one
replication or the mean of n).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.ticker import Formatter

from salessim.ui.formatting import money, percent, points
from salessim.ui.i18n import check_lang, tr

#: Colours: neutral bars, the highlighted item, good and bad changes.
NEUTRAL, HIGHLIGHT, GOOD, BAD = "#4C72B0", "#DD8452", "#55A868", "#C44E52"
#: Plan colours, in order of first appearance (colour-blind safe, Okabe-Ito without black).
PLAN_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
#: Fonts with Chinese glyphs, most wanted first (Debian fonts-noto-cjk: .ci/install-fonts).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Micro Hei", "Source Han Sans SC")

_plan_colours: dict[str, str] = {}


def cjk_font() -> str | None:
    """The installed font the Chinese charts use, or None."""
    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in have), None)


def use_style(lang: str = "en") -> None:
    """Seaborn's clean white-grid theme with readable font sizes (call once per notebook);
    ``lang="zh"`` switches to a CJK font (:class:`SalessimError` when none is installed)."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=1.05)
    rc = {"figure.figsize": (9, 4.5), "axes.titleweight": "bold", "axes.titlesize": 13, "figure.dpi": 100,
          "axes.unicode_minus": True, "legend.frameon": False}
    if check_lang(lang) == "zh":
        font = cjk_font()
        if font is None:
            from salessim.errors import SalessimError

            raise SalessimError("lang zh: no CJK font installed (run `bash .ci/install-fonts`: Debian fonts-noto-cjk)")
        rc["font.sans-serif"] = [font, "DejaVu Sans"]
        rc["font.family"] = "sans-serif"
    plt.rcParams.update(rc)
    _translate_shown_figures(lang)


def translate_figure(fig, lang: str) -> None:
    """Every text of ``fig`` (titles, axis labels, legends, category ticks, notes) in ``lang``
    through :func:`salessim.ui.i18n.tr_text`; numbers and names without a translation stay."""
    from matplotlib.text import Text

    from salessim.ui.i18n import tr_text

    if lang == "en":
        return
    for text in fig.findobj(Text):
        t = text.get_text()
        if t:
            new = tr_text(t, lang)
            if new != t:
                text.set_text(new)


def _translate_shown_figures(lang: str) -> None:
    """In a notebook, translate each figure just before it is rendered (charts of every module
    and notebook, titles passed in English included): the inline PNG formatter is wrapped."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is None:
        return
    from functools import partial

    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    plt.close(plt.figure())  # loads the notebook backend, which registers its own figure formatter first
    png = ip.display_formatter.formatters["image/png"]
    try:
        inner = png.lookup_by_type(Figure)
    except KeyError:
        inner = partial(print_figure, fmt="png", base64=True)
    inner = getattr(inner, "salessim_inner", inner)  # use_style called again: wrap the original once
    if lang == "en":
        png.for_type(Figure, inner)
        return

    def render(fig):
        translate_figure(fig, lang)
        return inner(fig)

    render.salessim_inner = inner
    png.for_type(Figure, render)


def _trim(label: str) -> str:
    """``$2.50M`` -> ``$2.5M``, ``8.0%`` -> ``8%``: a label without its trailing decimal zeros."""
    return re.sub(r"\.(?=\D*$)", "", re.sub(r"(\.\d*?)0+(?=\D*$)", r"\1", label))


class UniqueFormatter(Formatter):
    """Ticks formatted by ``fmt(value, digits)`` with the fewest decimals (up to 3) that keep
    every visible tick label different (no ``8%, 8%, 8%``) and exact (no ``−$8M`` for −7.5M)."""

    def __init__(self, fmt: Callable[[float, int], str], digits: int = 0):
        self.fmt, self.digits = fmt, digits

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        for d in range(self.digits, 4):
            labels = [self.fmt(v, d) for v in values]
            exact = all(_trim(a) == _trim(self.fmt(v, d + 1)) for a, v in zip(labels, values, strict=True))
            if len(set(labels)) == len(labels) and exact:
                return labels
        return labels

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self.fmt(x, self.digits)


def _axis(ax: Axes, axis: str):
    return ax.yaxis if axis == "y" else ax.xaxis


def currency_axis(ax: Axes, currency: str = "USD", axis: str = "y") -> Axes:
    """Ticks as compact money (``$1.2M``, ``−$50K``), distinct on the axis."""
    _axis(ax, axis).set_major_formatter(UniqueFormatter(lambda v, d: money(v, currency, digits=d)))
    return ax


def percent_axis(ax: Axes, axis: str = "y", digits: int = 0) -> Axes:
    """Ticks of fractions as percentages (``0.25`` -> ``25%``), distinct on the axis."""
    _axis(ax, axis).set_major_formatter(UniqueFormatter(lambda v, d: percent(v, d), digits))
    return ax


def points_axis(ax: Axes, axis: str = "y") -> Axes:
    """Ticks of rate changes in percentage points (``+1 pt``)."""
    _axis(ax, axis).set_major_formatter(UniqueFormatter(lambda v, d: points(v, d)))
    return ax


def plan_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per plan (design, scenario) name: the same name gets the same colour in every
    chart of the session, new names the next free colour."""
    for n in names:
        if str(n) not in _plan_colours:
            _plan_colours[str(n)] = PLAN_PALETTE[len(_plan_colours) % len(PLAN_PALETTE)]
    return {str(n): _plan_colours[str(n)] for n in names}


def source_note(ax: Axes, replications: int | None, lang: str = "en", spread: bool = False) -> Axes:
    """Say what the chart shows: ``one replication`` (``replications`` 1 or None), ``mean of n
    replications``, or with ``spread`` ``spread over n replications`` (a distribution), as a
    small line under the title (the title moves to the left edge)."""
    if not replications or replications == 1:
        text = tr("one replication", lang)
    elif lang == "zh":
        text = f"{replications} 次重复模拟的分布" if spread else f"{replications} 次重复模拟均值"
    else:
        text = f"spread over {replications} replications" if spread else f"mean of {replications} replications"
    title = ax.get_title()
    ax.set_title("")
    ax.set_title(title, loc="left", pad=18)
    ax.annotate(text, xy=(0, 1), xycoords="axes fraction", xytext=(0, 5), textcoords="offset points",
                ha="left", va="bottom", fontsize=9, color="#555")
    return ax


def new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    if ax is not None:
        return ax
    _fig, ax = plt.subplots(figsize=figsize)
    return ax
