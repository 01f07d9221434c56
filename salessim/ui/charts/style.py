"""Axis formatting and the house style for charts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, PercentFormatter

from salessim.ui.formatting import money

#: Colours: neutral bars, the highlighted item, good and bad changes.
NEUTRAL, HIGHLIGHT, GOOD, BAD = "#4C72B0", "#DD8452", "#55A868", "#C44E52"


def use_style() -> None:
    """Seaborn's clean white-grid theme with readable font sizes (call once per notebook)."""
    sns.set_theme(style="whitegrid", context="notebook", font_scale=1.05)
    plt.rcParams.update({"figure.figsize": (9, 4.5), "axes.titleweight": "bold",
                         "axes.titlesize": 13, "figure.dpi": 100})


def currency_axis(ax: Axes, currency: str = "USD", axis: str = "y") -> Axes:
    """Ticks as compact money (``$1.2M``)."""
    fmt = FuncFormatter(lambda v, _pos: money(v, currency))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
    return ax


def percent_axis(ax: Axes, axis: str = "y", digits: int = 0) -> Axes:
    """Ticks of fractions as percentages (``0.25`` -> ``25%``)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0, decimals=digits))
    return ax


def new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    if ax is not None:
        return ax
    _fig, ax = plt.subplots(figsize=figsize)
    return ax
