"""Write a grade report as CSV: one row per input file, one column per check, the total and the flags."""
from __future__ import annotations

import csv

from autograder.model.format import CSV_ENCODING
from autograder.model.results import Report
from autograder.model.spec import Spec


def write_csv(report: Report, spec: Spec, path: str, lang: str = "ja", encoding: str = CSV_ENCODING) -> None:
    """UTF-8 with BOM by default, so that Japanese Excel opens it correctly."""
    ids = [c.id for c in spec.checks]
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "student_id", "status", "score", "max_score", *ids, "flags", "error"])
        for s in report.submissions:
            by_id = {c.id: c.points for c in s.checks}
            error = (s.error_en if lang == "en" else s.error) or ""
            w.writerow([s.file, s.student_id or "", s.status, f"{s.score:g}", f"{s.max_score:g}",
                        *[f"{by_id[i]:g}" if i in by_id else "" for i in ids],
                        ";".join(f.kind for f in s.flags), error])
