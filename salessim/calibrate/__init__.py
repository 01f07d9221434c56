"""Calibrate a scenario from a CRM export: import, validate, fit, back-test.

>>> from salessim.calibrate import from_crm
>>> cal = from_crm("data/crm/salesforce_snapshot.csv", preset="salesforce")
>>> print(cal.crm.report); cal.fit.summary(); cal.write("reports/calibrated.yaml")

Modules: ``mapping`` (column presets), ``reader`` (CSV/Excel, encodings, messy values),
``validate`` (quarantine with reasons), ``survival`` and ``fit`` (the estimates), ``scenario``
(the scenario YAML), ``cycle`` (the won-cycle distribution chosen by fit to the data),
``behaviour`` (bunching, rep spread, turnover), ``check`` (simulation vs data), ``backtest`` (fit
early, simulate late, compare), ``synthetic`` and ``exports`` (sample data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from salessim.calibrate import check as _check
from salessim.calibrate.fit import Fit, fit_crm
from salessim.calibrate.mapping import PRESETS, Mapping, load_mapping
from salessim.calibrate.scenario import build_scenario, default_base, refine, write_scenario
from salessim.calibrate.validate import CrmImport, ValidationReport, import_crm
from salessim.errors import SalessimError
from salessim.scenario import Scenario, load_scenario


@dataclass
class Calibration:
    """An import, its fit and the calibrated scenario (plain data; ``scenario()`` validates it).

    ``validation``: the simulation against the data (:mod:`salessim.calibrate.check`; None
    without a simulation); ``mismatch``: its failed rows in one line ('' when all pass).
    """

    crm: CrmImport
    fit: Fit
    data: dict[str, Any]
    validation: pd.DataFrame | None = None
    mismatch: str = ""
    simulated: dict[str, Any] = field(default_factory=dict, repr=False)  # pooled deals, horizon, replications

    def scenario(self) -> Scenario:
        return load_scenario(self.data)

    @property
    def validated(self) -> bool:
        return self.validation is not None and not self.mismatch

    def write(self, out: str | Path, quarantine: str | Path | None = None,
              accept_mismatch: bool = False) -> tuple[Path, Path]:
        """Write the scenario YAML and the quarantine CSV (default: next to it, ``*.quarantine.csv``).

        A scenario whose simulation does not match the data is refused unless ``accept_mismatch``;
        it is then written marked NOT VALIDATED (header comment and description)."""
        if self.mismatch and not accept_mismatch:
            raise SalessimError(f"calibration NOT MATCHED: {self.mismatch} (fix the base or pass --accept-mismatch)")
        out = Path(out)
        q = Path(quarantine) if quarantine else out.with_suffix(".quarantine.csv")
        note = self.mismatch or (None if self.validation is not None else "no check simulation was run")
        write_scenario(self.data, out, self.fit.assumptions, self.fit.summary(self.data["currency"]), note)
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
    fit = fit_crm(crm.deals, crm.as_of, crm.history, len(base.funnel.stages),
                  base.staffing.attrition.base_annual_quit)
    data = build_scenario(fit, base, currency=crm.currency, source=source)
    data, check, last = refine(data, fit, refine_iterations, seed)
    if refine_iterations > 0:
        what = "the inbound lead rate, conversions and durations (each by one common factor)"
        fit.assumptions.append(f"{what} refined by {refine_iterations} simulation(s) so that the simulated "
                               "opportunities (inbound + self-sourced by reps), win rate and the data's median won "
                               "cycle match the export")
    if not check or last is None:
        return Calibration(crm, fit, data)
    fit.check = check
    table = _check.compare(_check.observed(crm.deals, fit), _check.simulated(*last))
    miss = _check.mismatch(table)
    if miss and check["self_sourced_per_year"] > 0.8 * fit.arrivals.leads_per_year:
        miss += (f" -- the base's reps self-source {check['self_sourced_per_year']:,.0f} opportunities a year, "
                 f"near or above the export's {fit.arrivals.leads_per_year:,.0f}: lower "
                 "behaviour.effort.prospecting_leads_per_week in the base")
    elif miss:
        leads_per_rep = fit.arrivals.leads_per_year / max(len(fit.reps), 1)
        miss += (f" -- rep capacity (weekly_hours, stage rep_hours from the base) may not fit {leads_per_rep:,.0f} "
                 "leads per rep a year; adjust the base or --refine more")
    d, h, k = last
    return Calibration(crm, fit, data, table, miss, {"deals": d, "horizon_days": h, "replications": k})


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
