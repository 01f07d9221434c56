"""``salessim stress`` and ``salessim roi``: replicated, paired risk analyses from the command line.

``salessim stress SCENARIO.yaml SHOCKS.yaml``: SHOCKS.yaml maps a shock name to a list of events.
``salessim roi SCENARIO.yaml INTERVENTIONS.yaml``: INTERVENTIONS.yaml is a list of events.
Both print a table; ``--out FILE.csv`` also writes the per-replication rows. Both run through the
experiments runner with the options of ``salessim compare``: ``--store DIR`` keeps every run
(rerunning with the same folder skips finished runs), ``--workers``/``--scheduler``,
``--experiment``, ``--level``, ``--quiet``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from salessim.errors import SalessimError
from salessim.text_files import CSV_ENCODING
from salessim.ui.commands import output_file
from salessim.ui.commands.compare import add_run_options, check_run_options, run_kwargs, store_note


def register(sub: argparse._SubParsersAction) -> None:
    for name, helptext, what in (
        ("stress", "stress-test a scenario against named shocks (downside percentiles, recovery)", "shocks"),
        ("roi", "return on interventions: incremental revenue and margin vs cost, payback month", "interventions"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("scenario", type=Path, help="scenario YAML file")
        p.add_argument("events", type=Path, help=f"YAML file with the {what}")
        add_run_options(p, replications=20, store_flags=("--store",))
        p.add_argument("--out", type=output_file, default=None, help="CSV file for the per-replication rows")
        p.set_defaults(func=run_stress if name == "stress" else run_roi)


def _check_events(events: list, source: Path, prefix: str = "") -> None:
    """Each event is a mapping with a ``kind`` (the scenario checks the rest)."""
    for i, ev in enumerate(events):
        if not isinstance(ev, dict):
            raise SalessimError(f"{source}: {prefix}{i}: expected an event mapping such as "
                                f"{{kind: KIND, at: 3, ...}}, got {ev!r}")


def run_stress(args: argparse.Namespace) -> int:
    from salessim.experiments.stress import stress_test
    from salessim.inputs import read_mapping
    from salessim.scenario import load_scenario

    shocks = read_mapping(args.events, what="shock name to a list of events")
    if not all(isinstance(v, list) for v in shocks.values()):
        raise SalessimError(f"{args.events}: (top level): expected a mapping of shock name to a list of events")
    for name, events in shocks.items():
        _check_events(events, args.events, f"{name}.")
    check_run_options(args)
    st = stress_test(load_scenario(args.scenario), shocks, args.replications, level=args.level, **run_kwargs(args))
    from salessim.ui.formatting import text_table
    from salessim.ui.tables import stress_frame

    sc = load_scenario(args.scenario)
    print(text_table(stress_frame(st.runs, st.summary(), sc.currency, level=args.level)))
    if args.store:
        print(store_note(args.store, st.experiment, st.run_log))
    if args.out:
        st.runs.to_csv(args.out, index=False, encoding=CSV_ENCODING)
    return 0


def run_roi(args: argparse.Namespace) -> int:
    from salessim.experiments.roi import intervention_roi
    from salessim.inputs import read_list
    from salessim.scenario import load_scenario

    events = read_list(args.events, what="events")
    _check_events(events, args.events)
    check_run_options(args)
    roi = intervention_roi(load_scenario(args.scenario), events, args.replications, level=args.level, **run_kwargs(args))
    from salessim.ui.formatting import percent, text_table
    from salessim.ui.tables import roi_frame

    print(f"gross margin on bookings: {percent(roi.gross_margin)}")
    print(text_table(roi_frame(roi.summary(), load_scenario(args.scenario).currency, level=args.level)))
    if args.store:
        print(store_note(args.store, roi.experiment, roi.run_log))
    if args.out:
        roi.runs.to_csv(args.out, index=False, encoding=CSV_ENCODING)
    return 0
