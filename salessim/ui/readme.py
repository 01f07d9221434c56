"""The README's example outputs, generated: ``python -m salessim.ui.readme [--write] [-j N]``.

Runs what the README shows (the KPIs ``salessim run data/scenarios/midmarket.yaml --seed 1``
prints; the typical behaviour figures, seed-averaged with 95% intervals; the ``compare``
table), stores the figures in :data:`FIGURES` (JSON) and, with ``--write``, rewrites each block
of the README between ``<!-- figures:NAME -->`` and ``<!-- /figures:NAME -->``. The test
``tests/viz/test_readme_figures.py`` renders the blocks from the JSON and fails when the README
differs, so a model change that moves the numbers shows up until this script is re-run.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
FIGURES = ROOT / "docs" / "readme_figures.json"
BENCH = ROOT / "docs" / "bench.json"  #: ``make bench`` results per area (``benchmarks/run.py --record``)
SCENARIO = "data/scenarios/midmarket.yaml"
#: KPIs of the ``salessim run`` example, in print order.
RUN_KPIS = ("revenue", "win rate (qualified)", "median sales cycle (won)", "reps at or above quota",
            "hockey-stick index (last 2 weeks of quarter)", "annual rep attrition", "cost of sales",
            "net revenue retention (annualised)")
#: The typical values the behaviour section quotes (mean over seeds, with an interval).
TYPICAL_KPIS = ("reps at or above quota", "annual rep attrition", "cost of sales")
COMPARE_KPIS = ("revenue", "cost of sales")


def compute(replications: int = 10, executor: Any = None) -> dict:
    """Run the README's examples; figures as plain numbers (JSON-ready)."""
    from salessim.analysis import kpi_summary, replicate
    from salessim.experiments import compare
    from salessim.results import simulate
    from salessim.scenario import load_scenario

    base = load_scenario(ROOT / SCENARIO)
    kpis = simulate(base, seed=1).kpis().set_index("kpi")
    run = [{"kpi": k, "value": float(kpis.loc[k, "value"]), "unit": str(kpis.loc[k, "unit"])} for k in RUN_KPIS if k in kpis.index]
    s = kpi_summary(replicate(base, replications, seed=0)).set_index("kpi")
    typical = [{"kpi": k, "mean": float(s.loc[k, "mean"]), "low": float(s.loc[k, "ci_low"]), "high": float(s.loc[k, "ci_high"]),
                "unit": str(s.loc[k, "unit"])} for k in TYPICAL_KPIS]
    c = compare({"today": base, "less admin": load_scenario(base, **{"org.weekly_hours": 38}),
                 "+10 reps": load_scenario(base, **{"org.reps": 110})},
                replications=replications, executor=executor, progress=False)
    from salessim.ui.commands.compare import grouped
    from salessim.ui.formatting import text_table
    from salessim.ui.tables import comparison_frame

    summary = c.summary()
    table = text_table(grouped(comparison_frame(summary, base.currency, list(COMPARE_KPIS)), summary, c.baseline))
    return {"replications": replications, "run": run, "typical": typical, "compare_table": table}


def blocks(figures: dict) -> dict[str, str]:
    """README blocks (name -> text between the markers) from the figures."""
    import pandas as pd

    from salessim.ui.formatting import format_kpis, interval

    run = format_kpis(pd.DataFrame(figures["run"]))
    typical = ", ".join(
        f"{interval(t['mean'], t['low'], t['high'], t['unit'], digits=0)} {label}"
        for t, label in zip(figures["typical"], ("of reps at quota", "annual attrition", "cost of sales"), strict=True))
    n = figures["replications"]
    return {
        "run": f"```\n{run}\n...\n```",
        "typical": f"({typical}; mean of {n} seeds with 95% intervals)",
        "compare": f"Real output ({n} replications of midmarket):\n\n```\n{figures['compare_table'].rstrip()}\n```",
    }


def bench_value(v: float | int | str) -> str:
    """A benchmark value as ``make bench`` prints it."""
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def target_met(value: float | int | str, target: str) -> str:
    """"met" / "**not met**" for a target ``< x``, ``<= x``, ``>= x``, ``|x| < x``, ``~x`` (at
    most 1.25 x: "about", e.g. cost per rep ~1 = at most about linear) or a number or word the value must equal; "" for context (empty,
    in parentheses, or a word beside a number)."""
    target = (target or "").strip()
    if not target or target.startswith("("):
        return ""
    m = re.match(r"^(\|x\|\s*)?(<=|<|>=|≥|≤|~)\s*([\d.,]+)", target)
    number = isinstance(value, int | float)
    if m is None and number:
        try:
            ok = value == float(target.replace(",", ""))
        except ValueError:
            return ""  # a word beside a number ("all kept"): context
    elif m is None or not number:
        ok = str(value) == target
    else:
        x, op, limit = abs(value) if m.group(1) else value, m.group(2), float(m.group(3).replace(",", ""))
        ok = {"<": x < limit, "<=": x <= limit, "≤": x <= limit, ">=": x >= limit, "≥": x >= limit,
              "~": x <= 1.25 * limit}[op]
    return "met" if ok else "**not met**"


def bench_table(bench: dict) -> str:
    """The README's performance table: every area's rows as ``make bench`` last recorded them."""
    lines = ["| area (when, load average) | benchmark | measured | unit | target | |", "|---|---|---|---|---|---|"]
    for area, run in sorted(bench.items()):
        where = f"{area} ({run['measured']}, load {run['load']})"
        for r in run["rows"]:
            name, target = (str(x).strip().replace("|", "\\|") for x in (r["name"], r.get("target", "")))
            lines.append(f"| {where} | {name} | {bench_value(r['value'])} | {r['unit']} | {target} | "
                         f"{target_met(r['value'], r.get('target', ''))} |")
            where = ""
    return "\n".join(lines)


def render(readme: str, figures: dict, bench: dict | None = None) -> str:
    """``readme`` with every figures block replaced (a missing marker is an error); with
    ``bench``, the performance table too."""
    named = blocks(figures) if figures else {}
    if bench is not None:
        named["bench"] = bench_table(bench)
    for name, text in named.items():
        pattern = re.compile(rf"(<!-- figures:{name} -->\n?)(.*?)(\n?<!-- /figures:{name} -->)", re.S)
        if not pattern.search(readme):
            raise ValueError(f"README.md: no <!-- figures:{name} --> block")
        readme = pattern.sub(lambda m, t=text: m.group(1) + t + m.group(3), readme)
    return readme


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m salessim.ui.readme", description=__doc__.splitlines()[0])
    p.add_argument("--write", action="store_true", help="rewrite README.md (default: only the JSON)")
    p.add_argument("-n", "--replications", type=int, default=10)
    p.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: the runner's)")
    args = p.parse_args(argv)
    figures = compute(args.replications, executor=args.jobs)
    FIGURES.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.write:
        README.write_text(render(README.read_text(encoding="utf-8"), figures), encoding="utf-8")
    print(f"figures written to {FIGURES.relative_to(ROOT)}" + (" and README.md" if args.write else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
