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
