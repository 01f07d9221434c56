"""``salessim payouts``: CSV and Excel round trips that reconcile, and one-line errors."""

import numpy as np
import pandas as pd

from salessim.comp import load_plan, read_performance, statements, summary
from salessim.ui.cli import main

PLAN = "data/plans/tiered_accelerator_cap.yaml"
PERF = "data/plans/sample_performance.csv"


def test_payouts_csv_reconciles(tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert main(["payouts", PLAN, PERF, "--out", str(out), "--summary", str(tmp_path / "sum.csv")]) == 0
    assert "statements written" in capsys.readouterr().out
    st = pd.read_csv(out)
    sm = pd.read_csv(tmp_path / "sum.csv")
    lines = np.rint(st["amount"] * 100).astype(np.int64).groupby([st["rep"], st["period"]]).sum()
    assert (np.rint(sm.set_index(["rep", "period"])["total"] * 100).astype(np.int64) == lines).all()
    assert set(st["item"]) >= {"base", "commission", "clawback"}
    assert st["explanation"].notna().all()


def test_payouts_excel_in_and_out(tmp_path):
    perf = read_performance(PERF)
    xin = tmp_path / "perf.xlsx"
    perf.to_excel(xin, index=False)
    xout = tmp_path / "statements.xlsx"
    assert main(["payouts", PLAN, str(xin), "--out", str(xout)]) == 0
    sheets = pd.read_excel(xout, sheet_name=None)
    assert set(sheets) == {"line items", "summary by rep", "by period"}
    direct = statements(load_plan(PLAN), read_performance(PERF))
    assert len(sheets["line items"]) == len(direct)
    assert np.isclose(sheets["line items"]["amount"].sum(), direct["amount"].sum(), atol=0.005)
    per_rep = summary(direct, by="fiscal_year")
    assert np.allclose(sheets["summary by rep"]["total"], per_rep["total"])


def test_payouts_bad_input_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("components:\n  - {type: commission, name: c, rate: -1}\n", encoding="utf-8")
    assert main(["payouts", str(bad), PERF]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("salessim: error: ") and "bad.yaml: components.0.rate" in err and "\n" not in err
    assert main(["payouts", PLAN, str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: file not found" in capsys.readouterr().err


def _chinese_names(tmp_path, encoding: str, sep: str = ","):
    """The sample performance table with two reps renamed in Chinese, written as Excel on a
    Chinese (GBK) or European (``;``) Windows would save it."""
    df = pd.read_csv(PERF, dtype=str, keep_default_na=False)
    df["rep"] = df["rep"].replace({"r01": "张伟", "r02": "王芳"})
    path = tmp_path / f"perf_{encoding}_{ord(sep)}.csv"
    path.write_bytes(df.to_csv(index=False, sep=sep).encode(encoding))
    return path


def test_payouts_read_gbk_and_semicolon_files_as_they_read_utf8(tmp_path):
    plan = load_plan(PLAN)
    want = statements(plan, read_performance(_chinese_names(tmp_path, "utf-8")))
    assert {"张伟", "王芳"} <= set(want["rep"])
    for encoding, sep in (("gbk", ","), ("utf-8-sig", ","), ("gbk", ";"), ("utf-8", "\t")):
        got = statements(plan, read_performance(_chinese_names(tmp_path, encoding, sep)))
        pd.testing.assert_frame_equal(got, want)


def test_statements_csv_opens_in_excel_with_chinese_names(tmp_path):
    out = tmp_path / "s.csv"
    assert main(["payouts", PLAN, str(_chinese_names(tmp_path, "gbk")), "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert "张伟" in raw.decode("utf-8-sig")
    assert pd.read_csv(out, encoding="utf-8-sig")["rep"].str.contains("张伟").any()


def test_formatted_amounts_are_refused_with_what_to_write(tmp_path, capsys):
    df = pd.read_csv(PERF, dtype=str, keep_default_na=False)
    df.loc[1, "credited"] = "1,234.50"
    bad = tmp_path / "formatted.csv"
    df.to_csv(bad, index=False)
    assert main(["payouts", PLAN, str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "formatted.csv: credited: '1,234.50' on row 3 is not a number" in err
    assert "such as 1234.50" in err and "\n" not in err
