"""Where partition tasks run: pandas in memory, or Dask (local cluster, local scheduler, cluster).

A task is a picklable callable from a pandas partition to a small pandas frame, with
``combine(frames)`` to add partial results up and ``meta()`` describing its output. Both engines
run the same task code on pandas frames; tasks sum integers only, so the result does not depend on
the partitioning and the engines agree exactly.

Dask scheduler: ``None`` starts a ``distributed.LocalCluster`` (needs the ``distributed``
package); ``synchronous``, ``threads`` or ``processes`` use Dask's local schedulers; anything else
is the address of a running scheduler (``tcp://host:8786``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sme_insure.errors import ConfigurationError, Issue
from sme_insure.studies.book import check_readable, is_parquet, read_table
from sme_insure.studies.config import EngineConfig
from sme_insure.studies.vocabulary import EngineKind

LOCAL_SCHEDULERS = ("synchronous", "threads", "processes")
Source = pd.DataFrame | Path | Any  # a pandas frame, a CSV/Parquet path or a dask DataFrame


class Task(Protocol):
    """A partition task (see the module docstring)."""

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame: ...

    def combine(self, parts: list[pd.DataFrame]) -> pd.DataFrame: ...

    def meta(self) -> pd.DataFrame: ...


class Engine(Protocol):
    """Runs a task over every partition of a source and combines the results."""

    kind: EngineKind

    def run(self, source: Source, task: Task) -> pd.DataFrame: ...


@dataclass(frozen=True)
class CountTask:
    """Rows of the source."""

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"rows": [len(part)]})

    def combine(self, parts: list[pd.DataFrame]) -> pd.DataFrame:
        """Total rows."""
        return pd.DataFrame({"rows": [int(sum(int(p["rows"].sum()) for p in parts))]})

    def meta(self) -> pd.DataFrame:
        """Output columns."""
        return pd.DataFrame({"rows": pd.Series(dtype=np.int64)})


def _is_dask(source: object) -> bool:
    return type(source).__module__.startswith("dask")


@dataclass
class PandasEngine:
    """In memory, in chunks of ``chunk_rows`` (to bound the rater's working memory)."""

    chunk_rows: int = 500_000
    kind: EngineKind = EngineKind.PANDAS

    def frame(self, source: Source) -> pd.DataFrame:
        """The whole source as one pandas frame."""
        if isinstance(source, Path):
            return read_table(source)
        return source.compute() if _is_dask(source) else source

    def chunks(self, source: Source) -> Iterator[pd.DataFrame]:
        """Consecutive slices of the source."""
        frame = self.frame(source)
        for start in range(0, max(len(frame), 1), self.chunk_rows):
            yield frame.iloc[start : start + self.chunk_rows]

    def run(self, source: Source, task: Task) -> pd.DataFrame:
        return task.combine([task(chunk) for chunk in self.chunks(source)])


@dataclass
class DaskEngine:
    """Partition by partition on Dask; results gathered in batches and combined as they come."""

    scheduler: str | None = None
    partitions: int = 8
    batch: int = 16
    kind: EngineKind = EngineKind.DASK
    _client: Any = field(default=None, repr=False)

    def to_dask(self, source: Source) -> Any:
        """A dask DataFrame of the source (pandas frames split into ``partitions``)."""
        import dask.dataframe as dd

        if _is_dask(source):
            return source
        if isinstance(source, Path):
            check_readable(source)
            if is_parquet(source):
                return dd.read_parquet(source)
            return dd.read_csv(source, dtype=str, keep_default_na=False, na_values=[""])
        return dd.from_pandas(source, npartitions=self.partitions, sort=False)

    def _compute(self, items: list[Any]) -> list[pd.DataFrame]:
        import dask

        if self._client is not None:
            return list(self._client.gather(self._client.compute(items)))
        return list(dask.compute(*items, scheduler=self.scheduler or "threads"))

    def run(self, source: Source, task: Task) -> pd.DataFrame:
        import dask

        parts = self.to_dask(source).to_delayed()
        run = dask.delayed(task, pure=True)
        acc: list[pd.DataFrame] = []
        for start in range(0, len(parts), self.batch):
            done = self._compute([run(p) for p in parts[start : start + self.batch]])
            acc = [task.combine([*acc, *done])]
        return acc[0] if acc else task.combine([task.meta()])

    @contextmanager
    def connected(self) -> Iterator[DaskEngine]:
        """Start (or connect to) a distributed scheduler for the duration of a study."""
        if self.scheduler in LOCAL_SCHEDULERS:
            yield self
            return
        client, cluster = _client(self.scheduler)
        self._client = client
        try:
            yield self
        finally:
            self._client = None
            client.close()
            if cluster is not None:
                cluster.close()


def _client(address: str | None) -> tuple[Any, Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ConfigurationError(
            [
                Issue(
                    "engine.scheduler",
                    address,
                    "a local cluster or a "
                    "scheduler address needs the `distributed` package; "
                    f"or use one of {list(LOCAL_SCHEDULERS)}",
                )
            ]
        ) from error
    if address is None:
        cluster = LocalCluster(processes=True, dashboard_address=None)
        return Client(cluster, set_as_default=False), cluster
    return Client(address, set_as_default=False), None


def make_engine(cfg: EngineConfig) -> PandasEngine | DaskEngine:
    """The engine a configuration names."""
    if cfg.kind is EngineKind.PANDAS:
        return PandasEngine()
    return DaskEngine(scheduler=cfg.scheduler, partitions=cfg.partitions)


@contextmanager
def running(engine: PandasEngine | DaskEngine) -> Iterator[PandasEngine | DaskEngine]:
    """Connect a Dask engine for the duration of the block (no-op for pandas)."""
    if isinstance(engine, DaskEngine):
        with engine.connected() as connected:
            yield connected
    else:
        yield engine
