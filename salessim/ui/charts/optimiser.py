"""Charts of the plan optimiser: the Pareto fronts of the candidate plans (matplotlib).

Takes ``OptimisationResult.candidates`` (one row per plan tried, plus ``today``). Money in
millions of the scenario currency; attainment spread (P90 - P10) in percentage points.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from salessim.experiments.optimise.goals import NET, SPREAD
from salessim.ui.formatting import money, percent
from salessim.ui.formatting import value as fmt_value
from salessim.ui.i18n import tr


def pareto_chart(candidates: pd.DataFrame, currency: str = "", axes=None, lang: str = "en"):
    """Net contribution against comp cost (left) and against attainment spread (right): every
    candidate (grey: misses a constraint), the Pareto front (line), today and the recommendation.
    Returns the figure."""
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    else:
        fig = axes[0].figure
    c = candidates.assign(net_m=candidates[NET] / 1e6)
    panels = [("comp cost", "front_cost", f"{tr('comp cost', lang)} (M {currency})", 1e-6), (SPREAD, "front_spread",
              tr("attainment spread, P90 − P10 (pp)", lang), 100.0)]
    for ax, (col, front, label, scale) in zip(axes, panels, strict=True):
        if col not in c:
            ax.set_visible(False)
            continue
        x = c[col] * scale
        ok = c["feasible"].astype(bool)
        ax.scatter(x[~ok], c.loc[~ok, "net_m"], s=18, color="0.75", label=tr("misses a constraint", lang))
        ax.scatter(x[ok], c.loc[ok, "net_m"], s=22, color="tab:blue", label=tr("meets the constraints", lang))
        f = c[c[front]].assign(x=x[c[front]]).sort_values("x")
        ax.plot(f["x"], f["net_m"], color="tab:blue", lw=1.2, label=tr("Pareto front", lang))
        for mask, style, name in ((c["candidate"] == "today", dict(marker="s", color="black"), tr("today", lang)),
                                  (c["recommended"].astype(bool), dict(marker="*", color="firebrick", s=160), tr("recommended", lang))):
            ax.scatter(x[mask], c.loc[mask, "net_m"], zorder=3, label=name, **({"s": 60} | style))
        ax.set(xlabel=label)
        ax.grid(alpha=0.3)
    axes[0].set(ylabel=f"{tr('net contribution', lang)} (M {currency})")
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle(tr("Candidate plans: net contribution vs cost and vs attainment spread", lang))
    return fig


# ------------------------------------------------------------------------- tables of the optimiser

#: The results shown for each candidate plan (column of ``candidates`` -> unit; None: money).
CANDIDATE_RESULTS = {NET: None, "revenue": None, "comp cost": None, "cost of sales": "%", SPREAD: "%",
                     "reps at or above quota": "%", "annual rep attrition": "%"}


def candidate_names(candidates: pd.DataFrame, lang: str = "en") -> list[str]:
    """Short names for candidate plans: ``today``, ``recommended``, then ``plan A``, ``plan B``..."""
    names, letter = [], 0
    for c, rec in zip(candidates["candidate"], candidates["recommended"].astype(bool), strict=True):
        if c == "today":
            names.append(tr("today", lang))
        elif rec:
            names.append(tr("recommended", lang))
        else:
            names.append(f"{tr('plan', lang)} {chr(65 + letter % 26)}")
            letter += 1
    return names


def candidates_frame(candidates: pd.DataFrame, parameters: list[str], currency: str = "USD",
                     lang: str = "en") -> pd.DataFrame:
    """Candidate plans side by side (one column each, e.g. ``OptimisationResult.pareto``): their
    free plan fields with business labels, their results and whether they meet every constraint.
    Today's plan shows the fields it does not set as ``today's``."""
    from salessim.ui.formatting import path_label, plan_value, yes_no

    names = candidate_names(candidates, lang)
    rows = []
    for p in parameters:
        rows.append([path_label(p, lang)] + [("—" if c == "today" else plan_value(p, v, currency))
                                       for c, v in zip(candidates["candidate"], candidates[p], strict=True)])
    for col, unit in CANDIDATE_RESULTS.items():
        if col in candidates:
            rows.append([tr(col, lang)] + [fmt_value(v, unit or currency, currency) for v in candidates[col]])
    rows.append([tr("meets every constraint", lang)] + [yes_no(v, lang) for v in candidates["feasible"]])
    rows.append([tr("replications", lang)] + [f"{int(v)}" for v in candidates["replications"]])
    return pd.DataFrame(rows, columns=[tr("plan field / result", lang), *names])


def constraints_frame(result, lang: str = "en") -> pd.DataFrame:
    """Each constraint of an optimisation, the level the recommended plan reaches at the
    checks' confidence and whether it is met."""
    from salessim.ui.formatting import yes_no

    units = dict(zip(result.comparison.summary()["kpi"], result.comparison.summary()["unit"], strict=False))
    currency = result.recommended.currency
    rows = []
    for c, (desc, stat, violation) in zip(result.constraints, result.evaluation.checks, strict=True):
        unit = "%" if c.groups else ("r" if c.kpi == "pay-for-performance correlation" else units.get(c.kpi, ""))
        rows.append({tr("constraint", lang): desc, tr("level reached (cautious bound)", lang): fmt_value(stat, unit, currency),
                     tr("met", lang): yes_no(violation <= 0, lang)})
    return pd.DataFrame(rows)


def sensitivity_frame(sensitivity: pd.DataFrame, currency: str = "USD", lang: str = "en") -> pd.DataFrame:
    """``OptimisationResult.sensitivity`` as text: the plan field's business label, the values
    tried, the swing of net contribution (money), the direction and the best value."""
    from salessim.ui.formatting import number, path_label, plan_value

    def space(path: str, text: str) -> str:
        if " | " in text:
            return " | ".join(plan_value(path, v, currency) for v in text.split(" | "))
        if " .. " in text:
            lo, _, hi = text.partition(" .. ")
            return f"{plan_value(path, lo, currency)} – {plan_value(path, hi.split(' step ')[0], currency)}"
        return text

    def best(path: str, v: str) -> str:
        return tr(v, lang) if "third" in str(v) else plan_value(path, v, currency)

    return pd.DataFrame({
        tr("plan field", lang): [path_label(p, lang) for p in sensitivity["parameter"]],
        tr("values tried", lang): [f"{space(p, s)} ({n})" for p, s, n in zip(sensitivity["parameter"], sensitivity["space"],
                                                                            sensitivity["values tried"], strict=True)],
        tr("swing of net contribution", lang): [money(v, currency, 2) for v in sensitivity["swing"]],
        tr("rank correlation", lang): [number(v, 2, signed=True) for v in sensitivity["rank_correlation"]],
        tr("best value", lang): [best(p, v) for p, v in zip(sensitivity["parameter"], sensitivity["best value"], strict=True)],
    })


def rep_pay_frame(reps: pd.DataFrame, currency: str = "USD", top: int = 5, lang: str = "en") -> pd.DataFrame:
    """The ``top`` biggest losers and winners of ``OptimisationResult.reps``: attainment and pay
    today and under the recommended plan, the paired change with its interval."""
    from salessim.ui.formatting import ci_label, interval

    d = pd.concat([reps.head(top), reps.tail(top)]).drop_duplicates("rep")
    ci = ci_label(lang)
    return pd.DataFrame({
        tr("rep", lang): d["rep"],
        f"{tr('attainment', lang)} ({tr('today', lang)})": [percent(v, 0) for v in d["attainment_today"]],
        f"{tr('attainment', lang)} ({tr('recommended', lang)})": [percent(v, 0) for v in d["attainment_recommended"]],
        f"{tr('total pay', lang)} ({tr('today', lang)})": [money(v, currency, 1) for v in d["pay_today"]],
        f"{tr('total pay', lang)} ({tr('recommended', lang)})": [money(v, currency, 1) for v in d["pay_recommended"]],
        f"{tr('change', lang)} ({ci})": [interval(m, lo, hi, currency, currency, change=True)
                                         for m, lo, hi in zip(d["change"], d["change_low"], d["change_high"], strict=True)],
        "%": [percent(v, 0, signed=True) for v in d["change_share"]],
    })
