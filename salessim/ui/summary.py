"""The opening and closing of every report: an executive summary computed from the run (the
decision question, the answer with its interval, what would change it, key numbers, caveats) and
an appendix (method, parameters, how to run, files, with paths relative to the report folder).

Notebooks show :func:`placeholder` right after the parameters and fill it at the end with
``handle.update(summary)``: the summary opens the published report although it is computed
from every section's results.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salessim.ui.i18n import tr

_CSS = ("<style>.salessim-summary{border-left:4px solid #0072B2;background:#F4F8FB;padding:10px 18px;"
        "margin:6px 0 18px 0;max-width:60em}.salessim-summary h2{margin-top:4px}"
        ".salessim-summary table{border-collapse:collapse;margin:6px 0;width:100%;table-layout:auto}"
        ".salessim-summary td{padding:3px 14px 3px 0;vertical-align:top;text-align:left;width:45%}"
        ".salessim-summary td.v{font-weight:bold;text-align:right;width:55%}"
        ".salessim-appendix td{padding:2px 14px 2px 0;vertical-align:top}</style>")


@dataclass(frozen=True)
class ExecutiveSummary:
    """What a decision maker reads first; every text is already formatted (numbers from the run)."""

    question: str
    answer: str
    would_change: str
    key_numbers: Sequence[tuple[str, str]]
    caveats: Sequence[str] = field(default_factory=tuple)
    lang: str = "en"

    def _repr_html_(self) -> str:
        t = lambda s: html.escape(tr(s, self.lang))  # noqa: E731
        e = html.escape
        numbers = "".join(f"<tr><td style='text-align:left'>{e(k)}</td><td class='v' style='text-align:right'>{e(v)}</td></tr>"
                          for k, v in self.key_numbers)
        caveats = "".join(f"<li>{e(c)}</li>" for c in self.caveats)
        return (f"{_CSS}<div class='salessim-summary'><h2>{t('Executive summary')}</h2>"
                f"<p><b>{t('Decision')}:</b> {e(self.question)}</p>"
                f"<p><b>{t('Answer')}:</b> {e(self.answer)}</p>"
                f"<p><b>{t('What would change it')}:</b> {e(self.would_change)}</p>"
                f"<p><b>{t('Key numbers')}</b></p><table>{numbers}</table>"
                + (f"<p><b>{t('Caveats')}</b></p><ul>{caveats}</ul>" if caveats else "") + "</div>")

    def text(self) -> str:
        """The summary as plain text (for tests and logs)."""
        lines = [self.question, self.answer, self.would_change, *(f"{k}: {v}" for k, v in self.key_numbers), *self.caveats]
        return "\n".join(lines)


def placeholder(lang: str = "en"):
    """Show a placeholder where the summary will go; returns the display handle to ``update``."""
    from IPython.display import HTML, display

    return display(HTML(f"<p><em>{html.escape(tr('Executive summary', lang))} …</em></p>"), display_id=True)


def relative_path(path: str | Path, report_folder: str | Path) -> str:
    """``path`` relative to the report folder (the notebook's ``out`` parent), with ``/``."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(report_folder).resolve())).as_posix()
    except ValueError:  # another drive
        return Path(path).name


@dataclass(frozen=True)
class Appendix:
    """Method, parameters, the command that reproduces the report and the files it wrote."""

    method: str
    parameters: Mapping[str, Any]
    command: str
    files: Sequence[str] = field(default_factory=tuple)
    lang: str = "en"

    def _repr_html_(self) -> str:
        t = lambda s: html.escape(tr(s, self.lang))  # noqa: E731
        e = html.escape
        params = "".join(f"<tr><td><code>{e(k)}</code></td><td>{e(_param(v))}</td></tr>" for k, v in self.parameters.items())
        files = "".join(f"<li><code>{e(f)}</code></li>" for f in self.files)
        return (f"{_CSS}<div class='salessim-appendix'><h2>{t('Appendix')}</h2>"
                f"<h3>{t('Method')}</h3><p>{e(self.method)}</p>"
                f"<h3>{t('Parameters')}</h3><table>{params}</table>"
                f"<h3>{t('How to run')}</h3><pre>{e(self.command)}</pre>"
                + (f"<h3>{t('Files')}</h3><ul>{files}</ul>" if files else "") + "</div>")


def _param(v: Any) -> str:
    if isinstance(v, str) and ("/" in v or os.sep in v):
        return Path(v).name if Path(v).is_absolute() else v
    if isinstance(v, (list, tuple)):
        return ", ".join(_param(x) for x in v)
    return str(v)


def appendix(method: str, parameters: Mapping[str, Any], notebook: str, out: str | Path,
             files: Sequence[str | Path] = (), lang: str = "en") -> Appendix:
    """The appendix of ``notebook`` (its number, e.g. ``00``) run with ``parameters``; ``files``
    written under ``out`` are listed relative to the report folder (``out``'s parent)."""
    folder = Path(out).resolve().parent
    shown = {k: v for k, v in parameters.items() if k != "out"}
    flags = " ".join(f"-p {k} {_param(v)}" for k, v in shown.items() if not isinstance(v, (list, tuple)))
    command = f"salessim report {notebook} {flags}".rstrip() + " --out reports/"
    return Appendix(method, shown, command, [relative_path(f, folder) for f in files], lang)


# ------------------------------------------------------------------------- builders per report


def _kpi(kpis, name: str):
    row = kpis.set_index("kpi").loc[name]
    return row


def _kpi_text(kpis, name: str, currency: str) -> str:
    from salessim.ui.formatting import interval

    r = _kpi(kpis, name)
    return interval(r["mean"], r["ci_low"], r["ci_high"], r["unit"], currency)


def quickstart_summary(kpis, bottleneck, scenario_name: str, replications: int, currency: str,
                       lang: str = "en") -> ExecutiveSummary:
    """00: what the organisation delivers in a year and where the funnel is held back, from
    :func:`~salessim.analysis.kpi_summary` and :func:`~salessim.analysis.find_bottleneck`."""
    from salessim.ui.formatting import ci_label, count, percent

    row = bottleneck.table.set_index("stage").loc[bottleneck.stage]
    revenue = _kpi_text(kpis, "revenue", currency)
    at_quota = _kpi_text(kpis, "reps at or above quota", currency)
    numbers = [(tr(k, lang), _kpi_text(kpis, k, currency)) for k in
               ("revenue", "reps at or above quota", "attainment median", "cost of sales", "annual rep attrition")
               if k in set(kpis["kpi"])]
    ci = ci_label(lang)
    if lang == "zh":
        bound = "产能受限" if bottleneck.bound == "capacity" else "转化受限"
        change = (f"该阶段因销售时间不足流失约 {count(row.lost_for_time)} 单：增加销售产能（人数或销售时间）是最直接的杠杆。"
                  if bottleneck.bound == "capacity" else
                  f"该阶段转化率每提高 1 个百分点，约多赢 {row.wins_per_point:,.1f} 单；销售产能不是瓶颈（利用率 {percent(bottleneck.utilisation, 0)}）。")
        return ExecutiveSummary(
            question=f"情景“{scenario_name}”一年能带来多少营收？瓶颈在哪里？",
            answer=(f"年营收 {revenue}（{replications} 次重复模拟均值，{ci}）；达成目标的销售占比 {at_quota}；"
                    f"销售漏斗的瓶颈在“{bottleneck.stage}”阶段（{bound}）。"),
            would_change=change, key_numbers=numbers, lang=lang,
            caveats=[f"区间反映 {replications} 次重复模拟的随机性，不含模型参数本身的不确定性。",
                     "漏斗、瓶颈、月度签约和销售排名图表展示的是单次模拟。"])
    change = (f"about {count(row.lost_for_time)} deals walk away there for lack of rep time: more selling capacity "
              "(reps or selling hours) is the direct lever."
              if bottleneck.bound == "capacity" else
              f"each extra percentage point of conversion there wins about {row.wins_per_point:,.1f} more deals; "
              f"rep capacity is not the constraint (utilisation {percent(bottleneck.utilisation, 0)}).")
    return ExecutiveSummary(
        question=f"What does the '{scenario_name}' organisation sell in a year, and what holds it back?",
        answer=(f"Revenue of {revenue} a year (mean of {replications} replications, {ci}); {at_quota} of reps "
                f"reach quota; the funnel is {bottleneck.bound}-bound at '{bottleneck.stage}'."),
        would_change=change[:1].upper() + change[1:], key_numbers=numbers, lang=lang,
        caveats=[f"Intervals show the randomness of {replications} replications, not uncertainty in the "
                 "scenario's own parameters.",
                 "The funnel, bottleneck, monthly bookings and scorecard charts show one replication."])


def design_summary(question: str, econ, best: Mapping[str, Any], baseline: str, currency: str,
                   replications: int, noun: str = "plan", extra: Sequence[tuple[str, str]] = (),
                   caveats: Sequence[str] = (), lang: str = "en", equal_terms: tuple | None = None) -> ExecutiveSummary:
    """01-03: the design that is best by net contribution, its margin over the runner-up with
    the interval, and the change against the baseline, from
    :func:`~salessim.analysis.economics.economics_summary` and :func:`~.best_design`.
    ``equal_terms``: ``(econ, best)`` of the same designs cost-matched to the baseline's target
    pay; the answer then says which design is best on equal terms and by how much."""
    from salessim.ui.formatting import ci_label, interval, money, number, percent

    e = econ.set_index("design")
    b = e.loc[best["best"]]
    ci = ci_label(lang)
    vs_base = interval(b["d_net"], b["d_net_low"], b["d_net_high"], currency, currency, change=True)
    margin = (interval(best["margin"], best["low"], best["high"], currency, currency, change=True)
              if best.get("second") else "")
    numbers = [(tr("net contribution", lang) + f" ({best['best']})",
                interval(b["net contribution"], b["net_low"], b["net_high"], currency, currency)),
               (tr("net contribution", lang) + f" ({baseline})", money(e.loc[baseline, "net contribution"], currency, 2))]
    if noun == "plan" and best["best"] != baseline and b["d_comp"] > 0:
        numbers.append((tr("incremental revenue per extra $ of comp", lang), f"{number(b['revenue_per_comp'])}"))
    numbers += list(extra)
    clear = best.get("clear", False)
    equal_text = ""
    if equal_terms is not None:
        eq_econ, eq_best = equal_terms
        q = eq_econ.set_index("design").loc[eq_best["best"]]
        eq_change = interval(q["d_net"], q["d_net_low"], q["d_net_high"], currency, currency, change=True)
        eq_name = eq_best["best"]
        if lang == "zh":
            equal_text = (f" 在同等目标薪酬下（成本对齐），净贡献最优的是“{eq_name}”" +
                          ("（即现行方案）。" if eq_name == baseline else f"，相对“{baseline}”变化 {eq_change}（{ci}）。"))
        else:
            equal_text = (f" At equal target pay (cost-matched), the best by net contribution is '{eq_name}'" +
                          (" (the current one)." if eq_name == baseline else f", {eq_change} against '{baseline}' ({ci})."))
        numbers.append((tr("best at equal target pay", lang), eq_name if eq_name == baseline else f"{eq_name}: {eq_change}"))
    if lang == "zh":
        if best["best"] == baseline:
            answer = f"保持现状：“{baseline}”的净贡献（营收 − 薪酬 − 管理成本）最高。"
        elif not b["d_net_low"] > 0:
            answer = (f"没有方案明显优于“{baseline}”：最佳估计为“{best['best']}”，净贡献变化 {vs_base}（{ci}），"
                      "区间包含零，暂不建议切换。")
        else:
            answer = f"采用“{best['best']}”：相对“{baseline}”，净贡献变化 {vs_base}（{ci}）。"
        if best.get("same"):
            answer += "".join(f"“{x}”在每次重复模拟中结果与之完全相同（此处两者等价）。" for x in best["same"])
        if best.get("second"):
            answer += (f" 领先第二名“{best['second']}” {margin}；在 {percent(best['p_first'], 0)} 的重复模拟中排名第一"
                       + ("。" if clear else "，差距在统计上尚不明确。"))
        answer += equal_text
        change = ("若第二名的区间与最优方案重叠，更多重复模拟或更小的管理成本差异可能改变排序；"
                  "销售行为（流失、投入度）的假设变化也会影响结论。")
        cav = [f"{replications} 次成对重复模拟（共同随机数）；区间为 {ci}。", *caveats]
        return ExecutiveSummary(question, answer, change, numbers, cav, lang)
    if best["best"] == baseline:
        answer = f"Keep '{baseline}': it has the highest net contribution (revenue − comp − management cost)."
    elif not b["d_net_low"] > 0:
        answer = (f"No {noun} clearly beats '{baseline}' yet: the best estimate is '{best['best']}' with a net "
                  f"contribution change of {vs_base} ({ci}), an interval that includes zero, so do not switch on this "
                  "evidence alone.")
    else:
        answer = f"Move to '{best['best']}': net contribution changes by {vs_base} against '{baseline}' ({ci})."
    if best.get("same"):
        answer += "".join(f" '{x}' gives exactly the same results in every replication (the two work out the same "
                          "here), so it ranks equal." for x in best["same"])
    if best.get("second"):
        answer += (f" It leads the runner-up '{best['second']}' by {margin} and is first in "
                   f"{percent(best['p_first'], 0)} of replications"
                   + ("." if clear else "; the lead is not statistically clear."))
    answer += equal_text
    if clear:
        change = (f"The lead over '{best['second']}' ({margin}) is clear at this number of replications; it would "
                  "change with different management costs, one-off change costs or rep behaviour (attrition, effort) "
                  "than the scenario assumes.")
    else:
        change = (f"The runner-up's interval overlaps the leader's (margin {margin or 'n/a'}): more replications could "
                  "reorder them; different management costs or rep behaviour (attrition, effort) would change the net view.")
    change += (f" The ranking is by net contribution, so a {noun} that buys revenue with pay wins only if the revenue "
               "exceeds the extra pay.")
    cav = [f"{replications} paired replications (common random numbers); intervals are {ci}.", *caveats]
    return ExecutiveSummary(question, answer, change, numbers, cav, lang)


def optimiser_summary(result, replications: int, lang: str = "en") -> ExecutiveSummary:
    """07: the plan the optimiser recommends (its changed fields in business terms), whether it
    meets every constraint, its paired change of net contribution against today with the
    interval, and what would change it (the constraints it misses or nearly reaches)."""
    from salessim.ui.formatting import ci_label, interval, money, path_label, percent, plan_value

    cur = result.recommended.currency
    s = result.comparison.summary().set_index(["scenario", "kpi"])
    net = s.loc[("recommended", "net contribution")]
    ci = ci_label(lang)
    change = interval(net["diff"], net["diff_low"], net["diff_high"], cur, cur, change=True)
    fields = ("；" if lang == "zh" else "; ").join(f"{path_label(k, lang)} {plan_value(k, v, cur)}" for k, v in result.point.items())
    missed = [d for d, _, v in result.evaluation.checks if v > 0]
    today_plan = result.point == result.space.today_point()
    numbers = [(f"{tr('net contribution', lang)} ({tr('recommended', lang)})",
                interval(net["mean"], net["ci_low"], net["ci_high"], cur, cur)),
               (f"{tr('net contribution', lang)} ({tr('today', lang)})", money(s.loc[("today", "net contribution"), "mean"], cur, 2))]
    for kpi in ("comp cost", "cost of sales", "reps at or above quota"):
        if ("recommended", kpi) in s.index:
            r = s.loc[("recommended", kpi)]
            numbers.append((f"{tr(kpi, lang)} ({tr('recommended', lang)} / {tr('today', lang)})",
                            f"{_level(r['mean'], r['unit'], cur)} / {_level(s.loc[('today', kpi), 'mean'], r['unit'], cur)}"))
    sims = result.simulations
    if lang == "zh":
        verdict = "满足全部约束" if not missed else f"未满足 {len(missed)} 项约束（已选违约最小的方案）"
        answer = ("保持现有方案：在约束下没有更好的方案。" if today_plan else
                  f"推荐方案（{verdict}）：{fields}。相对现有方案，净贡献变化 {change}（{ci}）。")
        if not today_plan and not net["diff_low"] > 0:
            answer += "区间包含零：证据尚不足以切换。"
        would = ("未满足的约束：" + "；".join(missed) + "。放宽这些约束或扩大搜索范围会改变推荐。") if missed else \
            "收紧任一约束（尤其是接近上限的约束）、增加模拟预算或改变销售行为假设都可能改变推荐。"
        cav = [f"共 {sims['total']} 次模拟、{sims['candidates']} 个候选方案；最终比较为 {replications} 次成对重复模拟（{ci}）。",
               "约束按谨慎的置信界判断，重复次数少时界限较宽。"]
        return ExecutiveSummary("在财务与销售负责人的约束下，明年应采用哪种薪酬方案？", answer, would, numbers, cav, lang)
    verdict = "meets every constraint" if not missed else f"misses {len(missed)} constraint(s); the least violation found"
    answer = ("Keep today's plan: no plan tried does better under the constraints." if today_plan else
              f"Recommended plan ({verdict}): {fields}. Net contribution changes by {change} against today ({ci}).")
    if not today_plan and not net["diff_low"] > 0:
        answer += " The interval includes zero: not enough evidence to switch on this alone."
    would = (("Constraints missed: " + "; ".join(missed) + ". Relaxing them or widening the search would change the "
              "recommendation.") if missed else
             "Tightening a constraint (especially one near its limit), a larger simulation budget or different rep "
             "behaviour could change the recommendation.")
    cav = [f"{sims['total']} simulations over {sims['candidates']} candidate plans; the final comparison is "
           f"{replications} paired replications ({ci}).",
           f"Constraints are checked at a cautious confidence bound ({percent(0.95, 0)}), wide when replications are few."]
    return ExecutiveSummary("Which comp plan should we pay next year, within the CFO's and the VP of Sales' limits?",
                            answer, would, numbers, cav, lang)


def _level(v: float, unit: str, currency: str) -> str:
    from salessim.ui.formatting import value

    return value(v, unit, currency)
