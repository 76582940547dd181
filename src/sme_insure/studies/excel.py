"""Excel output of a study's tables for actuaries (openpyxl): one sheet per table.

Figures are written as numbers (not text) so that they can be worked with; a missing figure is an
empty cell in a row whose ``flag`` column says why, and a ``flags`` sheet explains every flag.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sme_insure.studies.study import StudyResult
from sme_insure.studies.vocabulary import Flag


def sheets(result: StudyResult) -> dict[str, pd.DataFrame]:
    """Every table of the study, by sheet name."""
    out = {
        "indication": result.indication.quantities,
        "periods": result.indication.periods,
        "development": result.development.origins,
        "one_way": result.one_way,
        "glm": result.relativities,
        "actual_vs_expected": result.actual_vs_expected,
    }
    if result.proposal is not None:
        for label, diff in result.proposal.diffs.items():
            out[f"draft {label}"[:31]] = diff
    if result.impact is not None:
        imp = result.impact
        out |= {
            "impact_overall": imp.overall,
            "impact_segments": imp.segments,
            "impact_distribution": imp.distribution,
            "impact_percentiles": imp.percentiles,
            "impact_beyond_cap": imp.beyond,
        }
    out["issues"] = result.issues
    out["flags"] = pd.DataFrame(
        {"flag": [f.value for f in Flag], "meaning": [f.text for f in Flag]}
    )
    return out


def write_excel(result: StudyResult, path: Path) -> Path:
    """Write every table to one workbook."""
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, frame in sheets(result).items():
            frame.to_excel(xl, sheet_name=name, index=False)
    return path
