"""Exports generated from parameters (bimodal won cycle, open deals without a value, leads never
engaged, two open stages, leavers): the calibration keeps the rows and recovers the shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from salessim.calibrate import from_crm, import_crm, load_mapping
from salessim.calibrate.exports import MAPPING, ExportSpec, snapshot_export
from salessim.calibrate.fit import fit_crm
from salessim.calibrate.scenario import DEFAULT_BASE
from salessim.model.distributions import Empirical, Lognormal, LognormalMixture


def _export(tmp_path, spec: ExportSpec | None = None, seed: int = 0):
    path = tmp_path / f"export_{seed}.csv"
    snapshot_export(spec or ExportSpec(), seed).to_csv(path, index=False)
    return path


def _import(path, stages):
    return import_crm(path, load_mapping(MAPPING), stages)


def test_new_kinds_quantiles() -> None:
    u = np.linspace(0.001, 0.999, 999)
    m = LognormalMixture(weights=[0.3, 0.7], median_days=[5, 75], sigma=[0.5, 0.3])
    assert np.allclose(m.cdf(m.quantile(u)), u, atol=1e-9)
    assert m.mean_days == pytest.approx(float(np.mean(m.quantile(np.random.default_rng(0).random(400_000)))), rel=0.01)
    one = LognormalMixture(weights=[1.0], median_days=[20], sigma=[0.6])
    assert np.allclose(one.quantile(u), Lognormal(median_days=20, sigma=0.6).quantile(u), rtol=1e-9)
    e = Empirical(p=[0, 0.3, 1], days=[0, 10, 100])
    assert np.allclose(e.quantile(np.array([0.15, 0.3, 0.65])), [5.0, 10.0, 55.0]) and e.mean_days == pytest.approx(40.0)
    with pytest.raises(ValueError):
        Empirical(p=[0, 0.5, 0.4, 1], days=[0, 1, 2, 3])
    with pytest.raises(ValueError):
        LognormalMixture(weights=[0.5, 0.4], median_days=[5, 75], sigma=[0.5, 0.3])


def test_rows_kept_and_counted(tmp_path, stages) -> None:
    spec = ExportSpec(opportunities=3000)
    path = _export(tmp_path, spec)
    unengaged = set(pd.read_csv(path, dtype=str, keep_default_na=False).query("`Engage Date` == ''")["Opportunity ID"])
    assert len(unengaged) > 20
    crm = _import(path, stages)
    assert crm.report.quarantined == 0 and crm.report.kept == spec.opportunities
    assert crm.deals["amount"].isna().sum() > 0 and crm.deals.loc[crm.deals["amount"].isna(), "status"].eq("open").all()
    leads = crm.deals[crm.deals["opportunity_id"].isin(unengaged)]
    assert len(leads) == len(unengaged) and leads["created"].notna().all() and leads["stage"].eq("prospecting").all()
    assert any("no engage date" in n for n in crm.report.notes) and any("no amount" in n for n in crm.report.notes)
    # Without a first-seen column the unengaged leads are quarantined with a hint, not guessed.
    bare = {**MAPPING, "columns": {k: v for k, v in MAPPING["columns"].items() if k != "first_seen"}}
    q = import_crm(path, load_mapping(bare), stages)
    assert q.report.reasons["bad created date"] == len(unengaged)
    assert q.quarantine["detail"].str.contains("first_seen").all()


def test_bimodal_cycle_chooses_a_shape_that_fits(tmp_path, stages) -> None:
    spec = ExportSpec()
    crm = _import(_export(tmp_path, spec), stages)
    fit = fit_crm(crm.deals, crm.as_of)
    wc, truth = fit.won_cycle, spec.truth()
    table = wc.candidates.set_index("kind")
    assert wc.kind in ("lognormal_mixture", "empirical")
    assert not table.loc["lognormal", "fits"] and not table.loc["gamma", "fits"]  # both unimodal families miss it
    assert table.loc["lognormal_mixture", "ks"] < 0.03
    assert wc.median_days == pytest.approx(truth["won_cycle_p50"], rel=0.05)
    assert wc.data_quantile(0.25) == pytest.approx(truth["won_cycle_p25"], rel=0.15)


def test_unimodal_cycle_keeps_a_parametric_family(tmp_path, stages) -> None:
    spec = ExportSpec(quick_share=0.0001, slow_median_days=50, slow_sigma=0.5)
    fit = fit_crm(*(lambda c: (c.deals, c.as_of))(_import(_export(tmp_path, spec), stages)))
    assert fit.won_cycle.kind in ("lognormal", "lognormal_mixture")
    assert fit.won_cycle.median_days == pytest.approx(50, rel=0.05)


def test_behaviour_estimates(tmp_path, stages) -> None:
    spec = ExportSpec(quarter_end_push=0.8, leavers=6, rep_sd=0.3)
    crm = _import(_export(tmp_path, spec), stages)
    b = fit_crm(crm.deals, crm.as_of).behaviour.set_index("estimate")
    hockey = b.loc["end-of-quarter bunching (hockey-stick index)"]
    assert hockey["low"] > 1.1  # wins pushed to quarter ends are seen
    flat = fit_crm(*(lambda c: (c.deals, c.as_of))(_import(_export(tmp_path, ExportSpec(), seed=1), stages)))
    flat_b = flat.behaviour.set_index("estimate").loc["end-of-quarter bunching (hockey-stick index)"]
    assert flat_b["low"] < 1.0 < flat_b["high"]
    spread = b.loc["rep win-rate spread (between-rep sd)"]
    assert spread["low"] < spread["value"] < spread["high"] and 0.1 < spread["value"] < 0.5
    turn = b.loc["owner turnover (yearly quit probability)"]
    assert "6 owners" in turn["basis"] and turn["set to"] == "staffing.attrition.base_annual_quit"


@pytest.mark.slow
def test_simulated_median_won_cycle_matches_the_data(tmp_path) -> None:
    """Averaged over export seeds, the calibrated simulation's median won cycle is within 10%
    of the data's, and its stage conversions stay plausible (qualified win rate < 90%)."""
    errors = []
    for seed in (0, 1, 2):
        cal = from_crm(_export(tmp_path, ExportSpec(), seed), MAPPING, refine_iterations=1, seed=seed)
        row = cal.validation.set_index("check").loc["won cycle P50"]
        errors.append(row["simulated"] / row["observed"] - 1)
        conv = [s["conversion"] for s in cal.data["funnel"]["stages"]]
        assert np.prod(conv[1:]) < 0.9
    assert abs(float(np.mean(errors))) < 0.10


@pytest.mark.slow
def test_cli_mismatch_exit_2_and_accept(tmp_path) -> None:
    import subprocess
    import sys

    import yaml

    path = _export(tmp_path, ExportSpec(opportunities=3000))
    (tmp_path / "map.yaml").write_text(yaml.safe_dump(MAPPING), encoding="utf-8")
    # A base whose reps cannot work the leads: the simulation cannot match the data.
    base = {**DEFAULT_BASE, "org": {**DEFAULT_BASE["org"], "weekly_hours": 1}}
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    args = [sys.executable, "-m", "salessim", "calibrate", str(path), "--mapping", str(tmp_path / "map.yaml"),
            "--base", str(tmp_path / "base.yaml"), "--refine", "1", "--out", str(tmp_path / "out.yaml")]
    p = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "NOT MATCHED" in p.stderr, p.stderr
    assert not (tmp_path / "out.yaml").exists()
    p = subprocess.run([*args, "--accept-mismatch"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    text = (tmp_path / "out.yaml").read_text(encoding="utf-8")
    assert text.startswith("# NOT VALIDATED") and "NOT VALIDATED against the export" in text
