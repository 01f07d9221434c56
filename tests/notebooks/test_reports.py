"""``salessim report``: running notebooks with papermill, HTML without code, clear failures."""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from notebook_paths import NOTEBOOKS, ROOT

from salessim.ui import report
from salessim.ui.cli import main


def _notebook(tmp_path, *cells, name="broken"):
    params = new_code_cell("scenario = '../data/scenarios/midmarket.yaml'\nfast = False")
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[new_markdown_cell("# A test notebook"), params, *cells],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    folder = tmp_path / "nbs"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_cell_past_the_time_limit_is_run_once_more_then_named(tmp_path):
    """A hung kernel reply must not hang the run: past ``timeout`` the notebook runs once more
    (the second attempt sees the marker the first left and finishes), and a cell that runs past it
    twice is a one-line ReportError."""
    marker = tmp_path / "first-attempt"
    once = _notebook(tmp_path, new_code_cell(
        f"import pathlib, time\np = pathlib.Path({str(marker)!r})\nif not p.exists():\n    p.touch()\n    time.sleep(60)"),
        name="slow_once")
    run = report.run_report(once, tmp_path / "reports", timeout=8)
    assert marker.exists() and run.html.exists()
    always = _notebook(tmp_path, new_code_cell("import time\ntime.sleep(60)"), name="slow")
    with pytest.raises(report.ReportError, match="slow.ipynb: a cell ran past 8 s twice"):
        report.run_report(always, tmp_path / "reports", timeout=8)


def test_the_report_leaves_out_progress_bars_and_warnings(tmp_path):
    """A client report shows results, not a progress bar frozen at "0/3" or a warning: tqdm's
    widget, stderr text and warnings are dropped from the HTML (the executed notebook keeps them),
    the cell's printed result stays."""
    nb = _notebook(tmp_path, new_code_cell(
        "import sys, warnings\nfrom tqdm.auto import tqdm\nfor _ in tqdm(range(3), desc='simulating'):\n    pass\n"
        "print('result: 42')\nprint('a note on stderr', file=sys.stderr)\nwarnings.warn('a warning')"), name="bars")
    run = report.run_report(nb, tmp_path / "reports", timeout=60)
    executed = nbformat.read(run.executed, as_version=4)
    kept = [o for c in executed.cells for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in kept)  # tqdm drew a widget
    html = run.html.read_text(encoding="utf-8")
    assert "result: 42" in html
    assert "simulating" not in html and "a note on stderr" not in html and "a warning" not in html


def test_param_hash_is_stable_and_distinguishes_requests():
    a = report.param_hash("00_quickstart", {"seed": 1, "fast": True})
    assert a == report.param_hash("00_quickstart", {"fast": True, "seed": 1})
    assert re.fullmatch(r"[0-9a-f]{12}", a)
    assert a != report.param_hash("00_quickstart", {"seed": 2, "fast": True})
    assert a != report.param_hash("05_scenario_explorer", {"seed": 1, "fast": True})


def test_resolve_notebooks_by_stem_number_or_title():
    folder = ROOT / "notebooks"
    q = folder / "00_quickstart.ipynb"
    assert report.resolve_notebooks(["00_quickstart"], folder) == [q]
    assert report.resolve_notebooks(["00"], folder) == [q]
    assert report.resolve_notebooks(["quickstart"], folder) == [q]
    assert report.resolve_notebooks(["all"], folder) == NOTEBOOKS
    with pytest.raises(report.ReportError, match="nope: no such notebook.*00_quickstart"):
        report.resolve_notebooks(["nope"], folder)


def test_cli_errors_are_one_line(capsys, tmp_path):
    assert main(["report", "quickstart", "-p", "replicatoins", "3", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "unknown parameter(s) ['replicatoins']" in err
    bad = tmp_path / "p.yaml"
    bad.write_text("- just a list\n")
    assert main(["report", "quickstart", "-f", str(bad)]) == 2
    assert "expected a mapping" in capsys.readouterr().err


def test_absolute_paths_only_for_existing_files(tmp_path):
    (tmp_path / "s.yaml").write_text("x: 1")
    out = report.absolute_paths({"scenario": "s.yaml", "label": "s2.yaml", "n": 3}, base=tmp_path)
    assert out == {"scenario": str(tmp_path / "s.yaml"), "label": "s2.yaml", "n": 3}


def test_kernel_runs_this_interpreter():
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    argv = KernelSpecManager().get_kernel_spec(report.kernel_name()).argv
    assert argv[0] in ("python", "python3", sys.executable)


def test_failing_notebook_names_notebook_and_cell_and_keeps_partial(tmp_path):
    path = _notebook(tmp_path, new_code_cell("ok = 1"),
                     new_code_cell("# compute the total\ntotal = 1 / 0"), new_code_cell("never = 2"))
    with pytest.raises(report.ReportError) as err:
        report.run_report(path, tmp_path / "reports", {"fast": True})
    msg = str(err.value)
    assert "\n" not in msg
    # In [1] parameters, [2] papermill's injected parameters, [3] ok = 1, [4] the failing cell.
    assert msg.startswith("broken.ipynb: cell [4] failed ('total = 1 / 0'): ZeroDivisionError: division by zero")
    partial = next((tmp_path / "reports" / "broken").glob("*/broken.ipynb"))
    assert str(partial) in msg
    nb = nbformat.read(partial, as_version=4)
    executed = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    assert [c.source for c in executed][-1].endswith("1 / 0")
    assert any(o.get("ename") == "ZeroDivisionError" for c in nb.cells for o in c.get("outputs", []))
    assert not any("never" in c.source and c.get("execution_count") for c in nb.cells)
    params = yaml.safe_load((partial.parent / "params.yaml").read_text())
    assert params["given"] == {"fast": True}


def test_report_writes_html_without_code_and_params(tmp_path):
    path = _notebook(tmp_path, new_code_cell(
        "import matplotlib.pyplot as plt\nSECRET_CODE_MARKER = 1\nplt.plot([1, 2], [3, 4]); plt.title('A chart');"),
        name="tiny")
    run = report.run_report(path, tmp_path / "reports", {"fast": True})
    html = run.html.read_text()
    assert "<img" in html and "A test notebook" in html
    assert "SECRET_CODE_MARKER" not in html
    assert "SECRET_CODE_MARKER" in run.executed.read_text()
    params = yaml.safe_load(run.params_file.read_text())
    assert params["parameters"] == {"scenario": "../data/scenarios/midmarket.yaml", "fast": True}
    assert run.folder == (tmp_path / "reports" / "tiny" / report.param_hash("tiny", {"fast": True})).resolve()


def test_cli_failing_notebook_exits_2_with_one_line(tmp_path, capsys):
    path = _notebook(tmp_path, new_code_cell("raise ValueError('bad scenario')"), name="fails")
    code = main(["report", "fails", "--notebooks", str(path.parent), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.count("\n") == 0
    # No parameters given, so nothing injected: [1] parameters, [2] the failing cell.
    assert err.startswith("salessim: error: fails.ipynb: cell [2] failed (\"raise ValueError('bad scenario')\"): "
                          "ValueError: bad scenario; partial notebook kept at ")
    assert list((tmp_path / "out" / "fails").glob("*/fails.ipynb"))


def test_kernel_for_another_python_gets_a_salessim_kernel(tmp_path, monkeypatch):
    """When the python3 kernel found first runs another interpreter, reports install and use a
    'salessim' kernel spec for this one (here into a temporary Jupyter path)."""
    import json
    import sys

    foreign = tmp_path / "kernels" / "python3"
    foreign.mkdir(parents=True)
    (foreign / "kernel.json").write_text(json.dumps(
        {"argv": ["/opt/other/bin/python3.9", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "Other Python", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    calls = []

    def fake_install(kernel_name, display_name, prefix=None, user=False):
        calls.append((kernel_name, prefix, user))
        spec = tmp_path / "kernels" / kernel_name
        spec.mkdir()
        (spec / "kernel.json").write_text(json.dumps(
            {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
             "display_name": display_name, "language": "python"}))

    monkeypatch.setattr("ipykernel.kernelspec.install", fake_install)
    assert report.kernel_name() == "salessim"
    assert calls == [("salessim", sys.prefix, False)]
    assert report.kernel_name() == "salessim" and len(calls) == 1  # installed once, then found


@pytest.mark.slow
def test_chinese_report_has_chinese_text_and_no_missing_glyph(tmp_path):
    run = report.run_report(ROOT / "notebooks" / "00_quickstart.ipynb", tmp_path, {"fast": True, "lang": "zh"})
    nb = nbformat.read(run.executed, as_version=4)
    streams = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Glyph" not in streams and "missing from font" not in streams
    html = run.html.read_text(encoding="utf-8")
    for text in ("执行摘要", "关键指标", "销售漏斗", "目标达成率", "附录"):
        assert text in html
    assert "How to run" not in html


def _takes_lang(path) -> bool:
    return "lang" in report.notebook_parameters(path)


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.stem != "00_quickstart"], ids=lambda p: p.stem)
def test_every_report_in_chinese_has_a_chinese_summary_and_no_missing_glyph(path, tmp_path):
    if not _takes_lang(path):
        pytest.fail(f"{path.name} has no lang parameter: `salessim report {path.stem} --lang zh` cannot run", pytrace=False)
    run = report.run_report(path, tmp_path, {"fast": True, "lang": "zh"})
    nb = nbformat.read(run.executed, as_version=4)
    streams = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Glyph" not in streams and "missing from font" not in streams
    html = run.html.read_text(encoding="utf-8")
    for text in ("执行摘要", "关键数据", "附录"):
        assert text in html
    assert "How to run" not in html and "Executive summary" not in html


def test_reuse_executor_answers_a_repeated_run_from_memory_with_the_same_results():
    # The notebooks' one executor: a run two experiments share (same scenario and seed) is
    # computed once; the second experiment gets equal KPIs and whole results, under its own label.
    import pandas as pd

    import salessim
    from salessim.analysis import replicate_all, scale_scenario
    from salessim.experiments import ReuseExecutor

    sc = scale_scenario(salessim.load_scenario(ROOT / "data/scenarios/midmarket.yaml"), 5)
    other = salessim.load_scenario(sc, **{"org.weekly_hours": 30})
    plain = replicate_all({"a": sc, "b": other}, 2, 0)
    with ReuseExecutor("serial") as ex:
        first = replicate_all({"today": sc}, 2, 0, executor=ex)
        again = replicate_all({"again": sc, "b": other}, 2, 0, executor=ex)
        assert ex.reused == 2
    for sets, name in ((first, "today"), (again, "again")):
        pd.testing.assert_frame_equal(sets[name].kpis(), plain["a"].kpis(), check_exact=True)
        for r, p in zip(sets[name].results, plain["a"].results, strict=True):
            pd.testing.assert_frame_equal(r.ledger, p.ledger, check_exact=True)
    assert again["again"].results[0] is not first["today"].results[0]  # a copy, not the same object
    pd.testing.assert_frame_equal(again["b"].kpis(), plain["b"].kpis(), check_exact=True)
