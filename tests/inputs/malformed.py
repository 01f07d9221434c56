"""A corpus of malformed inputs a careless user would write, one CLI command each.

:func:`cases` writes the files under a folder and returns ``(name, argv)`` pairs; every one
must end with exit status 2 and one line on stderr (tests/inputs/test_cli_boundary.py).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIDMARKET = ROOT / "data" / "scenarios" / "midmarket.yaml"
PLAN = ROOT / "data" / "plans" / "linear_commission.yaml"
PERF = ROOT / "data" / "plans" / "sample_performance.csv"
CRM = ROOT / "data" / "crm" / "opportunities.csv"

#: Scenario snippets appended to a small scenario based on midmarket (each a whole YAML text).
SCENARIO_TAILS = {
    "impossible date": "calendar: {start_date: 2026-02-30}\n",
    "bad float tag": "market: {leads_per_year: !!float abc}\n",
    "python tag": "name: !!python/object/apply:os.system [echo hi]\n",
    "reps yes": "org: {reps: yes}\n",
    "reps float": "org: {reps: 1.5}\n",
    "reps text": "org: {reps: many}\n",
    "reps negative": "org: {reps: -1}\n",
    "leads inf": "market: {leads_per_year: .inf}\n",
    "leads nan": "market: {leads_per_year: .nan}\n",
    "leads 1e9": "market: {leads_per_year: 1.0e+9}\n",
    "accounts 50M": "market: {accounts: 50000000}\n",
    "seasonality inf": "market: {seasonality: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, .inf]}\n",
    "seasonality bool": "market: {seasonality: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, on]}\n",
    "annual target 1e300": "quota: {annual_target: 1.0e+300}\n",
    "horizon 1000": "calendar: {horizon_months: 1000}\n",
    "duplicate key": "org: {reps: 5}\norg: {reps: 6}\n",
    "plan 5": "plan: 5\n",
    "plan folder": "plan: .\n",
    "plan missing": "plan: nowhere.yaml\n",
    "name list": "name: [1, 2]\n",
    "unknown field": "colour: red\n",
    "event string": "events: [lead drop in July]\n",
    "event date": "events: [{kind: demand_shock, at: 2026-02-30, factor: 0.5}]\n",
    "event nan": "events: [{kind: demand_shock, at: 3, factor: .nan}]\n",
    "event inf": "events: [{kind: demand_shock, at: 3, factor: .inf}]\n",
    "event unknown kind": "events: [{kind: meteor, at: 3}]\n",
    "tab indent": "org:\n\treps: 5\n",
    "unclosed list": "org: {reps: [1}\n",
    "deep nesting": "name: " + "[" * 300 + "]" * 300 + "\n",
    "seed negative": "seed: -3\n",
    "seed bool": "seed: true\n",
}

PLAN_TEXTS = {
    "rate yes": "components: [{type: commission, name: c, rate: yes}]\n",
    "rate bare 8": "components: [{type: commission, name: c, rate: 8}]\n",
    "rate inf": "components: [{type: commission, name: c, rate: .inf}]\n",
    "rate nan%": "components: [{type: commission, name: c, rate: nan%}]\n",
    "duplicate rate": "components: [{type: commission, name: c, rate: 10%, rate: 50%}]\n",
    "mix nan": "pay: {ote: 100000, mix: nan/nan}\ncomponents: [{type: commission, name: c, rate: 5%}]\n",
    "base inf": "pay: {base_salary: .inf}\ncomponents: [{type: commission, name: c, rate: 5%}]\n",
    "ote 1e300": "pay: {ote: 1.0e+300, mix: 50/50}\ncomponents: [{type: commission, name: c, rate: 5%}]\n",
    "cap number": "components: [{type: commission, name: c, rate: 5%, cap: 50000}]\n",
    "cap inverted": "components: [{type: commission, name: c, rate: 5%, cap: {period: 10, year: 5}}]\n",
    "spif empty start": "components: [{type: spif, name: s, start: '', end: 2026-03, per_deal: 10}]\n",
    "spif bad month": "components: [{type: spif, name: s, start: 2026-13, end: 2026-03, per_deal: 10}]\n",
    "tiers text": "components: [{type: commission, name: c, tiers: lots}]\n",
    "weight 60": "measures: [{name: bookings, weight: 60}]\ncomponents: [{type: commission, name: c, rate: 5%}]\n",
    "plan list": "- rate: 5%\n",
    "plan scalar": "5\n",
    "plan empty": "",
    "clawback months 0": "clawback: {within_months: 0}\ncomponents: [{type: commission, name: c, rate: 5%}]\n",
    "draw yes": "draw: {amount: yes, months: 3}\ncomponents: [{type: commission, name: c, rate: 5%}]\n",
}

#: (column, value) put on the first performance row.
PERF_EDITS = [
    ("credited", "inf"), ("credited", "1e400"), ("credited", "1e20"), ("credited", "-inf"), ("credited", "nan"),
    ("credited", "abc"), ("quota", "inf"), ("quota", "1e-300"), ("quota", "-5"), ("employed_share", "2"),
    ("base_salary", "inf"), ("target_incentive", "1e300"), ("period", "2026-13"), ("measure", "bananas"),
    ("credit_share", "-1"),
]

SET_FLAGS = ["org.reps=[1", "=5", "org.reps=!!python/object/apply:os.system [ls]", "calendar.start_date=2026-02-30",
             "org.reps=yes", "market.leads_per_year=.inf", "market.leads_per_year=1e400", "noequals",
             "org..reps=5", "org.reps=1e12", "market.seasonality.99=1", "org.reps.x=1", "seed=-1"]


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def small_scenario(folder: Path) -> Path:
    """Midmarket scaled down (5 reps, 100 accounts, 2 measured months) that runs in a moment."""
    return _write(folder / "small.yaml", f"base: {MIDMARKET}\norg: {{reps: 5}}\nmarket: {{accounts: 100, "
                  "leads_per_year: 1500}\ncalendar: {horizon_months: 2, warmup_months: 0}\n")


def cases(folder: Path) -> list[tuple[str, list[str]]]:
    """Every malformed case as ``(name, argv)``; files are written under ``folder``."""
    small = small_scenario(folder)
    out: list[tuple[str, list[str]]] = []
    for name, tail in SCENARIO_TAILS.items():
        path = _write(folder / "scenarios" / f"{name.replace(' ', '_')}.yaml", f"base: {small}\n{tail}")
        out.append((f"scenario: {name}", ["run", str(path)]))
    binary = _write(folder / "binary.yaml", bytes(range(256)) * 4)
    utf16 = _write(folder / "utf16.yaml", "name: x\n".encode("utf-16"))
    empty = _write(folder / "empty.yaml", "")
    listed = _write(folder / "listed.yaml", "- 1\n- 2\n")
    deep = _write(folder / "deep.yaml", "[" * 5000 + "]" * 5000)
    base_folder = _write(folder / "base_folder.yaml", f"base: {folder}\n")
    for name, path in (("binary", binary), ("utf-16", utf16), ("empty", empty), ("a list", listed),
                       ("5000 levels deep", deep), ("base is a folder", base_folder), ("folder", folder),
                       ("missing", folder / "missing.yaml")):
        out.append((f"scenario file: {name}", ["run", str(path)]))
    for flag in SET_FLAGS:
        out.append((f"--set {flag}", ["run", str(small), "--set", flag]))
    out += [("run --seed -1", ["run", str(small), "--seed", "-1"]),
            ("run --seed abc", ["run", str(small), "--seed", "abc"]),
            ("run --out is a file", ["run", str(small), "--out", str(small)])]

    for name, text in PLAN_TEXTS.items():
        path = _write(folder / "plans" / f"{name.replace(' ', '_').replace('%', 'pct')}.yaml", text)
        out.append((f"plan: {name}", ["payouts", str(path), str(PERF)]))
    out.append(("plan: folder", ["payouts", str(folder), str(PERF)]))
    out.append(("plan: binary", ["payouts", str(binary), str(PERF)]))
    lines = PERF.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    for col, value in PERF_EDITS:
        table = [line.split(",") for line in lines]
        if col not in header:  # a new column, empty below the first row
            table = [[*r, col if i == 0 else ""] for i, r in enumerate(table)]
        table[1][table[0].index(col)] = value
        path = _write(folder / "perf" / f"{col}_{value}.csv", "\n".join(",".join(r) for r in table) + "\n")
        out.append((f"performance: {col}={value}", ["payouts", str(PLAN), str(path)]))
    churn = [i for i, line in enumerate(lines) if ",churn," in line][0]
    row = lines[churn].split(",")
    row[header.index("credited")] = "-" + row[header.index("credited")]
    negative_churn = _write(folder / "perf" / "churn_negative.csv", "\n".join([*lines[:churn], ",".join(row), *lines[churn + 1:]]) + "\n")
    clawback_plan = _write(folder / "plans" / "clawback.yaml", "clawback: {within_months: 12, rate: 5%}\n"
                           "components: [{type: commission, name: c, rate: 5%}]\n")
    out.append(("performance: negative churn credited", ["payouts", str(clawback_plan), str(negative_churn)]))
    for name, content in (("xlsx that is text", b"rep,period\nr1,2026-01\n"), ("xlsx junk", bytes(range(256))),
                          ("parquet junk", b"PAR1 not really"), ("csv empty", b""), ("csv header only", PERF.read_bytes()[:60])):
        suffix = ".xlsx" if "xlsx" in name else ".parquet" if "parquet" in name else ".csv"
        path = _write(folder / "perf" / f"{name.replace(' ', '_')}{suffix}", content)
        out.append((f"performance: {name}", ["payouts", str(PLAN), str(path)]))
    out.append(("performance: folder", ["payouts", str(PLAN), str(folder)]))
    out.append(("performance: .txt", ["payouts", str(PLAN), str(_write(folder / "perf.txt", "x"))]))

    crm_out = str(folder / "cal.yaml")
    for name, argv in (("--as-of impossible", ["--as-of", "2026-02-30"]), ("--as-of yesterday", ["--as-of", "yesterday"]),
                       ("--backtest 0", ["--backtest", "0"]), ("--refine -1", ["--refine", "-1"]),
                       ("--seeds 0", ["--backtest", "3", "--seeds", "0"]), ("--out folder", ["--out", str(folder)])):
        out.append((f"calibrate {name}", ["calibrate", str(CRM), *(argv if "--out" in argv else ["--out", crm_out, *argv])]))
    for name, content in (("binary", bytes(range(256)) * 8), ("utf-16", "opportunity_id,owner\nO1,Ann\n".encode("utf-16")),
                          ("empty", b""), ("header only", b"opportunity_id,owner,amount\n"), ("one column", b"x\n1\n")):
        path = _write(folder / "crm" / f"{name.replace(' ', '_')}.csv", content)
        out.append((f"crm: {name}", ["calibrate", str(path), "--out", crm_out]))
    out.append(("crm: folder", ["calibrate", str(folder), "--out", crm_out]))
    for name, text in (("dayfirst maybe", "dayfirst: maybe\n"), ("duplicate key", "dayfirst: true\ndayfirst: false\n"),
                       ("bad tag", "dayfirst: !!bool maybe\n"), ("a list", "- a\n"), ("unknown preset", "preset: sap\n")):
        path = _write(folder / "mappings" / f"{name.replace(' ', '_')}.yaml", text)
        out.append((f"mapping: {name}", ["calibrate", str(CRM), "--mapping", str(path), "--out", crm_out]))

    for name, text in (("impossible date", "calendar.start_date: [2026-02-30]\n"), ("inf value", "org.reps: [.inf]\n"),
                       ("bool value", "org.reps: [yes, 5]\n"), ("too many points", "org.reps: [" + ", ".join(map(str, range(1, 60))) + "]\n"
                        + "org.weekly_hours: [" + ", ".join(map(str, range(20, 70))) + "]\n"),
                       ("not lists", "org.reps: 5\n"), ("deep", "x: " + "[" * 100 + "]" * 100 + "\n"),
                       ("scalar", "5\n"), ("unknown path", "org.colour: [red]\n")):
        path = _write(folder / "grids" / f"{name.replace(' ', '_')}.yaml", text)
        out.append((f"grid: {name}", ["sweep", str(small), "--grid", str(path), "-n", "1", "-j", "1", "-q"]))
    out.append(("grid: binary", ["sweep", str(small), "--grid", str(binary), "-n", "1", "-q"]))
    out.append(("--param yes", ["sweep", str(small), "--param", "org.reps=yes,5", "-n", "1", "-j", "1", "-q"]))
    out.append(("--param bad", ["sweep", str(small), "--param", "org.reps", "-n", "1", "-q"]))

    for name, text in (("plain strings", "demand drop:\n  - demand falls in July\n"),
                       ("not lists", "demand drop: {kind: demand_shock}\n"), ("duplicate shock", "a: []\na: []\n"),
                       ("impossible date", "a:\n  - {kind: demand_shock, at: 2026-02-30, factor: 0.5}\n"),
                       ("factor nan", "a:\n  - {kind: demand_shock, at: 3, factor: .nan}\n")):
        path = _write(folder / "shocks" / f"{name.replace(' ', '_')}.yaml", text)
        out.append((f"stress: {name}", ["stress", str(small), str(path), "-n", "2", "-j", "1", "-q"]))
    out.append(("stress: binary", ["stress", str(small), str(binary), "-n", "1", "-q"]))
    for name, text in (("plain strings", "- hire SDRs\n"), ("a mapping", "kind: add_sdrs\n")):
        path = _write(folder / "interventions" / f"{name.replace(' ', '_')}.yaml", text)
        out.append((f"roi: {name}", ["roi", str(small), str(path), "-n", "2", "-j", "1", "-q"]))

    for name, argv in (("--replications 0", ["-n", "0"]), ("--replications 1e6", ["-n", "1000000"]),
                       ("--level 2", ["--level", "2"]), ("--level nan", ["--level", "nan"]), ("--workers 0", ["-j", "0"]),
                       ("--replications x", ["-n", "x"])):
        out.append((f"compare {name}", ["compare", str(small), *argv, "-q"]))
    out.append(("unknown command", ["simulate", str(small)]))
    return out
