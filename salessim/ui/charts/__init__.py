"""Charts and tables in business terms (currency axes, percentages, plain-language titles).

Every chart function takes tidy frames from :mod:`salessim.analysis` (or ``SimResult``), draws on
``ax`` when given (else a new figure) and returns the matplotlib ``Axes``. Table functions return
a pandas ``Styler`` that renders in notebooks and in HTML reports.
"""

from salessim.ui import formatting as fmt
from salessim.ui.charts.run import (
    attainment_chart,
    bookings_chart,
    bottleneck_chart,
    bottleneck_sentence,
    distribution_chart,
    funnel_chart,
    kpi_comparison_chart,
)
from salessim.ui.charts.style import (
    currency_axis,
    percent_axis,
    plan_colours,
    source_note,
    use_style,
)
from salessim.ui.formatting import ci_label
from salessim.ui.i18n import tr
from salessim.ui.overview import scenario_overview
from salessim.ui.tables import (
    comparison_table,
    economics_table,
    formatted_table,
    html_paragraph,
    kpi_table,
    overview_table,
    rep_changes_table,
    scorecard_table,
    segment_table,
    stage_table,
)

__all__ = [
    "attainment_chart",
    "bookings_chart",
    "bottleneck_chart",
    "bottleneck_sentence",
    "ci_label",
    "comparison_table",
    "currency_axis",
    "distribution_chart",
    "economics_table",
    "fmt",
    "formatted_table",
    "funnel_chart",
    "html_paragraph",
    "kpi_comparison_chart",
    "kpi_table",
    "overview_table",
    "percent_axis",
    "rep_changes_table",
    "plan_colours",
    "scenario_overview",
    "scorecard_table",
    "segment_table",
    "source_note",
    "stage_table",
    "tr",
    "use_style",
]
