"""A plan decision from your own export, as people read it (report 08 and ``salessim decide``):
the executive summary computed from a :class:`~salessim.calibrate.decision.PlanDecision` (which
plan, its 95% interval, what would change it, key numbers, caveats) and the decision tables as
text, in English or Chinese. Numbers go through :mod:`salessim.ui.formatting`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from salessim.text_files import CSV_ENCODING
from salessim.ui.formatting import ci_label, count, interval, money, number, percent, text_table
from salessim.ui.i18n import tr
from salessim.ui.summary import ExecutiveSummary

if TYPE_CHECKING:
    from salessim.calibrate.decision import PlanDecision

#: Pay change beyond which a rep counts as a winner or a loser (fraction of today's pay).
THRESHOLD = 0.05


def _checks(d: PlanDecision) -> tuple[int, int]:
    v = d.calibration.validation
    if v is None:
        return 0, 0
    rated = v[v["passed"].notna()]
    return int(rated["passed"].astype(bool).sum()), len(rated)


def _losers(d: PlanDecision, plan: str) -> tuple[int, int]:
    c = d.rep_changes[plan]
    return int((c["change_share"] < -THRESHOLD).sum()), len(c)


def decision_summary(d: PlanDecision, lang: str = "en", stand_in: int | None = None,
                     quota_given: bool = False) -> ExecutiveSummary:
    """The recommendation computed from the run. ``stand_in``: reps of a scaled copy used instead
    of the calibrated organisation (fast mode); ``quota_given``: the company target was set by the user."""
    cur = d.currency
    e = d.economics.set_index(d.economics["design"].astype(str))
    today, rec = d.today, d.recommended
    other = d.rollout()
    r = e.loc[other]
    gain = interval(r["d_net"], r["d_net_low"], r["d_net_high"], cur, cur, change=True)
    net_today = interval(e.loc[today, "net contribution"], e.loc[today, "net_low"], e.loc[today, "net_high"], cur, cur)
    ci = ci_label(lang)
    passed, rated = _checks(d)
    lost, reps = _losers(d, other)
    rpc = number(r["revenue_per_comp"]) if pd.notna(r["revenue_per_comp"]) else None
    rep = d.calibration.crm.report
    source, as_of = Path(rep.source).name, d.calibration.crm.as_of.date()
    n_reps = d.designs[today].org.reps
    from salessim.calibrate.decision import replications_to_separate

    needed = replications_to_separate(r, d.replications)
    if lang == "zh":
        question = f"根据 {source} 校准的销售组织，应继续沿用现行方案“{today}”，还是改用{'、'.join(f'“{p}”' for p in d.proposals)}？"
        if rec != today:
            answer = (f"建议改用“{rec}”：与现行方案相比，净贡献（营收 − 薪酬 − 管理成本）每年变化 {gain}（{ci}），"
                      f"在 {percent(r['p_better'], 0)} 的成对重复模拟中优于现行方案。")
            change = (f"收益区间的下限为 {money(r['d_net_low'], cur, 2)}：若推行新方案的一次性成本（培训、系统、对收入下降销售的补贴）"
                      f"超过该值，或销售对新方案的反应与校准行为不同，结论会改变。{lost} / {reps} 名销售的薪酬将下降超过 5%。")
        else:
            answer = (f"保持现行方案“{today}”：没有方案明显提高净贡献。最佳备选“{other}”的净贡献变化为 {gain}（{ci}），"
                      "区间包含零或低于零。")
            change = (f"若“{other}”的平均收益保持不变，约 {count(needed)} 次重复模拟可使区间不含零（参数 replications）；"
                      if pd.notna(needed) else
                      f"“{other}”使营收变化 {money(r['d_revenue'], cur, 2, signed=True)}、薪酬变化 "
                      f"{money(r['d_comp'], cur, 2, signed=True)}，净贡献未能提高；")
            change += "销售行为假设（流失、投入度）或管理成本的变化也可能改变结论。"
        numbers = [(f"{tr('net contribution', lang)}（{today}）", net_today),
                   (f"{tr('net contribution', lang)}变化（{other}）", gain),
                   (f"每增加 1 美元薪酬带来的增量营收（{other}）", rpc or "无（薪酬未增加）"),
                   (f"薪酬下降超过 5% 的销售（{other}）", f"{lost} / {reps}"),
                   ("校准检验通过", f"{passed} / {rated}")]
        caveats = [f"组织由 {source} 校准（截至 {as_of}，保留 {rep.kept:,} 条商机，隔离 {rep.quarantined:,} 条，{n_reps} 名销售）。",
                   f"{d.replications} 次成对重复模拟（共同随机数）；区间为 {ci}，不含模型参数本身的不确定性。",
                   f"公司年度销售目标 {money(d.company_quota(), cur, 2)}"
                   + ("（用户设定）。" if quota_given else "（按组织正常投入下预期签约额的 85% 设定；可用 quota_target 设为实际目标）。"),
                   "各方案管理成本相同（组织结构不变），排序取决于营收减薪酬。"]
        if not d.calibration.validated:
            caveats.insert(0, f"校准未通过检验（{d.calibration.mismatch or '未运行检验'}），用户已接受不匹配：结果仅供参考。")
        if stand_in:
            caveats.append(f"快速模式：以 {stand_in} 名销售的缩小副本代替完整组织。")
        if d.backtest is not None:
            caveats.append(f"留出期回测（最后几个月）：{'通过' if d.backtest.passed else '未通过'}。")
        return ExecutiveSummary(question, answer, change, numbers, caveats, lang)
    question = (f"Should the organisation in {source} keep today's plan '{today.split(': ', 1)[-1]}' or move to "
                + " or ".join(f"'{p}'" for p in d.proposals) + "?")
    if rec != today:
        answer = (f"Move to '{rec}': net contribution (revenue − comp − management cost) changes by {gain} a year "
                  f"against today's plan ({ci}); it beats today's plan in {percent(r['p_better'], 0)} of paired replications.")
        change = (f"The low end of the gain is {money(r['d_net_low'], cur, 2)}: a one-off cost of rolling the plan out "
                  "(training, systems, a guarantee for reps who lose pay) above that, or reps reacting to the plan "
                  f"differently from the calibrated behaviour, would remove the case. {lost} of {reps} reps would "
                  f"lose more than {THRESHOLD:.0%} of pay: talk to them first.")
    else:
        answer = (f"Keep today's plan: no proposal clearly raises net contribution. The best proposal, '{other}', "
                  f"changes it by {gain} a year ({ci}), an interval that does not lie above zero.")
        change = (f"If '{other}' kept its mean gain, about {count(needed)} replications would separate it from today's "
                  "plan (parameter replications); "
                  if pd.notna(needed) else
                  f"'{other}' changes revenue by {money(r['d_revenue'], cur, 2, signed=True)} and pay by "
                  f"{money(r['d_comp'], cur, 2, signed=True)}: it does not pay for itself; ")
        change += "different rep behaviour (attrition, effort) or management costs than calibrated would change the net view."
    numbers = [(f"net contribution ({today})", net_today),
               (f"change in net contribution ({other})", gain),
               (f"incremental revenue per extra $ of comp ({other})", rpc or "n/a (comp does not rise)"),
               (f"reps losing more than {THRESHOLD:.0%} of pay ({other})", f"{lost} of {reps}"),
               ("calibration checks matched", f"{passed} of {rated}")]
    caveats = [f"The organisation is calibrated from {source} (as of {as_of}; {rep.kept:,} opportunities kept, "
               f"{rep.quarantined:,} quarantined; {n_reps} reps).",
               f"{d.replications} paired replications (common random numbers); intervals are {ci} and leave out "
               "uncertainty in the calibrated parameters themselves.",
               f"Company quota {money(d.company_quota(), cur, 2)} a year"
               + (" (as given)." if quota_given else
                  " (85% of what the calibrated organisation is expected to sell at normal effort; set quota_target "
                  "to your real target)."),
               "Management cost is the same under every plan (same organisation), so the ranking is revenue minus comp."]
    if not d.calibration.validated:
        caveats.insert(0, f"NOT VALIDATED: the calibrated model does not reproduce the export "
                          f"({d.calibration.mismatch or 'no check was run'}); the mismatch was accepted, treat the "
                          "answer as indicative only.")
    if stand_in:
        caveats.append(f"Fast mode: a {stand_in}-rep scaled copy stands in for the organisation.")
    if d.backtest is not None:
        caveats.append(f"Held-out back-test on the last months: {'PASS' if d.backtest.passed else 'FAIL'}.")
    return ExecutiveSummary(question, answer, change, numbers, caveats, lang)


def summary_text(s: ExecutiveSummary) -> str:
    """The executive summary as plain text for a terminal, headed as in the report."""
    t = lambda x: tr(x, s.lang)  # noqa: E731
    lines = [t("Executive summary").upper(), f"{t('Decision')}: {s.question}", f"{t('Answer')}: {s.answer}",
             f"{t('What would change it')}: {s.would_change}", f"{t('Key numbers')}:"]
    width = max(len(k) for k, _ in s.key_numbers)
    lines += [f"  {k:<{width}}  {v}" for k, v in s.key_numbers]
    lines += [f"{t('Caveats')}:", *(f"  - {c}" for c in s.caveats)]
    return "\n".join(lines)


def economics_frame(d: PlanDecision, lang: str = "en") -> pd.DataFrame:
    """The plans' decision economics as text (:func:`salessim.ui.tables.economics_table`), with
    each plan's target pay at 100% of the median quota."""
    from salessim.ui.tables import economics_table

    return economics_table(d.economics, d.currency, d.today, d.target_pay(), lang).data


def rep_changes_frame(d: PlanDecision, plan: str, top: int = 5, lang: str = "en") -> pd.DataFrame:
    """The biggest losers and winners moving from today's plan to ``plan``, as text."""
    from salessim.ui.tables import rep_changes_table

    return rep_changes_table(d.rep_changes[plan], d.currency, top, lang).data


def report_text(d: PlanDecision, lang: str = "en", stand_in: int | None = None, quota_given: bool = False) -> str:
    """Everything ``salessim decide`` prints after the calibration: the summary first, then the
    economics and the winners and losers of the plan to roll out."""
    s = decision_summary(d, lang, stand_in, quota_given)
    plan = d.rollout()
    title = ("各方案的决策经济性" if lang == "zh" else "Decision economics of the plans")
    reps = (f"从现行方案改为“{plan}”：薪酬变化最大的销售" if lang == "zh"
            else f"Moving from today's plan to '{plan}': the reps whose pay changes most")
    return "\n\n".join([summary_text(s), f"{title}:\n{text_table(economics_frame(d, lang))}",
                        f"{reps}:\n{text_table(rep_changes_frame(d, plan, lang=lang))}"])


# ------------------------------------------------------------------------- report 08 tables and charts

_RESULT_COLOURS = {"matches": "color: #2E7D32; font-weight: bold", "pass": "color: #2E7D32; font-weight: bold",
                   "DOES NOT MATCH": "color: #C62828; font-weight: bold", "FAIL": "color: #C62828; font-weight: bold"}


def _translated(frame: pd.DataFrame, first: str, result: str, lang: str):
    """``frame`` with its labels, first column and result words in ``lang``, styled: labels left,
    numbers right, results coloured."""
    colours = {tr(k, lang): v for k, v in _RESULT_COLOURS.items()}
    t = frame.copy()
    t[first] = [tr(v, lang) for v in t[first]]
    t[result] = [tr(v, lang) for v in t[result]]
    if lang == "zh":  # units inside the formatted cells
        t = t.map(lambda v: v.replace(" days", " 天").replace(" to ", " 至 ") if isinstance(v, str) else v)
    t.columns = [tr(c, lang) for c in t.columns]
    head = t.columns[0]
    return (t.style.hide(axis="index").map(lambda v: colours.get(v, "color: #666"), subset=[tr(result, lang)])
            .set_properties(subset=list(t.columns[1:-1]), **{"text-align": "right", "white-space": "nowrap"})
            .set_properties(subset=[head], **{"text-align": "left"})
            .set_table_styles({head: [{"selector": "th", "props": [("text-align", "left")]}]}, overwrite=False))


def _gap(error: float, rate: bool) -> str:
    """A simulated-vs-data gap: points for a rate, a signed percentage otherwise (one minus sign, no −0)."""
    from salessim.ui.formatting import MISSING, points

    if pd.isna(error):
        return ""
    text = points(error) if rate else percent(error, 1, signed=True)
    return "" if text == MISSING else text


def check_table(validation: pd.DataFrame, currency: str = "USD", lang: str = "en"):
    """The simulation against the export (``Calibration.validation``), pass/fail per row, in ``lang``."""
    from salessim.ui.charts.calibration import check_frame

    t = check_frame(validation, currency)
    t["gap"] = [_gap(e, k == "win rate") for e, k in zip(validation["error"], validation["check"], strict=True)]
    return _translated(t, "what", "result", lang)


def backtest_table(table: pd.DataFrame, currency: str = "USD", lang: str = "en"):
    """The held-out back-test (``BacktestResult.table``), pass/fail per row, in ``lang``."""
    from salessim.ui.charts.calibration import backtest_frame

    t = backtest_frame(table, currency)
    kinds = [{"win rate": "rate", "cycle-time KS": "ks", "per-rep bookings KS": "ks"}.get(m, "money") for m in table["metric"]]
    t["error"] = [f"{number(e, 3)} (KS)" if k == "ks" else _gap(e, k == "rate")
                  for e, k in zip(table["error"], kinds, strict=True)]
    return _translated(t, "check", "result", lang)


def won_cycle_chart(cal, lang: str = "en"):
    """The export's won cycle with the calibrated model's on top, labels in ``lang``."""
    from salessim.ui.charts.calibration import won_cycle_overlay

    ax = won_cycle_overlay(cal)
    if lang != "en":
        ax.set(title=f"{tr('days to win', lang)}：{tr('your data', lang)} / {tr('calibrated model', lang)}",
               xlabel=tr("days to win", lang), ylabel=tr("share of won deals", lang))
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, [tr(x, lang) for x in labels])
    return ax


def net_contribution_frame(d: PlanDecision) -> pd.DataFrame:
    """Each plan's net contribution with its interval, shaped like ``Comparison.summary()`` rows."""
    e = d.economics
    return pd.DataFrame({"scenario": e["design"].astype(str), "kpi": "net contribution", "mean": e["net contribution"],
                         "ci_low": e["net_low"], "ci_high": e["net_high"], "unit": d.currency, "n": e["n"]})


def net_contribution_chart(d: PlanDecision, lang: str = "en"):
    """Net contribution per plan (mean of the replications with its 95% interval); today's plan outlined."""
    from salessim.ui.charts.comparisons import design_kpi_chart

    ci = ci_label(lang)
    title = (f"各方案的净贡献（营收 − 薪酬 − 管理成本；均值，{ci}）" if lang == "zh"
             else f"Net contribution per plan: revenue − comp − management cost (mean, {ci})")
    return design_kpi_chart(net_contribution_frame(d), "net contribution", d.currency, title=title,
                            baseline=d.today, lang=lang)


# ------------------------------------------------------------------------- files and the command line


def write_decision(d: PlanDecision, out, text: str | None = None) -> list:
    """The decision's files under ``out``: ``decision.txt`` (when ``text``), ``economics.csv``,
    ``comparison.csv``, ``rep_changes.csv``, ``check.csv``, ``backtest.csv`` (with a back-test),
    ``calibrated.yaml`` and its quarantine. Returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    if text is not None:
        (out / "decision.txt").write_text(text + "\n", encoding="utf-8")
        files.append(out / "decision.txt")
    d.economics.to_csv(out / "economics.csv", index=False, encoding=CSV_ENCODING)
    d.summary.to_csv(out / "comparison.csv", index=False, encoding=CSV_ENCODING)
    pd.concat([c.assign(proposal=p) for p, c in d.rep_changes.items()], ignore_index=True).to_csv(
        out / "rep_changes.csv", index=False, encoding=CSV_ENCODING)
    files += [out / "economics.csv", out / "comparison.csv", out / "rep_changes.csv"]
    if d.calibration.validation is not None:
        d.calibration.validation.to_csv(out / "check.csv", index=False, encoding=CSV_ENCODING)
        files.append(out / "check.csv")
    if d.backtest is not None:
        d.backtest.table.to_csv(out / "backtest.csv", index=False, encoding=CSV_ENCODING)
        files.append(out / "backtest.csv")
    files += list(d.calibration.write(out / "calibrated.yaml", accept_mismatch=True))
    return files


def _cli_path(path, root) -> str:
    """``path`` relative to the project folder ``root`` when inside it, else its file name."""
    import os

    p, r = Path(path).resolve(), Path(root).resolve()
    return Path(os.path.relpath(p, r)).as_posix() if p.is_relative_to(r) else p.name


def cli_command(export, today, proposals, root, preset: str | None = None, mapping=None, base=None,
                replications: int = 10, seed: int = 0, refine: int = 2, quota_target: float | None = None,
                backtest_months: int = 0, accept_mismatch: bool = False, lang: str = "en") -> str:
    """The ``salessim decide`` command equivalent to a report 08 run (paths relative to ``root``)."""
    parts = ["salessim decide", _cli_path(export, root)]
    parts += [f"--mapping {_cli_path(mapping, root)}"] if mapping else ([f"--preset {preset}"] if preset else [])
    parts += [f"--today {_cli_path(today, root)}", *(f"--proposal {_cli_path(p, root)}" for p in proposals)]
    parts += [f"--base {_cli_path(base, root)}"] if base else []
    parts += [f"--quota-target {quota_target:.0f}"] if quota_target else []
    parts += [f"--backtest {backtest_months}"] if backtest_months else []
    parts += [f"--refine {refine}"] if refine != 2 else []
    parts += [f"-n {replications} --seed {seed}"] + (["--accept-mismatch"] if accept_mismatch else [])
    parts += [f"--lang {lang}"] if lang != "en" else []
    return " ".join(parts + ["--out reports/decision"])


def _yaml(value) -> str:
    """A parameter value as ``salessim report -p`` reads it (YAML), quoted for a shell."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "'[" + ", ".join(str(v) for v in value) + "]'"
    return str(value)


def report_command(given: dict, defaults: dict, root) -> str:
    """The ``salessim report 08`` command for the parameters that differ from the notebook's
    defaults (paths relative to the project folder ``root``)."""
    def show(v):
        if isinstance(v, str) and ("/" in v) and Path(v).exists():
            return _cli_path(v, root)
        if isinstance(v, (list, tuple)):
            return [show(x) for x in v]
        return v

    flags = [f"-p {k} {_yaml(show(v))}" for k, v in given.items() if k != "out" and defaults.get(k, object()) != v]
    return " ".join(["salessim report 08", *flags, "--out reports/"])
