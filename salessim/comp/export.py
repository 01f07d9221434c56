"""Write statements where analysts read them: CSV, Parquet, or an Excel workbook with a
line-item sheet, a per-rep summary sheet and a per-period sheet (openpyxl)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from salessim.comp.payout import summary
from salessim.comp.plan import PlanError
from salessim.text_files import CSV_ENCODING


def write_statements(statements: pd.DataFrame, path: str | Path) -> Path:
    """Write statements to ``.csv`` (UTF-8 with a byte-order mark, so that Excel shows names in
    any script, 张伟 included), ``.parquet`` or ``.xlsx`` (sheets: ``line items``, ``summary by
    rep`` (one row per rep and fiscal year), ``by period``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        statements.to_csv(path, index=False, float_format="%.10g", encoding=CSV_ENCODING)
    elif suffix == ".parquet":
        statements.assign(item=statements["item"].astype("string")).to_parquet(path, index=False)
    elif suffix in (".xlsx", ".xlsm"):
        per_rep = summary(statements, by="fiscal_year")
        per_period = summary(statements, by="period")
        lines = statements.assign(item=statements["item"].astype("string"))
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            for name, df in (("line items", lines), ("summary by rep", per_rep), ("by period", per_period)):
                df.to_excel(xl, sheet_name=name, index=False)
                ws = xl.sheets[name]
                ws.freeze_panes = "A2"
                for col_cells in ws.columns:
                    header = str(col_cells[0].value)
                    width = 80 if header == "explanation" else max(10, min(24, len(header) + 2))
                    ws.column_dimensions[col_cells[0].column_letter].width = width
                    if header in ("amount", "credited", "quota") or name != "line items" and header not in ("rep", "period", "fiscal_year"):
                        for c in col_cells[1:]:
                            c.number_format = "#,##0.00"
                    elif header == "attainment":
                        for c in col_cells[1:]:
                            c.number_format = "0.0%"
    else:
        raise PlanError(f"{path}: unsupported output format '{suffix}' (use .csv, .xlsx or .parquet)")
    return path
