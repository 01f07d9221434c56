"""The README's example outputs are the ones `python -m salessim.ui.readme` generated."""

import json

from salessim.ui import readme


def test_readme_shows_the_generated_figures():
    figures = json.loads(readme.FIGURES.read_text(encoding="utf-8"))
    text = readme.README.read_text(encoding="utf-8")
    assert readme.render(text, figures) == text, (
        "README.md drifted from docs/readme_figures.json: run `python -m salessim.ui.readme --write`")
    for row in figures["run"]:
        assert row["kpi"] in text


def test_render_replaces_only_the_marked_blocks():
    figures = json.loads(readme.FIGURES.read_text(encoding="utf-8"))
    doc = "intro\n<!-- figures:run -->\nold\n<!-- /figures:run -->\n<!-- figures:typical -->\n<!-- /figures:typical -->\n" \
          "<!-- figures:compare -->\n<!-- /figures:compare -->\nend"
    out = readme.render(doc, figures)
    assert out.startswith("intro\n") and out.endswith("end") and "old" not in out
    assert "revenue" in out and "of reps at quota" in out


def test_readme_performance_table_is_the_recorded_bench():
    bench = json.loads(readme.BENCH.read_text(encoding="utf-8"))
    text = readme.README.read_text(encoding="utf-8")
    assert readme.render(text, {}, bench) == text, (
        "README.md's performance table drifted from docs/bench.json: run `make bench`")
    assert {"engine", "comp", "experiments"} <= set(bench)
    for run in bench.values():
        assert run["rows"] and all(r["name"].strip().replace("|", "\\|") in readme.bench_table({"x": run}) for r in run["rows"])


def test_targets_are_judged_by_their_operator():
    met = readme.target_met
    assert met(0.55, "< 0.3") == "**not met**" and met(0.25, "< 0.3") == "met"
    assert met(120.0, "<= 120 s") == "met" and met(120.5, "<= 120 s") == "**not met**"
    assert met(84.9, ">= 85%") == "**not met**" and met(-1.5, "|x| < 2") == "met" and met(-2.5, "|x| < 2") == "**not met**"
    assert met(1.2, "~1") == "met" and met(1.4, "~1") == "**not met**"
    assert met(100000.0, "100,000") == "met" and met("False", "True") == "**not met**"
    assert met(3.0, "(context)") == met(3.0, "") == met(5.0, "all kept") == ""
