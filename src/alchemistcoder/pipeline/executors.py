"""Executors: where the per-shard work of a data stage runs. The same task function runs on each.

- ``inprocess``: one task after another in this process (debugging, tiny runs).
- ``local``: a process pool of ``run.workers`` processes (``spawn``, so a worker never inherits a
  half-initialised torch or tokenizer from the driver), kept for the whole stage so per-process caches
  (the decontamination index, the extraction cache) serve every step.
- ``ray``: Ray Data — the tasks become a dataset of rows and ``map_batches`` runs each;
  ``run.ray_address`` joins an existing cluster, otherwise a local head is started on 127.0.0.1.

A task is a picklable function with picklable arguments; in this package it is
``pipeline.steps.run_map_shard``, which reads its shard from the run directory and writes its results
there, so only file names and small records travel (a Ray cluster needs the run directory on storage that
every node sees). Results come back as tasks finish, in any order, with the index they were given.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Iterator
from typing import Any

Task = tuple[int, tuple[Any, ...]]
EXECUTORS = ("inprocess", "local", "ray")


class InProcessExecutor:
    """Runs tasks one by one in the driver process."""

    def run_tasks(self, fn: Callable[..., Any], tasks: list[Task]) -> Iterator[tuple[int, Any]]:
        for index, args in tasks:
            yield index, fn(*args)

    def close(self) -> None:
        """Nothing to release."""


class LocalExecutor:
    """Runs tasks on a pool of worker processes on this machine (started on first use, closed by close())."""

    def __init__(self, workers: int, sandbox_workers: int = 0) -> None:
        from alchemistcoder.sandbox.budget import worker_share

        self.workers = max(1, workers)
        self.sandbox_workers = worker_share(self.workers, sandbox_workers)
        self._pool: Any = None

    def run_tasks(self, fn: Callable[..., Any], tasks: list[Task]) -> Iterator[tuple[int, Any]]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if self._pool is None:
            from alchemistcoder.sandbox.budget import set_sandbox_workers

            # each worker runs its share of the run's sandbox budget, not one sandbox per core
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=set_sandbox_workers, initargs=(self.sandbox_workers,))
        futures = {self._pool.submit(fn, *args): index for index, args in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class RayExecutor:
    """Runs tasks as a Ray Data ``map_batches`` over a dataset with one row per task."""

    def __init__(self, address: str | None, workers: int, sandbox_workers: int = 0) -> None:
        from alchemistcoder.sandbox.budget import worker_share

        self.address = address
        self.workers = max(1, workers)
        self.sandbox_workers = worker_share(self.workers, sandbox_workers)

    def _init(self) -> None:
        import os

        if not self.address and "ray" not in sys.modules:
            # Ray resolves 127.0.0.1 to the machine's public address unless "cluster mode" is off; a private
            # local head should listen on the loopback interface only.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        import ray

        if ray.is_initialized():
            return
        from alchemistcoder.sandbox.budget import ENV

        # each worker runs its share of the run's sandbox budget, not one sandbox per core
        runtime_env = {"env_vars": {ENV: str(self.sandbox_workers)}}
        if self.address:
            ray.init(address=self.address, log_to_driver=False, runtime_env=runtime_env)
        else:
            # A private local head bound to the loopback address: nothing is exposed to the network.
            ray.init(
                num_cpus=self.workers,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                log_to_driver=False,
                object_store_memory=256 * 1024 * 1024,
                runtime_env=runtime_env,
            )

    def run_tasks(self, fn: Callable[..., Any], tasks: list[Task]) -> Iterator[tuple[int, Any]]:
        import ray
        import ray.data

        self._init()
        data_ctx = ray.data.DataContext.get_current()
        data_ctx.enable_progress_bars = False
        for value in _callables(tasks):
            if not (value.__module__ or "").startswith("alchemistcoder"):
                # a function from outside the package (a user's module, a test) travels by value, since the
                # workers may not be able to import its module
                module = sys.modules.get(value.__module__)
                if module is not None and value.__module__ != "__main__":
                    ray.cloudpickle.register_pickle_by_value(module)
        items = [{"index": i, "task": ray.cloudpickle.dumps((fn, args))} for i, args in tasks]
        if not items:
            return
        ds = ray.data.from_items(items, override_num_blocks=len(items))
        ds = ds.map_batches(_apply_tasks, batch_size=1, batch_format="pyarrow")
        for row in ds.iter_rows():
            yield int(row["index"]), pickle.loads(row["result"])

    def close(self) -> None:
        """The Ray session stays up for later stages (and belongs to the caller when it joined a cluster)."""


def _callables(tasks: list[Task]) -> Iterator[Any]:
    """Functions among the tasks' arguments, looking into dataclasses and partials (a map job's step)."""
    import dataclasses
    import functools
    import types

    def walk(value: Any, depth: int) -> Iterator[Any]:
        if isinstance(value, types.FunctionType):
            yield value
        elif depth and isinstance(value, functools.partial):
            for v in (value.func, *value.args):
                yield from walk(v, depth - 1)
        elif depth and dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                yield from walk(getattr(value, f.name), depth - 1)

    for _index, args in tasks[:1]:  # every task of a step refers to the same functions
        for arg in args:
            yield from walk(arg, 4)


def _apply_tasks(batch: Any) -> Any:
    """Ray Data batch function: a batch is a pyarrow table of task rows (``index``, ``task``)."""
    import pyarrow as pa

    indexes, results = [], []
    for index, payload in zip(batch.column("index").to_pylist(), batch.column("task").to_pylist(), strict=True):
        fn, args = pickle.loads(payload)
        indexes.append(index)
        results.append(pickle.dumps(fn(*args)))
    return pa.table({"index": indexes, "result": pa.array(results, pa.binary())})


def make_executor(settings: Any) -> InProcessExecutor | LocalExecutor | RayExecutor:
    """The executor named by ``run.executor`` (``inprocess``, ``local`` or ``ray``)."""
    import os

    workers = settings.workers or os.cpu_count() or 1
    sandbox_workers = getattr(settings, "sandbox_workers", 0)
    if sandbox_workers:
        from alchemistcoder.sandbox.budget import set_sandbox_workers

        set_sandbox_workers(sandbox_workers)  # an explicit budget is the driver's too (inprocess tasks, evaluation)
    if settings.executor == "inprocess":
        return InProcessExecutor()
    if settings.executor == "local":
        return LocalExecutor(workers, sandbox_workers)
    if settings.executor == "ray":
        return RayExecutor(settings.ray_address, workers, sandbox_workers)
    raise ValueError(f"run.executor: unknown executor {settings.executor!r} (use one of {', '.join(EXECUTORS)})")
