"""The Dask engine runs the same partition tasks as pandas and gives exactly the same results,
on Dask's synchronous scheduler and on a (threaded, in-process) distributed cluster."""

from __future__ import annotations

import pandas as pd
import pytest
from study_support import study_config

from sme_insure.studies import DaskEngine, PandasEngine, run_study


@pytest.fixture(scope="module")
def pandas_result(small_book, tmp_path_factory):
    tables = tmp_path_factory.mktemp("unused")
    del tables
    return run_study(study_config(small_book), engine=PandasEngine(chunk_rows=7_000))


def _assert_same(a, b):
    pd.testing.assert_frame_equal(a.experience.cells, b.experience.cells, check_exact=True)
    pd.testing.assert_frame_equal(a.one_way, b.one_way, check_exact=True)
    pd.testing.assert_frame_equal(a.relativities, b.relativities, check_exact=True)
    pd.testing.assert_frame_equal(
        a.indication.quantities, b.indication.quantities, check_exact=True
    )
    pd.testing.assert_frame_equal(a.issues, b.issues, check_exact=True)
    pd.testing.assert_frame_equal(a.impact.table, b.impact.table, check_exact=True)
    assert a.proposal.off_balance == b.proposal.off_balance
    for x, y in zip(a.proposal.drafts, b.proposal.drafts, strict=True):
        pd.testing.assert_frame_equal(x.frame, y.frame, check_exact=True)


def test_dask_synchronous_equals_pandas_exactly(pandas_result, small_book):
    engine = DaskEngine(scheduler="synchronous", partitions=5, batch=2)
    dask_result = run_study(study_config(small_book), engine=engine)
    assert dask_result.records is None  # policy-level records stay on the workers
    _assert_same(pandas_result, dask_result)


def test_dask_distributed_cluster_equals_pandas_exactly(pandas_result, small_book):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        engine = DaskEngine(scheduler=cluster.scheduler_address, partitions=3)
        dask_result = run_study(study_config(small_book), engine=engine)
    _assert_same(pandas_result, dask_result)


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # dask's own parquet code
def test_engine_from_parquet_partitions_equals_in_memory(small_book, tmp_path):
    """A book read by Dask from a partitioned Parquet dataset (rows of a policy together)."""
    import dask.dataframe as dd

    frame = pd.read_parquet(small_book / "book.parquet")
    dd.from_pandas(frame, npartitions=4, sort=False).to_parquet(tmp_path / "book")
    from sme_insure.studies.engine import DaskEngine as Engine
    from sme_insure.studies.experience import ScanTask
    from sme_insure.studies.inputs import load_inputs
    from sme_insure.studies.periods import PeriodGrid

    config = study_config(small_book)
    inputs = load_inputs(config)
    grid = PeriodGrid.between(
        config.experience.start, config.valuation_date, config.experience.grain
    )
    task = ScanTask(inputs.spec, grid, config.valuation_date)
    on_disk = Engine(scheduler="threads").run(tmp_path / "book", task)
    in_memory = PandasEngine().run(frame, task)
    pd.testing.assert_frame_equal(on_disk, in_memory, check_exact=True)
