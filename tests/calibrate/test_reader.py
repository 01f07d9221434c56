"""Reading messy exports: amounts, dates, encodings (UTF-8 with/without BOM, GBK) and Excel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salessim.calibrate.reader import detect_currency, parse_amounts, parse_dates, read_table
from salessim.errors import SalessimError

AMOUNTS = [  # (text, value): hand-written
    ("$12,345.00", 12345.0), ("USD 1 000", 1000.0), ("¥1,234", 1234.0), ("￥9,564.00", 9564.0),
    ("1.234,56 €", 1234.56), ("1.234.567", 1234567.0), ("12,5", 12.5), ("(500)", -500.0), ("-3", -3.0),
    ("12 345,00 元", 12345.0), ("", np.nan), ("n/a", np.nan), ("12-34", np.nan),
]


@pytest.mark.parametrize(("text", "value"), AMOUNTS)
def test_amounts(text: str, value: float) -> None:
    got = parse_amounts(pd.Series([text]))[0]
    assert (np.isnan(got) and np.isnan(value)) or got == pytest.approx(value)


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_amount_formats_round_trip(x) -> None:
    v = float(x)
    us = f"${v:,.2f}"
    eu = f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " €"
    got = parse_amounts(pd.Series([us, eu, f"{v:.2f}"]))
    assert got.tolist() == pytest.approx([v, v, v])


DATES = [
    ("2026-03-05", "2026-03-05"), ("2026/03/05 14:22", "2026-03-05"), ("03/05/2026", "2026-03-05"),
    ("5.3.2026", "2026-03-05"), ("2026年3月5日", "2026-03-05"), ("05-Mar-2026", "2026-03-05"),
    ("2026-03-05T14:22:00Z", "2026-03-05"), ("46086", "2026-03-05"), ("2026-02-30", None), ("soon", None), ("", None),
]


@pytest.mark.parametrize(("text", "iso"), DATES)
def test_dates(text: str, iso: str | None) -> None:
    got = parse_dates(pd.Series([text]))[0]
    assert (pd.isna(got) and iso is None) or got == pd.Timestamp(iso)


def test_dayfirst_switches_ambiguous_dates() -> None:
    s = pd.Series(["03/05/2026", "25/12/2026"])
    assert parse_dates(s, dayfirst=True).tolist() == [pd.Timestamp("2026-05-03"), pd.Timestamp("2026-12-25")]
    # Month-first by default, but a day > 12 can only be day-first.
    assert parse_dates(s).tolist() == [pd.Timestamp("2026-03-05"), pd.Timestamp("2026-12-25")]


FRAME = pd.DataFrame({"商机名称 ": ["商机-1", "商机-2"], "负责人": ["张伟 ", "王芳"], "金额": ["￥1,000.00", "2000"]})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_give_the_same_table(tmp_path, encoding: str) -> None:
    path = tmp_path / f"export-{encoding}.csv"
    FRAME.to_csv(path, index=False, encoding=encoding)
    df, used = read_table(path)
    assert list(df.columns) == ["商机名称", "负责人", "金额"]  # BOM and trailing spaces gone
    assert df["负责人"].tolist() == ["张伟", "王芳"]
    assert df.index.tolist() == [2, 3]  # file lines
    assert used == ("gb18030" if encoding == "gbk" else "utf-8-sig")


def test_excel_and_semicolon_csv(tmp_path) -> None:
    FRAME.to_excel(tmp_path / "x.xlsx", index=False)
    df, used = read_table(tmp_path / "x.xlsx")
    assert used == "excel" and df["金额"].tolist() == ["￥1,000.00", "2000"]
    (tmp_path / "semi.csv").write_text("id;amount\nA;1.234,50\n", encoding="utf-8")
    df, _ = read_table(tmp_path / "semi.csv")
    assert parse_amounts(df["amount"]).tolist() == [1234.5]


def test_unreadable_files_are_one_line_errors(tmp_path) -> None:
    with pytest.raises(SalessimError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(SalessimError, match="empty"):
        read_table(tmp_path / "empty.csv")


def test_currency_detection() -> None:
    assert detect_currency(pd.Series(["$1,000", "$20"])) == "USD"
    assert detect_currency(pd.Series(["￥1,000"])) == "CNY"
    assert detect_currency(pd.Series(["1000", "€5"] + ["$3"])) is None  # two currencies: no guess
