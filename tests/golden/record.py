"""Re-record the golden digests: ``python -m tests.golden.record`` (``make golden``).

``--diff`` records nothing and prints, per case, the tables whose digests moved and the KPIs that
changed by more than 1e-9 (relative), to write in the commit message why and by how much.
"""

from __future__ import annotations

import argparse
import json

from tqdm import tqdm

from tests.golden.cases import GOLDEN, cases, record, run_case


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--diff", action="store_true", help="compare with golden.json, write nothing")
    args = ap.parse_args()
    old = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    new = {cid: record(run_case(*case)) for cid, case in tqdm(cases().items(), desc="golden cases")}
    if not args.diff:
        GOLDEN.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
        print(f"wrote {len(new)} cases to {GOLDEN.relative_to(GOLDEN.parents[2])}")
        return
    moved = 0
    for cid, rec in new.items():
        was = old.get(cid)
        if was is None:
            print(f"{cid}: new case")
            continue
        tables = [t for t in rec["digest"] if rec["digest"][t] != was["digest"].get(t)]
        exact = [t for t in rec["exact"] if rec["exact"][t] != was["exact"].get(t)]
        if tables or exact:
            moved += 1
            print(f"{cid}: tables moved {tables or '-'}; exact bits moved {exact or '-'}")
            for k, v in rec["kpis"].items():
                w = was["kpis"].get(k)
                if w is None or abs(v - w) > 1e-9 * max(abs(w), 1.0):
                    print(f"    {k}: {w} -> {v}")
    print(f"{moved} of {len(new)} cases moved")


if __name__ == "__main__":
    main()
