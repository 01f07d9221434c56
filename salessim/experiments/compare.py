"""``Comparison``: replicated KPIs of several scenarios, with means, confidence intervals and the
paired difference of every scenario to the baseline.

Replication ``i`` of every scenario used the same random numbers, so the difference
``scenario_i - baseline_i`` is mostly the effect of the design, not the dice; its confidence
interval (paired t, or a bootstrap) is much narrower than the one of two independent means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from salessim.errors import SalessimError
from salessim.experiments import statistics
from salessim.experiments.statistics import confidence_interval

SUMMARY_COLUMNS = [
    "scenario", "kpi", "unit", "n", "mean", "sd", "ci_low", "ci_high",
    "diff", "diff_low", "diff_high", "diff_pct", "p_value", "significant",
]


@dataclass(frozen=True)
class Comparison:
    """Results of :func:`salessim.compare` or :func:`salessim.sweep`.

    ``kpis``: tidy, one row per scenario, replication and KPI (scenario, replication, kpi, value,
    unit). ``runs``: one row per scenario and replication (run_id, cached, sim_seconds,
    write_seconds). ``design``: for sweeps, the parameter values of every scenario label.
    ``store``/``experiment``: where the runs were saved, if a store was used.
    """

    kpis: pd.DataFrame
    baseline: str
    runs: pd.DataFrame | None = None
    design: pd.DataFrame | None = None
    store: Path | None = None
    experiment: str | None = None
    common_random_numbers: bool = True

    @property
    def scenarios(self) -> list[str]:
        return list(self.kpis["scenario"].cat.categories)

    @property
    def replications(self) -> int:
        return int(self.kpis["replication"].nunique())

    def summary(self, level: float | None = None, method: str = "t", kpis: list[str] | None = None,
                n_resamples: int = 9999, seed: int = 0) -> pd.DataFrame:
        """Per scenario and KPI: mean with its CI, and the paired difference to the baseline.

        ``diff`` = mean over replications of (scenario - baseline), in the KPI's unit
        (percentage KPIs are fractions, so a diff of 0.01 is one percentage point);
        ``diff_low``/``diff_high`` its ``level`` confidence interval (default
        :data:`salessim.experiments.statistics.LEVEL`, 95%), by ``method`` ``"t"``
        (paired t interval) or ``"bootstrap"`` (scipy BCa bootstrap of the mean difference,
        ``n_resamples``, seeded); ``diff_pct`` = diff / baseline mean; ``p_value``: paired
        t-test; ``significant``: the CI excludes 0. Replications where either value is NaN
        (e.g. no won deal, no median cycle) are left out of that KPI's pair; ``n`` counts the
        values used.
        """
        level = statistics.LEVEL if level is None else level
        if not 0 < level < 1:
            raise SalessimError(f"level: must be between 0 and 1, got {level}")
        if method not in ("t", "bootstrap"):
            raise SalessimError(f"method: expected 't' or 'bootstrap', got {method!r}")
        names = list(dict.fromkeys(self.kpis["kpi"]))
        if kpis is not None:
            missing = [k for k in kpis if k not in names]
            if missing:
                raise SalessimError(f"kpis: unknown KPI {missing[0]!r} (choose from {', '.join(names)})")
            names = list(kpis)
        wide = self.kpis.pivot_table(index="replication", columns=["kpi", "scenario"], values="value",
                                     aggfunc="first", dropna=False, observed=True)
        units = self.kpis.drop_duplicates("kpi").set_index("kpi")["unit"]
        rows = []
        for kpi in names:
            base = _column(wide, kpi, self.baseline)
            for sc in self.scenarios:
                x = _column(wide, kpi, sc)
                row = {"scenario": sc, "kpi": kpi, "unit": units[kpi], **_mean_ci(x, level)}
                if sc != self.baseline:
                    row |= _paired_diff(x, base, level, method, n_resamples, seed)
                rows.append(row)
        out = pd.DataFrame(rows).reindex(columns=SUMMARY_COLUMNS)
        out["scenario"] = pd.Categorical(out["scenario"], categories=self.scenarios)
        out["n"] = out["n"].astype(np.int64)
        out["significant"] = out["significant"].astype("boolean")
        if self.design is not None:
            out = out.merge(self.design, on="scenario", how="left")
        return out

    def table(self, level: float | None = None, method: str = "t", kpis: list[str] | None = None) -> str:
        """The summary as a readable text table (what the CLI prints)."""
        level = statistics.LEVEL if level is None else level
        s = self.summary(level, method, kpis)
        pct = f"{level:.0%}"
        width = max(len(x) for x in self.scenarios) + len(" (baseline)") + 2
        vs = "vs " + self.baseline if len(self.baseline) <= 10 else "vs baseline"
        head = f"{'':<{width}}{'mean':>10}  {pct + ' CI':<22}{vs:>13}  {pct + ' CI of difference':<26}"
        dice = "common random numbers" if self.common_random_numbers else "independent random streams"
        lines = [f"{self.replications} replications, {dice}; differences are paired "
                 f"(scenario - {self.baseline}, same replication); * = CI excludes 0", head.rstrip()]
        for kpi, g in s.groupby("kpi", sort=False):
            unit = g["unit"].iloc[0]
            lines.append(f"{kpi} ({_unit_label(unit)})")
            for r in g.itertuples():
                name = f"  {r.scenario}" + (" (baseline)" if r.scenario == self.baseline else "")
                ci = f"[{_fmt(r.ci_low, unit)}, {_fmt(r.ci_high, unit)}]"
                line = f"{name:<{width}}{_fmt(r.mean, unit):>10}  {ci:<22}"
                if r.scenario != self.baseline:
                    rel = "" if pd.isna(r.diff_pct) or unit == "%" else f" {r.diff_pct:+.1%}"
                    dci = f"[{_fmt(r.diff_low, unit, True)}, {_fmt(r.diff_high, unit, True)}]"
                    star = " *" if (r.significant is not pd.NA and bool(r.significant)) else ""
                    line += f"{_fmt(r.diff, unit, True) + rel:>13}  {dci}{star}"
                lines.append(line.rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        return "<pre>" + self.table().replace("&", "&amp;").replace("<", "&lt;") + "</pre>"


def _column(wide: pd.DataFrame, kpi: str, scenario: str) -> np.ndarray:
    """One KPI of one scenario by replication; all NaN if the scenario lacks that KPI (e.g. a
    stage conversion of a funnel stage it does not have)."""
    if (kpi, scenario) in wide.columns:
        return wide[(kpi, scenario)].to_numpy(dtype=float)
    return np.full(len(wide), np.nan)


def _mean_ci(x: np.ndarray, level: float) -> dict[str, float]:
    ci = confidence_interval(x, level=level)
    return {"n": ci.n, "mean": ci.mean, "sd": ci.sd, "ci_low": ci.low, "ci_high": ci.high}


def _paired_diff(x: np.ndarray, base: np.ndarray, level: float, method: str, n_resamples: int,
                 seed: int) -> dict[str, float | bool]:
    from scipy import stats  # imported here: scipy.stats costs ~0.4 s at package import

    ok = ~(np.isnan(x) | np.isnan(base))
    d = x[ok] - base[ok]
    n = len(d)
    if n == 0:
        return {"diff": np.nan, "diff_low": np.nan, "diff_high": np.nan, "diff_pct": np.nan,
                "p_value": np.nan, "significant": pd.NA}
    ci = confidence_interval(d, level=level, method=method, n_resamples=n_resamples, seed=seed)
    if n < 2:
        p = np.nan
    elif np.all(d == d[0]):  # no spread (e.g. a KPI the change cannot touch): exact
        p = 1.0 if ci.mean == 0 else 0.0
    else:
        p = float(stats.ttest_1samp(d, 0.0).pvalue)
    significant = pd.NA if np.isnan(ci.low) else bool(ci.low > 0 or ci.high < 0)
    base_mean = float(base[ok].mean())
    pct = ci.mean / base_mean if base_mean else np.nan
    return {"diff": ci.mean, "diff_low": ci.low, "diff_high": ci.high, "diff_pct": pct, "p_value": p,
            "significant": significant}


def _unit_label(unit: str) -> str:
    return {"%": "%", "days": "days"}.get(unit, unit)


def _fmt(v: float, unit: str, signed: bool = False) -> str:
    """Compact display: 127.2M USD -> '127.2M', 0.232 % -> '23.2%' (differences in pp)."""
    text = _fmt_raw(v, unit, signed)
    return "+" + text[1:] if re.fullmatch(r"-[0.,]+[a-zA-Z%]*", text) else text  # no "-0.0"


def _fmt_raw(v: float, unit: str, signed: bool) -> str:
    if pd.isna(v):
        return "n/a"
    sign = "+" if signed else ""
    if unit == "%":
        return f"{v * 100:{sign}.1f}pp" if signed else f"{v:.1%}"
    if unit in ("days", "months"):
        return f"{v:{sign}.1f}"
    if unit.startswith("x "):
        return f"{v:{sign}.2f}x"
    a = abs(v)
    if re.fullmatch(r"[A-Z]{3}", unit):  # a currency: 127.2M, 30.4K
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if a >= div:
                return f"{v / div:{sign}.2f}{suffix}" if a < 10 * div else f"{v / div:{sign}.1f}{suffix}"
        return f"{v:{sign},.0f}"
    # counts (deals, leads, customers) and plain numbers (a correlation r)
    return f"{v:{sign},.0f}" if a >= 100 else f"{v:{sign}.3g}"
