"""Charts of the plan optimiser: the Pareto fronts of the candidate plans (matplotlib).

Takes ``OptimisationResult.candidates`` (one row per plan tried, plus ``today``). Money in
millions of the scenario currency; attainment spread (P90 - P10) in percentage points.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from salessim.experiments.optimise.goals import NET, SPREAD


def pareto_chart(candidates: pd.DataFrame, currency: str = "", axes=None):
    """Net contribution against comp cost (left) and against attainment spread (right): every
    candidate (grey: misses a constraint), the Pareto front (line), today and the recommendation.
    Returns the figure."""
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    else:
        fig = axes[0].figure
    c = candidates.assign(net_m=candidates[NET] / 1e6)
    panels = [("comp cost", "front_cost", f"comp cost (M {currency})", 1e-6), (SPREAD, "front_spread",
              "attainment spread, P90 - P10 (pp)", 100.0)]
    for ax, (col, front, label, scale) in zip(axes, panels, strict=True):
        if col not in c:
            ax.set_visible(False)
            continue
        x = c[col] * scale
        ok = c["feasible"].astype(bool)
        ax.scatter(x[~ok], c.loc[~ok, "net_m"], s=18, color="0.75", label="misses a constraint")
        ax.scatter(x[ok], c.loc[ok, "net_m"], s=22, color="tab:blue", label="meets the constraints")
        f = c[c[front]].assign(x=x[c[front]]).sort_values("x")
        ax.plot(f["x"], f["net_m"], color="tab:blue", lw=1.2, label="Pareto front")
        for mask, style, name in ((c["candidate"] == "today", dict(marker="s", color="black"), "today"),
                                  (c["recommended"].astype(bool), dict(marker="*", color="firebrick", s=160), "recommended")):
            ax.scatter(x[mask], c.loc[mask, "net_m"], zorder=3, label=name, **({"s": 60} | style))
        ax.set(xlabel=label)
        ax.grid(alpha=0.3)
    axes[0].set(ylabel=f"net contribution (M {currency})")
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle("Candidate plans: net contribution vs cost and vs attainment spread")
    return fig
