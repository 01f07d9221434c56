"""Calibrate a scenario from a CRM export: import, validate, fit, back-test.

>>> from salessim.calibrate import from_crm
>>> cal = from_crm("data/crm/salesforce_snapshot.csv", preset="salesforce")
>>> print(cal.crm.report); cal.fit.summary(); cal.write("reports/calibrated.yaml")

Modules: ``mapping`` (column presets), ``reader`` (CSV/Excel, encodings, messy values),
``validate`` (quarantine with reasons), ``survival`` and ``fit`` (the estimates), ``scenario``
(the scenario YAML), ``backtest`` (fit early, simulate late, compare), ``synthetic`` (sample data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from salessim.calibrate.fit import Fit, fit_crm
from salessim.calibrate.mapping import PRESETS, Mapping, load_mapping
from salessim.calibrate.scenario import build_scenario, default_base, refine, write_scenario
from salessim.calibrate.validate import CrmImport, ValidationReport, import_crm
from salessim.errors import SalessimError
from salessim.scenario import Scenario, load_scenario


@dataclass
class Calibration:
    """An import, its fit and the calibrated scenario (plain data; ``scenario()`` validates it)."""

    crm: CrmImport
    fit: Fit
    data: dict[str, Any]

    def scenario(self) -> Scenario:
        return load_scenario(self.data)

    def write(self, out: str | Path, quarantine: str | Path | None = None) -> tuple[Path, Path]:
        """Write the scenario YAML and the quarantine CSV (default: next to it, ``*.quarantine.csv``)."""
        out = Path(out)
        q = Path(quarantine) if quarantine else out.with_suffix(".quarantine.csv")
        write_scenario(self.data, out, self.fit.assumptions, self.fit.summary(self.data["currency"]))
        self.crm.write_quarantine(q)
        return out, q


def _base(base: Scenario | str | Path | None) -> Scenario:
    if base is None:
        return default_base()
    return base if isinstance(base, Scenario) else load_scenario(base)


def calibrate(crm: CrmImport, base: Scenario | None = None, refine_iterations: int = 2, seed: int = 0,
              source: str = "a CRM export") -> Calibration:
    """Fit a validated import and build (and refine) the scenario."""
    base = base or default_base()
    if crm.report.kept < 20:
        raise SalessimError(f"{crm.report.source}: only {crm.report.kept} valid opportunities; need at least 20 to fit")
    if not (crm.deals["status"] == "won").any() or not (crm.deals["status"] == "lost").any():
        raise SalessimError(f"{crm.report.source}: stage: no won or no lost deals: check the mapping's won/lost values "
                            f"({crm.mapping.won} / {crm.mapping.lost})")
    fit = fit_crm(crm.deals, crm.as_of, crm.history, len(base.funnel.stages))
    data = build_scenario(fit, base, currency=crm.currency, source=source)
    data, check = refine(data, fit, refine_iterations, seed)
    if refine_iterations > 0:
        what = "the inbound lead rate, conversions and durations (each by one common factor)"
        fit.assumptions.append(f"{what} refined by {refine_iterations} simulation(s) so that the simulated "
                               "opportunities (inbound + self-sourced by reps), win rate and won cycle match the fit")
    if check:
        fit.check = check
        off = (abs(check["win_rate"] - fit.win_rate) > 0.01
               or abs(check["median_won_days"] / fit.cycle.median_won_days - 1) > 0.05
               or abs(check["opportunities_per_year"] / fit.arrivals.leads_per_year - 1) > 0.05)
        leads_per_rep = fit.arrivals.leads_per_year / max(len(fit.reps), 1)
        fit.assumptions.append(
            f"check simulation: win rate {check['win_rate']:.1%} (fitted {fit.win_rate:.1%}), median won cycle "
            f"{check['median_won_days']:.0f} days (fitted {fit.cycle.median_won_days:.0f}), opportunities "
            f"{check['opportunities_per_year']:,.0f}/yr of which {check['self_sourced_per_year']:,.0f} self-sourced "
            f"(fitted {fit.arrivals.leads_per_year:,.0f}), rep heterogeneity {check['rep_sd']:.2f} (fitted "
            f"{fit.skill_sd:.2f}) with skill sd {data['org']['skill']['sd']:.2f}"
            + (f" -- NOT MATCHED: rep capacity (weekly_hours, stage rep_hours from the base) may not fit "
               f"{leads_per_rep:,.0f} leads per rep a year; adjust the base or --refine more" if off else ""))
    return Calibration(crm, fit, data)


def from_crm(
    path: str | Path,
    mapping: str | Path | dict | Mapping | None = None,
    preset: str | None = None,
    history: str | Path | None = None,
    team: str | Path | None = None,
    base: Scenario | str | Path | None = None,
    as_of: str | pd.Timestamp | None = None,
    refine_iterations: int = 2,
    seed: int = 0,
) -> Calibration:
    """Import, validate and fit a CRM export; returns a :class:`Calibration`.

    ``mapping``: a mapping YAML/dict (or preset name); ``preset``: generic, salesforce, hubspot,
    zoho, fxiaoke. ``history``: a stage-history export; ``team``: a file of rep names (owners not
    in it are quarantined); ``base``: scenario whose stage structure, hours and calendar are kept
    (default: midmarket's); ``as_of``: snapshot date (default: the latest date in the export).
    """
    b = _base(base)
    m = load_mapping(mapping, preset)
    crm = import_crm(path, m, b.funnel.stage_names, history, team, as_of,
                     products=[p.name for p in b.market.products], segments=[s.name for s in b.market.segments])
    return calibrate(crm, b, refine_iterations, seed, source=Path(path).name)


__all__ = ["PRESETS", "Calibration", "CrmImport", "Fit", "Mapping", "ValidationReport", "calibrate", "from_crm",
           "import_crm", "load_mapping"]
