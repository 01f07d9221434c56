"""The scenario explorer: sliders and dropdowns for a few decisions, a small replication set
re-run on every change, and the comparison with today redrawn (ipywidgets; served as a
dashboard by ``salessim dashboard`` through Voila).

The explorer simulates a scaled-down copy of the organisation (``reps`` reps; accounts and lead
volume in proportion, so each rep keeps the same book and workload) and scales its totals
(money, deals, leads, customers: :data:`ORG_TOTALS`) up to the real organisation by
``full reps / copy reps``; per-rep, per-deal and rate KPIs are shown as simulated. Rates change
in percentage points. Net contribution = revenue - comp cost - management cost (currency a year).

Untouched controls are today's scenario: the variant *is* the baseline (no re-simulation, every
change exactly zero). Each setting's replication set is cached, so returning to a setting is
instant. Replications run in this process (the runner's serial executor): on two cores a warm
in-process run is cheaper than shipping results back from worker processes.

Controls are data (:class:`Control`). The explorer takes its control providers explicitly
(``providers=``, default :data:`DEFAULT_PROVIDERS`: core decisions, comp plan, org structure);
a module adds its own by passing ``providers=(*DEFAULT_PROVIDERS, its_provider)``. A provider
takes the full-size scenario and returns controls, each mapping its widget value to overrides.

Replications run through the experiments runner (:func:`salessim.analysis.replicate`) and the
comparison's intervals come from :func:`salessim.experiments.statistics.confidence_interval`.
"""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import matplotlib.pyplot as plt
import pandas as pd

from salessim.analysis import (
    ReplicationSet,
    find_bottleneck,
    funnel_table,
    paired_kpi_differences,
    replicate,
    scale_scenario,
)
from salessim.errors import SalessimError
from salessim.experiments import statistics
from salessim.experiments.store import scenario_yaml
from salessim.scenario import Scenario, load_scenario
from salessim.ui.charts.style import translate_figure
from salessim.ui.formatting import money
from salessim.ui.i18n import check_lang, tr

#: KPIs that are totals of the organisation: scaled from the copy to the real org size.
ORG_TOTALS = frozenset({
    "revenue", "deals won", "leads", "revenue lost to discounts", "deals pulled in", "deals pushed out",
    "vacancy months", "management cost", "partner margin paid", "comp cost", "net contribution",
    "new customers", "customers at horizon", "customers churned", "expansion bookings",
    "customer revenue recognised"})
#: The money lines the explorer leads with (currency a year, real org size).
MONEY_KPIS = ["revenue", "comp cost", "management cost", "net contribution"]
#: KPIs the explorer's chart shows, as % change (rates are in the table, in percentage points).
CHART_KPIS = ["revenue", "net contribution", "comp cost", "deals won", "average deal size",
              "median sales cycle (won)", "pipeline coverage"]
#: KPIs the explorer's table shows, when the simulation reports them (in this order).
TABLE_KPIS = [*MONEY_KPIS, "deals won", "win rate (qualified)", "average deal size", "median sales cycle (won)",
              "pipeline coverage", "capacity utilisation", "leads", "cost of sales incl. management",
              "reps at or above quota", "attainment median", "annual rep attrition", "revenue lost to discounts"]
#: Which way is good for the chart's colours (more is better unless listed; ``None``: neither).
DIRECTION = {"comp cost": False, "management cost": False, "net contribution": True}


@dataclass(frozen=True)
class Control:
    """One decision the explorer exposes.

    ``kind``: ``int``/``float`` slider, ``percent`` slider (value a fraction, shown as %),
    ``choice`` dropdown (``options``: label -> value) or ``check`` box (a bool). ``overrides(value, base)`` turns the widget
    value into scenario overrides (dotted paths) on the scaled ``base`` scenario.
    """

    key: str
    label: str
    kind: Literal["int", "float", "percent", "choice", "check"]
    value: Any
    overrides: Callable[[Any, Scenario], dict[str, Any]]
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    help: str = ""

    def widget(self, lang: str = "en"):
        """The ipywidget of this control, its label and option names in ``lang``."""
        import ipywidgets as w

        style = {"description_width": "190px"}
        layout = w.Layout(width="100%")
        tip = self.help if lang == "en" else ""
        common = dict(description=_label(self.label, lang), style=style, layout=layout, tooltip=tip)
        if self.kind == "choice":
            options = [(_label(k, lang), v) for k, v in self.options.items()]
            wd = w.Dropdown(options=options, value=self.value, **common)
        elif self.kind == "check":
            wd = w.Checkbox(value=bool(self.value), indent=True, **common)
        elif self.kind == "int":
            wd = w.IntSlider(value=self.value, min=self.min, max=self.max, step=self.step or 1,
                             continuous_update=False, **common)
        else:
            fmt = ".0%" if self.kind == "percent" else ".1f"
            wd = w.FloatSlider(value=self.value, min=self.min, max=self.max, step=self.step or 0.01,
                               readout_format=fmt, continuous_update=False, **common)
        wd.add_class(f"salessim-control-{self.key}")
        return wd


def _label(text: str, lang: str) -> str:
    """A control label or option name in ``lang`` (a translated prefix keeps the name after it)."""
    out = tr(text, lang)
    if lang == "zh" and out != text and out.endswith(")") and "（" in out:
        out = out[:-1] + "）"
    return out


def _set(path: str) -> Callable[[Any, Scenario], dict[str, Any]]:
    return lambda v, _base: {path: v}


def core_controls(scenario: Scenario) -> list[Control]:
    """Headcount, selling time, lead volume, deal slippage, hiring freeze and each stage's conversion."""
    org, funnel = scenario.org, scenario.funnel
    controls = [
        Control("headcount", "Headcount (% of today)", "percent", 1.0,
                lambda v, b: {"org.reps": max(1, round(b.org.reps * v))}, 0.5, 1.5, 0.05,
                help=f"today: {org.reps} reps"),
        Control("weekly_hours", "Selling hours per rep / week", "float", float(org.weekly_hours),
                _set("org.weekly_hours"), 10.0, 60.0, 1.0,
                help="hours a rep sells per week after admin, meetings and travel"),
        Control("lead_volume", "Lead volume (% of today)", "percent", 1.0,
                lambda v, b: {"market.leads_per_year": b.market.leads_per_year * v}, 0.5, 2.0, 0.05,
                help=f"today: {scenario.market.leads_per_year:,.0f} leads a year"),
        Control("slip_loss", "Deals lost / idle week", "percent", float(funnel.slip_loss_per_week),
                _set("funnel.slip_loss_per_week"), 0.0, 0.5, 0.01,
                help="chance a deal no rep had time for walks away, per week"),
        Control("hiring_freeze", "Hiring freeze", "choice", bool(scenario.staffing.hiring.freeze),
                _set("staffing.hiring.freeze"), options={"no: refill vacancies": False, "yes: leave them open": True},
                help="whether reps who leave are replaced"),
    ]
    for i, stage in enumerate(funnel.stages):
        controls.append(Control(
            f"conversion_{i}", f"Conversion: {stage.name}", "percent", float(stage.conversion),
            _set(f"funnel.stages.{i}.conversion"), 0.05, 1.0, 0.01,
            help=f"share of deals leaving '{stage.name}' that move on"))
    return controls


def plans_folder() -> Path | None:
    """The example comp plans: ``data/plans`` seen from the current folder (the project or
    ``notebooks/``) or from the package's checkout."""
    here = Path.cwd()
    for candidate in (here / "data" / "plans", here.parent / "data" / "plans",
                      Path(__file__).resolve().parents[2] / "data" / "plans"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    return None


def plan_controls(scenario: Scenario) -> list[Control]:
    """A dropdown of comp plans: today's (the scenario's), none, and every plan in
    :func:`plans_folder`, labelled with the plan's name. A plan file that does not load is an
    error naming the file (not silently left out)."""
    from salessim.comp import load_plan

    options: dict[str, Any] = {}
    if scenario.plan is not None:
        options[f"Today's plan ({scenario.plan.name})"] = scenario.plan
    options["No comp plan (normal pace)"] = None
    folder = plans_folder()
    for path in sorted(folder.glob("*.yaml")) if folder else []:
        try:
            plan = load_plan(path)
        except SalessimError as e:
            raise SalessimError(f"explorer: {e}") from None
        if plan != scenario.plan:
            label = plan.name[:1].upper() + plan.name[1:]
            options[label if label not in options else f"{label} ({path.stem})"] = plan
    if len(options) == 1:
        return []
    controls = [Control("plan", "Comp plan", "choice", scenario.plan, _set("plan"), options=options,
                        help="the plan reps are paid on; they respond to it (effort, deal timing, attrition)")]
    if scenario.plan is not None:  # the explorer rescales the chosen plan (ScenarioExplorer.overrides)
        controls.append(Control(
            EQUAL_PAY, "at today's target pay", "check", False, lambda _v, _b: {},
            help="scale the chosen plan's money so a typical rep at 100% of quota earns what today's plan pays"))
    return controls


#: The key of the plan dropdown's "at today's target pay" box.
EQUAL_PAY = "equal_pay"


#: Org structures as a sales leader names them (``org.structure`` values).
STRUCTURES = {"line": "Line (one flat team)", "regional": "Regional managers",
              "matrix": "Matrix (specialist overlay)", "channel": "Channel partners",
              "key_account": "Key accounts + low-touch"}


def org_controls(scenario: Scenario) -> list[Control]:
    """A dropdown of org structures; each keeps the scenario's design settings for it."""
    options = {label: value for value, label in STRUCTURES.items()}
    return [Control("structure", "Org structure", "choice", scenario.org.structure, _set("org.structure"),
                    options=options, help="who works which deals, overlays, partners; see docs/org_structures.md")]


Provider = Callable[[Scenario], list[Control]]
#: The explorer's default control providers (a tuple: pass your own ``providers=`` to extend it).
DEFAULT_PROVIDERS: tuple[Provider, ...] = (core_controls, plan_controls, org_controls)


#: The environment variable ``salessim dashboard --lang`` passes the language in to the served notebook.
LANG_VARIABLE = "SALESSIM_DASHBOARD_LANG"

#: At most this many saved scenarios are compared side by side.
MAX_SAVED = 3


def in_voila() -> bool:
    """True when the notebook is being served by Voila (it sets ``VOILA_KERNEL_ID``)."""
    return "VOILA_KERNEL_ID" in os.environ


@dataclass(frozen=True)
class OrgRuns:
    """A replication set's KPIs at the real organisation's size: :data:`ORG_TOTALS` multiplied
    by ``factor`` (full reps / copy reps), plus ``net contribution`` (revenue - comp cost -
    management cost per replication; n/a without a comp plan). Duck-types the
    :class:`ReplicationSet` that :func:`paired_kpi_differences` reads."""

    runs: ReplicationSet
    factor: float

    @property
    def seed(self) -> int:
        return self.runs.seed

    @property
    def results(self):
        return self.runs.results

    def kpis(self) -> pd.DataFrame:
        k = self.runs.kpis()
        k = k.assign(value=k["value"].where(~k["kpi"].isin(ORG_TOTALS), k["value"] * self.factor))
        wide = k.pivot(index="replication", columns="kpi", values="value")
        net = (wide["revenue"] - wide.get("comp cost", float("nan")) - wide.get("management cost", 0.0))
        unit = k.loc[k["kpi"] == "revenue", "unit"].iloc[0]
        extra = pd.DataFrame({"replication": net.index, "kpi": "net contribution", "value": net.to_numpy(),
                              "unit": unit})
        return pd.concat([k, extra], ignore_index=True)


@dataclass(frozen=True)
class Saved:
    """A setting saved as a named scenario: its YAML file and its comparison with today."""

    name: str
    path: Path
    differences: pd.DataFrame


def format_value(value: float, unit: str, currency: str, lang: str = "en") -> str:
    """A KPI value as a sales leader reads it (``$149.1M``, ``23.6%``, ``66 days``, ``1.58x``)."""
    if pd.isna(value):
        return tr("n/a", lang)
    if unit == currency:
        return money(value, currency)
    if unit == "%":
        return f"{value:.1%}"
    if unit == "days":
        return f"{value:,.0f} 天" if lang == "zh" else f"{value:,.0f} days"
    if unit.startswith("x "):
        return f"{value:.2f}x"
    if unit == "x normal":
        return f"{value:.2f} 倍正常水平" if lang == "zh" else f"{value:.2f}x normal"
    return f"{value:,.0f}"


def format_change(d: pd.Series, currency: str, lang: str = "en") -> str:
    """A paired difference with its interval: rates in percentage points (``-1.2 pt``), money as
    money, counts and days as numbers, each with the relative change; exactly zero as ``no change``."""
    if pd.isna(d.difference):
        return tr("n/a", lang)
    if d.difference == 0 and d.ci_low == 0 and d.ci_high == 0:
        return tr("no change", lang)
    pt = " 个百分点" if lang == "zh" else " pt"
    if d.unit == "%":
        return f"{_signed(d.difference * 100, '.1f')}{pt} [{_signed(d.ci_low * 100, '.1f')}, {_signed(d.ci_high * 100, '.1f')}]"
    if d.unit == currency:
        text = f"{_signed_money(d.difference, currency)} [{_signed_money(d.ci_low, currency)}, {_signed_money(d.ci_high, currency)}]"
    elif d.unit.startswith("x"):
        text = f"{_signed(d.difference, '.2f')} [{_signed(d.ci_low, '.2f')}, {_signed(d.ci_high, '.2f')}]"
    else:
        unit = (" 天" if lang == "zh" else " days") if d.unit == "days" else ""
        text = f"{_signed(d.difference, ',.0f')}{unit} [{_signed(d.ci_low, ',.0f')}, {_signed(d.ci_high, ',.0f')}]"
    return text + (f" ({_signed(d.relative * 100, '.1f')}%)" if pd.notna(d.relative) else "")


def _signed(v: float, fmt: str) -> str:
    text = format(abs(v), fmt)
    return ("−" if v < 0 and float(text.replace(",", "")) != 0 else "+") + text


def _signed_money(v: float, currency: str) -> str:
    text = money(abs(v), currency)
    return ("−" if v < 0 and text != money(0, currency) else "+") + text


class ScenarioExplorer:
    """Today vs the scenario the controls describe, on a scaled copy scaled back to the real org,
    redrawn on change."""

    def __init__(self, scenario: Scenario | str, replications: int = 3, seed: int = 0, reps: int = 20,
                 changes: dict[str, Any] | None = None, auto_update: bool = True,
                 providers: Sequence[Provider] = DEFAULT_PROVIDERS, save_to: str | Path = "scenarios",
                 lang: str = "en"):
        self.lang = check_lang(lang)
        if self.lang != "en":  # charts need the CJK font (and their texts translated when shown)
            from salessim.ui.charts.style import use_style

            use_style(self.lang)
        full = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.full = full
        self.base = scale_scenario(full, min(reps, full.org.reps))
        self.factor = full.org.reps / self.base.org.reps
        self.replications, self.seed = replications, seed
        self.save_to = Path(save_to)
        self.controls = [c for provider in providers for c in provider(full)]
        keys = {c.key for c in self.controls}
        unknown = set(changes or {}) - keys
        if unknown:
            raise SalessimError(f"explorer changes: unknown control(s) {sorted(unknown)}; known: {sorted(keys)}")
        self.values = {c.key: (changes or {}).get(c.key, c.value) for c in self.controls}
        self._target: tuple[float, float] | None = None
        self._matched: dict[str, Any] = {}
        self.baseline: ReplicationSet = replicate(self.base, replications, seed, executor="serial")
        self._cache: dict[str, ReplicationSet] = {self._key({}): self.baseline}
        self.variant: ReplicationSet | None = None
        self.differences: pd.DataFrame | None = None
        self.saved: list[Saved] = []
        self.error: str | None = None
        self.bottleneck = None  # the funnel's bottleneck with these settings, when shown
        self.elapsed = 0.0
        self._auto = auto_update
        self._ui = None
        self.update()

    # ---------------------------------------------------------------- model side (no widgets)

    def overrides(self, scenario: Scenario | None = None) -> dict[str, Any]:
        """Scenario overrides (dotted paths) of every control moved away from today, computed on
        ``scenario`` (default the scaled copy)."""
        out: dict[str, Any] = {}
        for c in self.controls:
            if self.values[c.key] != c.value:
                out.update(c.overrides(self.values[c.key], scenario or self.base))
        if self.values.get(EQUAL_PAY) and out.get("plan") is not None:
            out["plan"] = self.at_target_pay(out["plan"])
        return out

    def target_pay(self) -> tuple[float, float]:
        """Today's target pay: what today's plan pays a year (currency) at 100% of the typical
        annual quota (the median rep seat's quota over the baseline replications, a year), and that quota."""
        if self._target is None:
            from salessim.comp.scaling import pay_at

            quotas = []
            for r in self.baseline.results:
                led = r.ledger
                months = led["month"].nunique() or 1
                quotas.append(led.groupby("rep", observed=True)["quota"].sum() * 12 / months)
            quota = float(pd.concat(quotas).median())
            self._target = (pay_at(self.full.plan, quota), quota)
        return self._target

    def at_target_pay(self, plan):
        """``plan`` with its money scaled (:func:`salessim.comp.scaling.cost_matched`) so that it
        pays today's target pay (:meth:`target_pay`) at 100% of the typical quota; cached."""
        from salessim.comp.scaling import cost_matched

        if plan == self.full.plan:
            return plan
        key = repr(plan)
        if key not in self._matched:
            pay, quota = self.target_pay()
            self._matched[key] = cost_matched(plan, pay, quota)
        return self._matched[key]

    def variant_scenario(self) -> Scenario:
        """The scaled scenario with every control's overrides applied."""
        return load_scenario(self.base, **self.overrides())

    def full_scenario(self, name: str | None = None) -> Scenario:
        """The real-size scenario with these settings (what :meth:`save` writes)."""
        extra = {"name": name} if name else {}
        return load_scenario(self.full, **self.overrides(self.full), **extra)

    @staticmethod
    def _key(overrides: dict[str, Any]) -> str:
        return repr(sorted(overrides.items()))

    def update(self, **values: Any) -> pd.DataFrame | None:
        """Set control values (by key), re-run the variant (or take it from the cache) and
        recompute the comparison."""
        self.values.update(values)
        if self._ui is not None:
            self._status.value = (f"<b>Simulating {self.replications} replications with your settings…</b>"
                                  if self.lang == "en" else f"<b>正在按您的设置进行 {self.replications} 次重复模拟…</b>")
        t0 = time.perf_counter()
        try:
            overrides = self.overrides()
            key = self._key(overrides)
            if key not in self._cache:
                self._cache[key] = replicate(load_scenario(self.base, **overrides), self.replications,
                                             self.seed, executor="serial")
            self.variant = self._cache[key]
            self.differences = paired_kpi_differences(OrgRuns(self.baseline, self.factor),
                                                      OrgRuns(self.variant, self.factor))
            self.error = None
        except SalessimError as e:
            self.error = str(e)
        except Exception as e:  # a dashboard must survive a model bug: show it, keep the last result
            self.error = f"{type(e).__name__}: {e} (a bug: please report it with these settings)"
        self.elapsed = time.perf_counter() - t0
        if self._ui is not None:
            self._redraw()
        return self.differences

    @property
    def untouched(self) -> bool:
        """Whether every control is at today's value (the comparison is then exactly zero)."""
        return not self.overrides()

    def headline(self) -> str:
        """One sentence: revenue and net contribution a year at the real org size, with the
        change and its confidence interval."""
        if self.lang == "zh":
            return self._headline_zh()
        if self.error:
            return f"Cannot simulate these settings: {self.error}"
        d = self.differences.set_index("kpi")
        cur = self.base.currency
        rev, net = d.loc["revenue"], d.loc["net contribution"]
        if self.untouched:
            net_text = "" if pd.isna(net.baseline) else f", net contribution {money(net.baseline, cur)}"
            return (f"Today's settings: revenue {money(rev.baseline, cur)} a year{net_text}. "
                    "Move a control to compare.")
        ci = f"{statistics.LEVEL:.0%} CI {_signed(rev.relative_ci_low * 100, '.1f')}% to {_signed(rev.relative_ci_high * 100, '.1f')}%"
        if rev.ci_low > 0 or rev.ci_high < 0:
            verdict = "higher" if rev.difference > 0 else "lower"
            text = (f"Revenue is {abs(rev.relative):.1%} {verdict} than today: {money(rev.variant, cur)} a year "
                    f"instead of {money(rev.baseline, cur)} ({ci}).")
        else:
            text = f"No clear revenue change: {_signed(rev.relative * 100, '.1f')}% ({ci})."
        if pd.notna(net.difference):
            text += f" Net contribution {format_change(net, cur)}."
        return text + self._equal_pay_note()

    def _equal_pay_note(self) -> str:
        """The sentence saying the chosen plan was rescaled to today's target pay (empty if not)."""
        plan = self.overrides().get("plan")
        if not self.values.get(EQUAL_PAY) or plan is None or plan == self.full.plan:
            return ""
        from salessim.comp.scaling import pay_at

        pay, quota = self.target_pay()
        cur = self.base.currency
        if self.lang == "zh":
            return f"所选方案已按比例调整，使典型销售（年度目标 {money(quota, cur)}）在 100% 达成时的薪酬等于现行方案的 {money(pay, cur)}。"
        return (f" The chosen plan is scaled so a typical rep ({money(quota, cur)} quota) earns today's "
                f"{money(pay_at(plan, quota), cur)} at 100%.")

    def _headline_zh(self) -> str:
        if self.error:
            return f"无法模拟这些设置：{self.error}"
        d = self.differences.set_index("kpi")
        cur = self.base.currency
        rev, net = d.loc["revenue"], d.loc["net contribution"]
        if self.untouched:
            net_text = "" if pd.isna(net.baseline) else f"，净贡献 {money(net.baseline, cur)}"
            return f"现状设置：年营收 {money(rev.baseline, cur)}{net_text}。调整任一控件即可比较。"
        ci = (f"{statistics.LEVEL:.0%} 置信区间 {_signed(rev.relative_ci_low * 100, '.1f')}% 至 "
              f"{_signed(rev.relative_ci_high * 100, '.1f')}%")
        if rev.ci_low > 0 or rev.ci_high < 0:
            verdict = "高" if rev.difference > 0 else "低"
            text = (f"营收比现状{verdict} {abs(rev.relative):.1%}：每年 {money(rev.variant, cur)}，"
                    f"现状为 {money(rev.baseline, cur)}（{ci}）。")
        else:
            text = f"营收无明显变化：{_signed(rev.relative * 100, '.1f')}%（{ci}）。"
        if pd.notna(net.difference):
            text += f"净贡献 {format_change(net, cur, 'zh')}。"
        return text + self._equal_pay_note()

    def comparison_frame(self, differences: pd.DataFrame | None = None) -> pd.DataFrame:
        """The comparison of :data:`TABLE_KPIS` as text: KPI, today, your settings, change [95% CI]."""
        d = (self.differences if differences is None else differences).set_index("kpi")
        cur = self.base.currency
        lang = self.lang
        change = f"change [{statistics.LEVEL:.0%} CI]" if lang == "en" else f"变化 [{statistics.LEVEL:.0%} 置信区间]"
        rows = [{tr("KPI", lang): tr(k, lang), _today(lang): format_value(d.loc[k, "baseline"], d.loc[k, "unit"], cur, lang),
                 tr("your settings", lang): format_value(d.loc[k, "variant"], d.loc[k, "unit"], cur, lang),
                 change: tr("no change", lang) if self.untouched and differences is None else format_change(d.loc[k], cur, lang)}
                for k in TABLE_KPIS if k in d.index]
        return pd.DataFrame(rows)

    def comparison_table(self) -> str:
        """:meth:`comparison_frame` as an HTML table."""
        return self.comparison_frame().to_html(index=False, classes="salessim-table", border=0, escape=True)

    def comparison_chart(self, ax=None):
        """Relative change of :data:`CHART_KPIS` with their confidence intervals."""
        from salessim.ui import charts as viz

        have = set(self.differences.dropna(subset=["relative"])["kpi"])
        kpis = [k for k in CHART_KPIS if k in have]
        title = (f"Change vs today, % ({statistics.LEVEL:.0%} CI; rates in the table)" if self.lang == "en" else
                 f"相对现状的变化，%（{statistics.LEVEL:.0%} 置信区间；比率见表格）")
        ax = viz.kpi_comparison_chart(self.differences, kpis, ax=ax, higher_is_better=DIRECTION, title=title)
        if self.lang != "en":  # category ticks get their text only when drawn: name them in ``lang`` now
            ax.set_yticks(ax.get_yticks(), [tr(k, self.lang) for k in kpis])
            translate_figure(ax.figure, self.lang)
        return ax

    def save(self, name: str) -> Saved:
        """Write these settings as a real-size scenario YAML named ``name`` into ``save_to`` and
        keep its comparison for :meth:`saved_table` (the oldest of more than :data:`MAX_SAVED` drops out)."""
        label = " ".join(name.split())
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", label).strip("_").lower()
        if not stem:
            raise SalessimError("save: give the scenario a name (letters or digits)")
        if self.error or self.differences is None:
            raise SalessimError("save: these settings do not simulate; change them first")
        self.save_to.mkdir(parents=True, exist_ok=True)
        path = self.save_to / f"{stem}.yaml"
        path.write_text(scenario_yaml(self.full_scenario(label)), encoding="utf-8")
        entry = Saved(label, path, self.differences)
        self.saved = [s for s in self.saved if s.name != label][-(MAX_SAVED - 1):] + [entry]
        return entry

    def saved_frame(self) -> pd.DataFrame:
        """Today and each saved scenario side by side: one column each, a value per KPI (real org)."""
        cur = self.base.currency
        first = self.saved[0].differences.set_index("kpi")
        kpis = [k for k in TABLE_KPIS if k in first.index]
        lang = self.lang
        out = pd.DataFrame({tr("KPI", lang): [tr(k, lang) for k in kpis],
                            _today(lang): [format_value(first.loc[k, "baseline"], first.loc[k, "unit"], cur, lang)
                                           for k in kpis]})
        for s in self.saved:
            d = s.differences.set_index("kpi")
            out[s.name] = [format_value(d.loc[k, "variant"], d.loc[k, "unit"], cur, lang) for k in kpis]
        return out

    def intro(self) -> str:
        """What the numbers are (HTML): org size, the copy and its scaling, replications."""
        if self.lang == "zh":
            return (f"<p><b>{html.escape(self.full.name)}</b>：{self.full.org.reps} 名销售。在按比例缩小的 "
                    f"{self.base.org.reps} 人副本上模拟（客户与线索同比例缩放）；总量（金额、单数、线索）"
                    f"按 ×{self.factor:g} 放大到整个组织。每个设置 {self.replications} 次重复模拟，每次与现状使用"
                    f"相同的随机抽样成对比较；{statistics.LEVEL:.0%} 置信区间。比率的变化以百分点表示。"
                    "净贡献 = 营收 − 薪酬成本 − 管理成本（每年）。</p>")
        return (f"<p><b>{html.escape(self.full.name)}</b>: {self.full.org.reps} reps. Simulated on a "
                f"{self.base.org.reps}-rep copy (accounts and leads in proportion); totals (money, deals, "
                f"leads) are scaled ×{self.factor:g} to the whole organisation. {self.replications} replications "
                f"per setting, each paired with today's on the same random draws; {statistics.LEVEL:.0%} "
                "confidence intervals. Rates change in percentage points (pt). Net contribution = revenue − "
                "comp cost − management cost, a year.</p>")

    def snapshot_html(self) -> str:
        """The explorer's intro and headline without widgets (exported reports show this; the
        notebook's static cell adds the chart and the table)."""
        return f"<div class='salessim-snapshot'>{self.intro()}<h3>{html.escape(self.headline(), quote=False)}</h3></div>"

    def _repr_mimebundle_(self, **kwargs):
        """The widget where a front end renders widgets (JupyterLab, Voila), a static snapshot
        elsewhere (an exported HTML report)."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        return {**bundle, "text/html": self.snapshot_html()}

    # ---------------------------------------------------------------- widgets

    @property
    def widget(self):
        """The dashboard (built on first use)."""
        if self._ui is None:
            self._build()
        return self._ui

    def _build(self) -> None:
        import ipywidgets as w

        self._widgets = {}
        for c in self.controls:
            wd = c.widget(self.lang)
            wd.value = self.values[c.key]
            wd.observe(self._on_change(c.key), names="value")
            self._widgets[c.key] = wd
        t = lambda text: tr(text, self.lang)  # noqa: E731
        reset = w.Button(description=t("Back to today"), icon="undo", tooltip="reset every control")
        reset.add_class("salessim-reset")
        reset.on_click(lambda _b: self._reset())
        self._name = w.Text(placeholder=("name these settings, e.g. Hire 10 more reps" if self.lang == "en"
                                         else "为这些设置命名，例如 hire_10_more"),
                            layout=w.Layout(width="100%"))
        self._name.add_class("salessim-save-name")
        save = w.Button(description=t("Save as scenario"), icon="save",
                        tooltip=f"write a scenario YAML (real org size) and compare up to {MAX_SAVED} side by side")
        save.add_class("salessim-save")
        save.on_click(lambda _b: self._save())
        self._saved = w.HTML()
        self._saved.add_class("salessim-saved")
        self._status = w.HTML()
        self._status.add_class("salessim-status")
        self._headline = w.HTML()
        self._headline.add_class("salessim-headline")
        self._money = w.HTML()
        self._money.add_class("salessim-money")
        self._table = w.HTML()
        self._table.add_class("salessim-comparison")
        self._chart = w.Output()
        self._chart.add_class("salessim-chart")
        self._funnel = w.Output()
        self._funnel.add_class("salessim-funnel")
        self._show_funnel = w.ToggleButton(value=False, description=t("Show the funnel and its bottleneck"),
                                           icon="filter", layout=w.Layout(width="auto"),
                                           tooltip="one more simulation per update (the run without walk-aways)")
        self._show_funnel.add_class("salessim-show-funnel")
        self._show_funnel.observe(lambda _c: self._draw_funnel(), names="value")
        style = w.HTML(STYLE)
        controls = w.VBox([*self._widgets.values(), reset, w.HTML(f"<b>{t('Save and compare')}</b>"), self._name, save],
                          layout=w.Layout(flex="0 0 500px", width="500px", padding="0 16px 0 0"))
        results = w.VBox([self._status, self._headline, self._money, self._chart, self._table, self._saved,
                          self._show_funnel, self._funnel], layout=w.Layout(flex="1 1 auto", min_width="0"))
        self._ui = w.VBox([style, w.HTML(self.intro()), w.HBox([controls, results])])
        self._redraw()

    def _on_change(self, key: str):
        def handler(change):
            if self._auto:
                self.update(**{key: change["new"]})
            else:
                self.values[key] = change["new"]
        return handler

    def _reset(self) -> None:
        auto, self._auto = self._auto, False
        for c in self.controls:
            self._widgets[c.key].value = c.value
        self._auto = auto
        self.update(**{c.key: c.value for c in self.controls})

    def _save(self) -> None:
        try:
            entry = self.save(self._name.value)
        except SalessimError as e:
            self._saved.value = f"<p class='salessim-error'>{html.escape(str(e))}</p>"
            return
        self._name.value = ""
        saved = "已保存" if self.lang == "zh" else "Saved"
        self._draw_saved(f"{saved} <code>{html.escape(str(entry.path))}</code>.")

    def _draw_saved(self, note: str = "") -> None:
        if not self.saved:
            self._saved.value = ""
            return
        table = self.saved_frame().to_html(index=False, classes="salessim-table", border=0)
        title = ("Saved scenarios side by side (real org, a year)" if self.lang == "en"
                 else "已保存情景对比（实际组织规模，每年）")
        self._saved.value = (f"<h4>{title}</h4>{table}"
                             f"<p><small>{note}</small></p>")

    def _money_lines(self) -> str:
        d = self.differences.set_index("kpi")
        cur = self.base.currency
        cells = "".join(
            f"<div class='salessim-kpi'><div class='salessim-kpi-name'>{tr(k, self.lang)}</div>"
            f"<div class='salessim-kpi-value'>{format_value(d.loc[k, 'variant'], d.loc[k, 'unit'], cur, self.lang)}</div>"
            f"<div class='salessim-kpi-change'>{self._tile_change(d.loc[k])}</div></div>"
            for k in MONEY_KPIS if k in d.index)
        return f"<div class='salessim-kpis'>{cells}</div>"

    def _tile_change(self, d: pd.Series) -> str:
        """A KPI tile's change: the difference and % on one line, its interval on the next."""
        cur, lang = self.base.currency, self.lang
        if self.untouched:
            return tr("today's settings", lang)
        if pd.isna(d.difference):
            return tr("n/a", lang)
        if d.difference == 0 and d.ci_low == 0 and d.ci_high == 0:
            return tr("no change", lang)
        rel = f" ({_signed(d.relative * 100, '.1f')}%)" if pd.notna(d.relative) else ""
        if lang == "zh":
            return (f"相对现状 {_signed_money(d.difference, cur)}{rel}<br>{statistics.LEVEL:.0%} 置信区间 "
                    f"{_signed_money(d.ci_low, cur)} 至 {_signed_money(d.ci_high, cur)}")
        return (f"{_signed_money(d.difference, cur)}{rel} vs today<br>{statistics.LEVEL:.0%} CI "
                f"{_signed_money(d.ci_low, cur)} to {_signed_money(d.ci_high, cur)}")

    def _redraw(self) -> None:
        from IPython.display import HTML, display


        self._status.value = (f"<small>{self.replications} replications, seed {self.seed}, "
                              f"updated in {self.elapsed:.1f} s</small>" if self.lang == "en" else
                              f"<small>{self.replications} 次重复模拟，随机种子 {self.seed}，"
                              f"更新用时 {self.elapsed:.1f} 秒</small>")
        if self.error:
            self._headline.value = f"<h3 class='salessim-error'>{html.escape(self.headline(), quote=False)}</h3>"
            return
        self._money.value = self._money_lines()
        self._table.value = self.comparison_table()
        with self._chart:
            self._chart.clear_output(wait=True)
            if self.untouched:  # a chart of zeros says nothing
                display(HTML("<p><i>The chart of changes appears once a control moves.</i></p>" if self.lang == "en"
                             else "<p><i>调整控件后显示变化图。</i></p>"))
                return self._finish_redraw()
            fig, ax = plt.subplots(figsize=(8, 3.6))
            self.comparison_chart(ax)
            fig.tight_layout()
            display(fig)
            plt.close(fig)
        self._finish_redraw()

    def _finish_redraw(self) -> None:
        self._draw_funnel()
        # The headline last: it signals that the whole page shows the new settings.
        self._headline.value = f"<h3>{html.escape(self.headline(), quote=False)}</h3>"


    def funnel_chart(self, ax=None):
        """The funnel with these settings (one replication of the copy) with its bottleneck
        highlighted; returns the bottleneck (one more simulation: the run without walk-aways)."""
        from salessim.ui import charts as viz

        result = self.variant.results[0]
        b = find_bottleneck(result, seed=self.variant.seeds[0])
        title = (f"Funnel with these settings (one replication of the {self.base.org.reps}-rep copy)"
                 if self.lang == "en" else f"当前设置下的销售漏斗（{self.base.org.reps} 人副本的单次模拟）")
        ax = viz.funnel_chart(funnel_table(result), self.base.currency, ax=ax, highlight=b.stage, title=title)
        translate_figure(ax.figure, self.lang)
        if self.lang == "zh":
            for text in ax.texts:
                text.set_text(text.get_text().replace(" deals · ", " 单 · "))
        return b

    def bottleneck_sentence(self, b) -> str:
        """The bottleneck in one sentence, in the explorer's language."""
        from salessim.ui import charts as viz

        if self.lang == "en":
            return viz.bottleneck_sentence(b)
        row = b.table.set_index("stage").loc[b.stage]
        util = f"销售使用了 {b.utilisation:.0%} 的销售时间，{b.saturated_share:.0%} 的人月满负荷"
        if b.vacant_share > 0:
            util += f"，{b.vacant_share:.0%} 的区域月份无人负责"
        if b.bound == "capacity":
            return (f"瓶颈在“{b.stage}”阶段（产能受限）：转化率 {row.conversion:.1%}，而非 "
                    f"{row.expected_conversion:.1%}，因为商机等待销售而流失（约 {row.lost_for_time:,.0f} 单，"
                    f"{money(row.lost_for_time_value, b.currency)} 商机）；{util}。")
        return (f"瓶颈在“{b.stage}”阶段（转化受限）：转化率仅 {row.conversion:.1%}；该阶段转化率每提高 1 个百分点，"
                f"约多赢 {row.wins_per_point:,.1f} 单；{util}。")

    def summary(self):
        """The executive summary of a report run of the explorer (:class:`ExecutiveSummary`):
        the comparison's headline and the money lines at the real org size."""
        from salessim.ui.summary import ExecutiveSummary

        zh = self.lang == "zh"
        question = ("与现状相比，这些设置会带来什么变化？" if zh
                    else "What changes against today with these settings?")
        would_change = ("在仪表盘中调整任一控件（salessim dashboard --lang zh）即可重新比较；每次比较都与现状成对进行。" if zh
                        else "Moving any control in the dashboard (salessim dashboard) re-runs the comparison, "
                             "always paired with today's.")
        d = self.differences.set_index("kpi") if self.differences is not None else None
        numbers = [] if d is None else [
            (tr(k, self.lang), format_value(d.loc[k, "variant"], d.loc[k, "unit"], self.base.currency, self.lang))
            for k in MONEY_KPIS if k in d.index]
        caveats = ([f"模拟的是 {self.base.org.reps} 人的缩小副本，总量按 ×{self.factor:g} 放大；"
                    f"每个设置仅 {self.replications} 次重复模拟，置信区间较宽。"] if zh else
                   [f"Simulated on a {self.base.org.reps}-rep copy, totals scaled ×{self.factor:g}; only "
                    f"{self.replications} replications per setting, so intervals are wide."])
        return ExecutiveSummary(question, self.headline(), would_change, numbers, caveats, self.lang)

    def _draw_funnel(self) -> None:
        """The funnel and its bottleneck sentence, when asked for."""
        from IPython.display import display

        from salessim.ui import charts as viz

        with self._funnel:
            self._funnel.clear_output(wait=True)
            self.bottleneck = None
            if not self._show_funnel.value or self.error:
                return
            fig, ax = plt.subplots(figsize=(8, 3.6))
            b = self.bottleneck = self.funnel_chart(ax)
            fig.tight_layout()
            display(fig)
            plt.close(fig)
            display(viz.html_paragraph(self.bottleneck_sentence(b)))


#: The notebook's title and lead in each language other than English (the dashboard shows them
#: in place of the notebook's English narrative, which Voila serves as written).
HEADING = {"zh": ("情景分析：如果……会怎样？",
                  "调整控件，查看相对现状的变化：营收、薪酬成本与管理成本、净贡献、成交单数、赢单率、客单价、"
                  "销售周期、商机覆盖倍数和销售时间的利用，每项都附 95% 置信区间。可将设置保存为命名情景，最多三个并排比较。")}


def dashboard_heading(lang: str) -> str:
    """HTML for the served dashboard in ``lang``: hides the notebook's English markdown cells and
    shows the title and lead in ``lang`` (empty for English)."""
    if check_lang(lang) == "en":
        return ""
    title, lead = HEADING[lang]
    return (f"<style>.jp-MarkdownCell {{ display: none; }}</style><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(lead)}</p>")


def _today(lang: str) -> str:
    return "today" if lang == "en" else "现状"


#: The dashboard's CSS: readable tables that wrap instead of overflowing, KPI tiles.
STYLE = """<style>
.salessim-table { border-collapse: collapse; font-size: 13px; width: 100%; table-layout: auto; }
.salessim-table th, .salessim-table td { padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: right;
  white-space: normal; overflow-wrap: anywhere; }
.salessim-table th:first-child, .salessim-table td:first-child { text-align: left; }
.salessim-narrow { width: auto; min-width: 360px; }
.salessim-kpis { display: flex; flex-wrap: wrap; gap: 8px; margin: 4px 0 8px 0; }
.salessim-kpi { flex: 1 1 150px; border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; }
.salessim-kpi-name { font-size: 12px; color: #555; }
.salessim-kpi-value { font-size: 20px; font-weight: bold; }
.salessim-kpi-change { font-size: 12px; color: #333; white-space: nowrap; }
.salessim-headline h3 { color: #222; margin: 4px 0; }
.salessim-error { color: #C44E52; }
.salessim-chart img, .salessim-funnel img { max-width: 100%; height: auto; }
.widget-dropdown select { text-overflow: ellipsis; }
</style>"""
