"""The calibration report for a notebook: tidy tables and one figure of fit-versus-data checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salessim.calibrate.fit import cycle_days
from salessim.calibrate.survival import aalen_johansen

if TYPE_CHECKING:
    from salessim.calibrate import Calibration


def tables(cal: Calibration) -> dict[str, pd.DataFrame]:
    """Every table of the calibration, by name (validation counts, fitted values, groups, reps...)."""
    f = cal.fit
    out = {
        "validation": cal.crm.report.table(),
        "fitted": f.summary(cal.data["currency"]),
        "monthly leads": f.arrivals.monthly.assign(month=lambda d: d["month"].astype(str)),
        "deal size by segment": f.deal_sizes.segments,
        "deal size by product": f.deal_sizes.products,
        "reps": f.reps,
        "assumptions": pd.DataFrame({"assumption": f.assumptions}),
        "won cycle candidates": f.won_cycle.candidates,
        "behaviour": f.behaviour,
    }
    if cal.validation is not None:
        out["simulation vs data"] = cal.validation
    if f.win_by_segment is not None:
        out["win rate by segment"] = f.win_by_segment
    if f.win_by_product is not None:
        out["win rate by product"] = f.win_by_product
    if f.stages is not None:
        out["stages"] = f.stages
    return out


def plot_calibration(cal: Calibration):
    """Four panels: lead arrivals, the chosen won cycle vs the censoring-aware empirical curve, deal sizes,
    rep multipliers raw vs shrunk. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    f, deals = cal.fit, cal.crm.deals
    fig, ax = plt.subplots(2, 2, figsize=(11, 7.5))
    m = f.arrivals.monthly
    if len(m):
        ax[0, 0].bar(m["month"].astype(str), m["leads"], color="#4C72B0")
        ax[0, 0].tick_params(axis="x", labelrotation=90)
    ax[0, 0].set(title=f"Opportunities per month ({f.arrivals.leads_per_year:,.0f} a year)", ylabel="opportunities")

    won_d, lost_d, open_a = cycle_days(deals, f.as_of)
    inc = aalen_johansen(won_d, lost_d, open_a)
    if len(inc.days) and inc.cif_a[-1] > 0:
        ax[0, 1].step(inc.days + 1, inc.cif_a / inc.cif_a[-1], where="post", label="data (Aalen-Johansen)")
        u = np.linspace(0.001, 0.999, 300)
        ax[0, 1].plot(f.won_cycle.distribution().quantile(u), u, "--", label=f"chosen: {f.won_cycle.kind}")
    ax[0, 1].set(title=f"Won cycle (median {f.won_cycle.median_days:.0f} days)", xlabel="days", ylabel="share of won deals")
    ax[0, 1].legend()

    won = deals[(deals["status"] == "won") & (deals["amount"] > 0)]
    for seg, g in won.groupby(won["segment"].fillna("all")):
        ax[1, 0].hist(np.log10(g["amount"]), bins=40, alpha=0.5, label=str(seg))
    ax[1, 0].set(title="Won deal size by segment", xlabel="log10 amount", ylabel="deals")
    if won["segment"].notna().any():
        ax[1, 0].legend()

    r = f.reps.sort_values("raw")
    x = np.arange(len(r))
    ax[1, 1].scatter(x, r["raw"], s=12, label="observed / expected wins")
    ax[1, 1].scatter(x, r["skill"], s=12, label=f"shrunk (sd {f.skill_sd:.2f})")
    ax[1, 1].axhline(1.0, color="grey", lw=0.8)
    ax[1, 1].set(title="Rep win-rate multiplier", xlabel="reps (sorted)", ylabel="multiplier")
    ax[1, 1].legend()
    fig.tight_layout()
    return fig
