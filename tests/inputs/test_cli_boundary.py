"""Every malformed input of the corpus (tests/inputs/malformed.py) ends with one line on stderr
and exit status 2, never a traceback; a sample also runs as real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from salessim.ui.cli import main
from tests.inputs.malformed import ROOT, cases

#: One case per kind of input, run as subprocesses (each pays the interpreter start-up).
SAMPLE = ("scenario: impossible date", "--set org.reps=[1", "performance: credited=1e400",
          "calibrate --as-of yesterday", "grid: bool value")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[tuple[str, list[str]]]:
    return cases(tmp_path_factory.mktemp("malformed"))


def test_every_malformed_input_is_one_clean_line(corpus, capsys) -> None:
    failures = []
    for name, argv in corpus:
        try:
            code = main(argv)
        except SystemExit as e:  # argparse
            code = e.code
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if line.strip()]
        if code != 2 or len(lines) != 1 or "Traceback" in err or "error:" not in lines[0]:
            failures.append(f"{name}: exit {code}: {err[-300:]!r}")
    assert len(corpus) >= 140
    assert not failures, "\n".join(failures)


def test_a_sample_fails_cleanly_as_subprocesses(corpus) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("SALESSIM_DEBUG", None)
    chosen = [argv for name, argv in corpus if name in SAMPLE]
    assert len(chosen) == len(SAMPLE)
    for argv in chosen:
        run = subprocess.run([sys.executable, "-m", "salessim", *argv], capture_output=True, text=True, timeout=300, env=env)
        assert run.returncode == 2, (argv, run.stderr)
        assert "Traceback" not in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_an_internal_error_is_one_line_with_exit_3(monkeypatch, capsys) -> None:
    import salessim.ui.commands.run as run_command

    def broken(args):
        raise KeyError("boom")

    monkeypatch.setattr(run_command, "run", broken)
    code = main(["run", str(ROOT / "data" / "scenarios" / "midmarket.yaml")])
    err = capsys.readouterr().err
    assert code == 3
    assert "internal error" in err and "report" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
