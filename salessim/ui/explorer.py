"""The scenario explorer: sliders and dropdowns for a few decisions, a small replication set
re-run on every change, and the comparison with the baseline redrawn (ipywidgets; served as a
dashboard by ``salessim dashboard`` through Voila).

The explorer simulates a scaled-down copy of the organisation (``reps`` reps; accounts and lead
volume in proportion, so each rep keeps the same book and workload) so that a change redraws in
about a second. Read the comparison in % changes; totals are those of the copy.

Controls are data (:class:`Control`). The explorer takes its control providers explicitly
(``providers=``, default :data:`DEFAULT_PROVIDERS`: core decisions, comp plan, org structure);
a module adds its own by passing ``providers=(*DEFAULT_PROVIDERS, its_provider)``. A provider
takes the full-size scenario and returns controls, each mapping its widget value to overrides.

Replications run through the experiments runner (:func:`salessim.analysis.replicate`) and the
comparison's intervals come from :func:`salessim.experiments.statistics.confidence_interval`.
"""

from __future__ import annotations

import os
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
from salessim.scenario import Scenario, load_scenario

#: KPIs the explorer's chart shows.
CHART_KPIS = ["revenue", "deals won", "win rate (qualified)", "average deal size",
              "median sales cycle (won)", "pipeline coverage", "capacity utilisation"]
#: KPIs the explorer's table shows, when the simulation reports them (in this order).
TABLE_KPIS = [*CHART_KPIS, "leads", "comp cost", "cost of sales", "reps at or above quota",
              "attainment median", "average effort", "annual rep attrition",
              "hockey-stick index (last 2 weeks of quarter)", "revenue lost to discounts"]


@dataclass(frozen=True)
class Control:
    """One decision the explorer exposes.

    ``kind``: ``int``/``float`` slider, ``percent`` slider (value a fraction, shown as %), or
    ``choice`` dropdown (``options``: label -> value). ``overrides(value, base)`` turns the widget
    value into scenario overrides (dotted paths) on the scaled ``base`` scenario.
    """

    key: str
    label: str
    kind: Literal["int", "float", "percent", "choice"]
    value: Any
    overrides: Callable[[Any, Scenario], dict[str, Any]]
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    help: str = ""

    def widget(self):
        import ipywidgets as w

        style = {"description_width": "200px"}
        layout = w.Layout(width="460px")
        common = dict(description=self.label, style=style, layout=layout, tooltip=self.help)
        if self.kind == "choice":
            wd = w.Dropdown(options=list(self.options.items()), value=self.value, **common)
        elif self.kind == "int":
            wd = w.IntSlider(value=self.value, min=self.min, max=self.max, step=self.step or 1,
                             continuous_update=False, **common)
        else:
            fmt = ".0%" if self.kind == "percent" else ".1f"
            wd = w.FloatSlider(value=self.value, min=self.min, max=self.max, step=self.step or 0.01,
                               readout_format=fmt, continuous_update=False, **common)
        wd.add_class(f"salessim-control-{self.key}")
        return wd


def _set(path: str) -> Callable[[Any, Scenario], dict[str, Any]]:
    return lambda v, _base: {path: v}


def core_controls(scenario: Scenario) -> list[Control]:
    """Headcount, selling time, lead volume, deal slippage, hiring freeze and each stage's conversion."""
    org, funnel = scenario.org, scenario.funnel
    controls = [
        Control("headcount", "Sales headcount (% of today)", "percent", 1.0,
                lambda v, b: {"org.reps": max(1, round(b.org.reps * v))}, 0.5, 1.5, 0.05,
                help=f"today: {org.reps} reps"),
        Control("weekly_hours", "Selling hours per rep / week", "float", float(org.weekly_hours),
                _set("org.weekly_hours"), 10.0, 60.0, 1.0,
                help="hours a rep sells per week after admin, meetings and travel"),
        Control("lead_volume", "Lead volume (% of today)", "percent", 1.0,
                lambda v, b: {"market.leads_per_year": b.market.leads_per_year * v}, 0.5, 2.0, 0.05,
                help=f"today: {scenario.market.leads_per_year:,.0f} leads a year"),
        Control("slip_loss", "Deals lost per unworked week", "percent", float(funnel.slip_loss_per_week),
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
        options[f"today's plan: {scenario.plan.name}"] = scenario.plan
    options["no comp plan (reps at their normal pace)"] = None
    folder = plans_folder()
    for path in sorted(folder.glob("*.yaml")) if folder else []:
        try:
            plan = load_plan(path)
        except SalessimError as e:
            raise SalessimError(f"explorer: {e}") from None
        if plan != scenario.plan:
            options[f"{plan.name} ({path.stem})"] = plan
    if len(options) == 1:
        return []
    return [Control("plan", "Comp plan", "choice", scenario.plan, _set("plan"), options=options,
                    help="the plan reps are paid on; they respond to it (effort, deal timing, attrition)")]


#: Org structures as a sales leader names them (``org.structure`` values).
STRUCTURES = {"line": "line (one flat team)", "regional": "regional (reps under regional managers)",
              "matrix": "matrix (product specialists overlay)", "channel": "channel partners (small accounts)",
              "key_account": "key accounts + low-touch team"}


def org_controls(scenario: Scenario) -> list[Control]:
    """A dropdown of org structures; each keeps the scenario's design settings for it."""
    options = {label: value for value, label in STRUCTURES.items()}
    return [Control("structure", "Org structure", "choice", scenario.org.structure, _set("org.structure"),
                    options=options, help="who works which deals, overlays, partners; see docs/org_structures.md")]


Provider = Callable[[Scenario], list[Control]]
#: The explorer's default control providers (a tuple: pass your own ``providers=`` to extend it).
DEFAULT_PROVIDERS: tuple[Provider, ...] = (core_controls, plan_controls, org_controls)


def in_voila() -> bool:
    """True when the notebook is being served by Voila (it sets ``VOILA_KERNEL_ID``)."""
    return "VOILA_KERNEL_ID" in os.environ


class ScenarioExplorer:
    """Baseline vs the scenario the controls describe, on a scaled copy, redrawn on change."""

    def __init__(self, scenario: Scenario | str, replications: int = 5, seed: int = 0, reps: int = 20,
                 changes: dict[str, Any] | None = None, auto_update: bool = True,
                 providers: Sequence[Provider] = DEFAULT_PROVIDERS):
        full = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.full = full
        self.base = scale_scenario(full, min(reps, full.org.reps))
        self.replications, self.seed = replications, seed
        self.controls = [c for provider in providers for c in provider(full)]
        keys = {c.key for c in self.controls}
        unknown = set(changes or {}) - keys
        if unknown:
            raise SalessimError(f"explorer changes: unknown control(s) {sorted(unknown)}; known: {sorted(keys)}")
        self.values = {c.key: (changes or {}).get(c.key, c.value) for c in self.controls}
        self.baseline: ReplicationSet = replicate(self.base, replications, seed)
        self.variant: ReplicationSet | None = None
        self.differences: pd.DataFrame | None = None
        self.error: str | None = None
        self.elapsed = 0.0
        self._auto = auto_update
        self._ui = None
        self.update()

    # ---------------------------------------------------------------- model side (no widgets)

    def variant_scenario(self) -> Scenario:
        """The scaled scenario with every control's overrides applied."""
        overrides: dict[str, Any] = {}
        for c in self.controls:
            if self.values[c.key] != c.value:
                overrides.update(c.overrides(self.values[c.key], self.base))
        return load_scenario(self.base, **overrides)

    def update(self, **values: Any) -> pd.DataFrame | None:
        """Set control values (by key), re-run the variant and recompute the comparison."""
        self.values.update(values)
        if self._ui is not None:
            self._status.value = (f"<b>Simulating {self.replications} replications with your settings…</b>")
        t0 = time.perf_counter()
        try:
            self.variant = replicate(self.variant_scenario(), self.replications, self.seed)
            self.differences = paired_kpi_differences(self.baseline, self.variant)
            self.error = None
        except SalessimError as e:
            self.error = str(e)
        except Exception as e:  # a dashboard must survive a model bug: show it, keep the last result
            self.error = f"{type(e).__name__}: {e} (a bug: please report it with these settings)"
        self.elapsed = time.perf_counter() - t0
        if self._ui is not None:
            self._redraw()
        return self.differences

    def headline(self) -> str:
        """One sentence: the revenue change with its confidence interval."""
        if self.error:
            return f"Cannot simulate these settings: {self.error}"
        d = self.differences.set_index("kpi").loc["revenue"]
        ci = f"{statistics.LEVEL:.0%} CI {d.relative_ci_low:+.1%} to {d.relative_ci_high:+.1%}"
        if d.relative_ci_low > 0 or d.relative_ci_high < 0:
            verdict = "higher" if d.relative > 0 else "lower"
            return f"Revenue is {abs(d.relative):.1%} {verdict} than today ({ci})."
        return f"No clear revenue change: {d.relative:+.1%} ({ci})."

    def comparison_table(self, labels: tuple[str, str] = ("today", "your settings")):
        """The comparison of :data:`TABLE_KPIS` as a formatted table (pandas Styler)."""
        from salessim.ui import charts as viz

        have = set(self.differences["kpi"])
        shown = self.differences.set_index("kpi").loc[[k for k in TABLE_KPIS if k in have]].reset_index()
        return viz.comparison_table(shown, self.base.currency, labels=labels)

    def comparison_chart(self, ax=None):
        """Relative change of :data:`CHART_KPIS` with their confidence intervals."""
        from salessim.ui import charts as viz

        kpis = [k for k in CHART_KPIS if k in set(self.differences["kpi"])]
        return viz.kpi_comparison_chart(self.differences, kpis, ax=ax,
                                        title=f"Change vs today ({statistics.LEVEL:.0%} CI)")

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
            wd = c.widget()
            wd.value = self.values[c.key]
            wd.observe(self._on_change(c.key), names="value")
            self._widgets[c.key] = wd
        reset = w.Button(description="Back to today", icon="undo", tooltip="reset every control")
        reset.add_class("salessim-reset")
        reset.on_click(lambda _b: self._reset())
        self._status = w.HTML()
        self._status.add_class("salessim-status")
        self._headline = w.HTML()
        self._headline.add_class("salessim-headline")
        self._table = w.HTML()
        self._table.add_class("salessim-comparison")
        self._chart = w.Output()
        self._chart.add_class("salessim-chart")
        self._funnel = w.Output()
        intro = w.HTML(
            f"<p><b>{self.full.name}</b>: {self.full.org.reps} reps, simulated on a {self.base.org.reps}-rep "
            f"copy (accounts and leads in proportion); {self.replications} replications per setting, "
            "paired with today's. Read the changes in %.</p>")
        controls = w.VBox([*self._widgets.values(), reset], layout=w.Layout(flex="0 0 480px", width="480px"))
        results = w.VBox([self._status, self._headline, self._chart, self._table, self._funnel],
                         layout=w.Layout(flex="1 1 auto", min_width="0", overflow="hidden"))
        self._ui = w.VBox([intro, w.HBox([controls, results])])
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

    def _redraw(self) -> None:
        from IPython.display import display

        from salessim.ui import charts as viz

        self._status.value = (f"<small>{self.replications} replications, seed {self.seed}, "
                              f"re-simulated in {self.elapsed:.1f} s</small>")
        if self.error:
            self._headline.value = f"<h3 style='color:#C44E52'>{self.headline()}</h3>"
            return
        self._table.value = self.comparison_table().to_html()
        with self._chart:
            self._chart.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(8, 4))
            self.comparison_chart(ax)
            fig.tight_layout()
            display(fig)
            plt.close(fig)
        with self._funnel:
            self._funnel.clear_output(wait=True)
            result = self.variant.results[0]
            b = find_bottleneck(result, seed=self.variant.seeds[0])
            fig, ax = plt.subplots(figsize=(8, 3.6))
            viz.funnel_chart(funnel_table(result), self.base.currency, ax=ax, highlight=b.stage,
                             title="Funnel with these settings (one replication)")
            fig.tight_layout()
            display(fig)
            plt.close(fig)
            display(viz.html_paragraph(viz.bottleneck_sentence(b)))
        # The headline last: it signals that the whole page shows the new settings.
        self._headline.value = f"<h3 style='color:#222'>{self.headline()}</h3>"
