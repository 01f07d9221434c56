"""Territory maps: accounts at their location, coloured by the territory (rep) that owns them."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from salessim.ui.i18n import tr

#: 20 distinguishable colours, cycled over territories (neighbours rarely share one).
_TERRITORY_COLOURS = plt.get_cmap("tab20").colors


def territory_map(accounts: Mapping[str, pd.DataFrame], lang: str = "en", title: str | None = None) -> Figure:
    """Small multiples, one panel per design (e.g. today and after a redesign), same axes: each
    account at ``x_km``/``y_km`` (from ``SimResult.accounts``), coloured by its territory rep
    (colours cycle over 20), marker area by potential; the rep count in each panel title."""
    n = len(accounts)
    fig, axes = plt.subplots(1, n, figsize=(6.5 * n, 6.2), sharex=True, sharey=True, squeeze=False)
    for ax, (name, a) in zip(axes[0], accounts.items(), strict=True):
        reps = a["rep"].astype(str)
        codes = {r: i for i, r in enumerate(sorted(reps.unique()))}
        colours = [_TERRITORY_COLOURS[codes[r] % len(_TERRITORY_COLOURS)] for r in reps]
        size = 6 + 14 * np.sqrt(a["potential"].clip(lower=0) / max(float(a["potential"].max()), 1e-9))
        ax.scatter(a["x_km"], a["y_km"], s=size, c=colours, linewidths=0, alpha=0.85)
        centres = a.groupby(reps)[["x_km", "y_km"]].mean()
        ax.scatter(centres["x_km"], centres["y_km"], s=8, c="#222", marker="x", linewidths=0.8)
        label = f"{len(codes)} 个区域" if lang == "zh" else f"{len(codes)} territories"
        ax.set_title(f"{name} ({label})", fontsize=11)
        ax.set_xlabel(tr("x (km)", lang))
        ax.set_aspect("equal", adjustable="box")
        ax.grid(False)
    axes[0][0].set_ylabel(tr("y (km)", lang))
    note = ("颜色：区域（20 色循环）；× 区域中心；点大小：客户潜力；单次模拟" if lang == "zh" else
            "colour: territory (20 colours, cycled); ×: territory centre; dot size: account potential; one replication")
    heading = title or tr("accounts by territory", lang)
    fig.suptitle(heading[:1].upper() + heading[1:], fontweight="bold", x=0.01, ha="left")
    fig.text(0.01, 0.005, note, fontsize=9, color="#555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 0.97))
    return fig
