"""YAML aliases: a "billion laughs" file fails fast with one line; modest aliases still load."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salessim.errors import SalessimError
from salessim.inputs import MAX_ALIAS_EXPANSION, read_yaml
from salessim.scenario import load_scenario


def laughs(width: int, depth: int) -> str:
    """``depth`` levels, each a list of ``width`` aliases of the level below."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for d in range(1, depth):
        lines.append(f"l{d}: &l{d} [" + ", ".join([f"*l{d - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def expanded_extra(width: int, depth: int) -> int:
    """Values the aliases add: the document expanded in full less the values written once.
    Level 0 is a list of ``width`` scalars (``1 + width`` values); level d a list of ``width``
    copies of level d-1; the root mapping adds itself and one key per level."""
    level = [1 + width]
    for _ in range(1, depth):
        level.append(1 + width * level[-1])
    expanded = 1 + depth + sum(level)
    written = 1 + depth + (1 + width) + (depth - 1)  # each alias list is one node over a shared one
    return expanded - written


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.integers(1, 12), st.integers(1, 9))
def test_alias_expansion_is_bounded(tmp_path_factory, width, depth):
    path = tmp_path_factory.mktemp("yaml") / "laughs.yaml"
    path.write_text(laughs(width, depth), encoding="utf-8")
    if expanded_extra(width, depth) <= MAX_ALIAS_EXPANSION:
        data = read_yaml(path)
        assert len(data) == depth
    else:
        with pytest.raises(SalessimError) as e:
            read_yaml(path)
        msg = str(e.value)
        assert "\n" not in msg and msg.startswith(str(path)) and "aliases (*name) expand" in msg


def test_billion_laughs_scenario_fails_with_one_line(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(laughs(9, 9) + "org: {reps: 10}\n", encoding="utf-8")
    with pytest.raises(SalessimError) as e:
        load_scenario(path)
    assert "\n" not in str(e.value) and "more than 100,000 extra values" in str(e.value)


def test_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(SalessimError) as e:
        read_yaml(path)
    assert "\n" not in str(e.value)
