"""Rate studies: experience, one-way analyses, GLM relativities, credibility, indication,
proposed draft tables and their impact, on pandas or Dask.

Flow (:func:`run_study`): exposure rows (:mod:`.book`) and claim transactions → scan and
development with the reserving module (:mod:`.development`, :mod:`.losses`) → experience cells,
partition by partition (:mod:`.experience`, on :mod:`.engine`) → one-way tables (:mod:`.one_way`),
GLM (:mod:`.glm`), credibility (:mod:`.credibility`), overall indication (:mod:`.indication`) →
draft tables with the off-balance (:mod:`.proposal`, :mod:`.filing`) → impact on the in-force book
(:mod:`.impact`, :mod:`.dislocation`) → HTML report and Excel (:mod:`.report`, :mod:`.excel`).
:mod:`.synthetic` makes books with known truth for the demo and the tests.
"""

from __future__ import annotations

from sme_insure.studies.config import StudyConfig, load_study_config, parse_study_config
from sme_insure.studies.demo import book_for, demo_truth, write_demo
from sme_insure.studies.engine import DaskEngine, PandasEngine
from sme_insure.studies.excel import write_excel
from sme_insure.studies.report import render, write_html
from sme_insure.studies.study import StudyResult, run_study, write_proposal
from sme_insure.studies.synthetic import SyntheticBook, SyntheticSpec, Truth, synthetic_book
from sme_insure.studies.vocabulary import (
    ComplementKind,
    CredibilityMethod,
    EngineKind,
    ExposureBase,
    Flag,
    IndicationMethod,
    ModelKind,
    OnLevelMethod,
)

__all__ = [
    "ComplementKind",
    "CredibilityMethod",
    "DaskEngine",
    "EngineKind",
    "ExposureBase",
    "Flag",
    "IndicationMethod",
    "ModelKind",
    "OnLevelMethod",
    "PandasEngine",
    "StudyConfig",
    "StudyResult",
    "SyntheticBook",
    "SyntheticSpec",
    "Truth",
    "book_for",
    "demo_truth",
    "load_study_config",
    "parse_study_config",
    "render",
    "run_study",
    "synthetic_book",
    "write_demo",
    "write_excel",
    "write_html",
    "write_proposal",
]
