"""``salessim report [NOTEBOOK ...|all] [-p NAME VALUE ...] [-f params.yaml] --out reports/``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="run notebooks with papermill and publish HTML reports (code hidden)")
    p.add_argument("notebooks", nargs="*", default=["all"], metavar="NOTEBOOK",
                   help="notebook names (00_quickstart, 00 or quickstart) or 'all' (default)")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="set a notebook parameter (value read as YAML: 20, true, a path); repeatable")
    p.add_argument("-f", "--parameters-file", type=Path, default=None, metavar="PARAMS.yaml",
                   help="YAML mapping of parameters (-p wins over the file)")
    p.add_argument("--lang", choices=("en", "zh"), default=None,
                   help="report language: en (default) or zh (Chinese narrative, labels, tables and charts)")
    p.add_argument("--out", type=Path, default=Path("reports"), help="reports folder (default: reports/)")
    p.add_argument("--notebooks", dest="folder", type=Path, default=None,
                   help="notebook folder (default: ./notebooks)")
    p.add_argument("--list", action="store_true", help="list the notebooks and their parameters, run nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import yaml

    from salessim.ui import report

    if args.list:
        folder = report.notebook_folder(args.folder)
        for name, path in report.list_notebooks(folder).items():
            params = ", ".join(f"{k}={v!r}" for k, v in report.notebook_parameters(path).items())
            print(f"{name}: {params}")
        return 0
    params = report.read_params_file(args.parameters_file) if args.parameters_file else {}
    for name, value in args.parameter:
        params[name] = yaml.safe_load(value)
    if args.lang is not None:
        params["lang"] = args.lang
    params = report.absolute_paths(params)
    if "out" in params and isinstance(params["out"], str):
        params["out"] = str(Path(params["out"]).resolve())
    runs = report.run_reports(args.notebooks, args.out, params, args.folder)
    print(f"{len(runs)} report(s) written under {args.out}/")
    return 0
