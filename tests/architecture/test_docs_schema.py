"""docs/architecture.md's results schema is the declared one (regenerate: python -m salessim.results.schema)."""

from pathlib import Path

from salessim.results.schema import markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def test_architecture_doc_carries_the_declared_results_schema():
    text = DOC.read_text()
    block = text.split("<!-- results schema: generated -->")[1].split("<!-- end results schema -->")[0]
    assert block.strip() == markdown().strip(), "re-generate the block with python -m salessim.results.schema"
