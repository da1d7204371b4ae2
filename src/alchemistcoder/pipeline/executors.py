"""Executors: where a data-parallel stage's shards run. The same stage function runs on each.

- ``inprocess``: one shard after another in this process (debugging, tiny runs).
- ``local``: a process pool of ``run.workers`` processes (``spawn``, so a worker never inherits a
  half-initialised torch or tokenizer from the driver).
- ``ray``: Ray Data — the shards become a dataset of rows and ``map_batches`` applies the stage to each;
  ``run.ray_address`` joins an existing cluster, otherwise a local head is started on 127.0.0.1.

Every executor hands a shard to :func:`run_shard` as serialized rows and gets serialized rows back, so the
stage function sees exactly the same input everywhere; results come back as shards finish, in any order
(the pipeline writes each shard's files by its index).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext, resolve_function

ShardResult = tuple[int, list[Sample], dict[str, Any]]
EXECUTORS = ("inprocess", "local", "ray")


def encode_samples(samples: list[Sample]) -> bytes:
    """Samples as one JSON array (what travels to and from workers)."""
    return orjson.dumps([s.to_dict() for s in samples])


def decode_samples(payload: bytes) -> list[Sample]:
    """The inverse of :func:`encode_samples`."""
    return [Sample.from_dict(d) for d in orjson.loads(payload)]


def run_shard(fn_ref: Callable[..., Any] | str, payload: bytes, section: Any, ctx: StageContext) -> tuple[bytes, dict[str, Any]]:
    """Apply a stage function to one serialized shard; returns the serialized output and ``ctx.stats``."""
    fn = resolve_function(fn_ref)
    ctx = ctx.for_worker()
    out = list(fn(decode_samples(payload), section, ctx))
    return encode_samples(out), dict(ctx.stats)


class InProcessExecutor:
    """Runs shards one by one in the driver process."""

    def map_shards(
        self, fn: Callable[..., Any] | str, shards: list[tuple[int, list[Sample]]], section: Any, ctx: StageContext
    ) -> Iterator[ShardResult]:
        wctx = ctx.for_worker()
        for index, samples in shards:
            # through the serialized form, like the other executors, so a stage cannot depend on sharing
            out, stats = run_shard(fn, encode_samples(samples), section, wctx)
            yield index, decode_samples(out), stats


class LocalExecutor:
    """Runs shards on a pool of worker processes on this machine."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def map_shards(
        self, fn: Callable[..., Any] | str, shards: list[tuple[int, list[Sample]]], section: Any, ctx: StageContext
    ) -> Iterator[ShardResult]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        wctx = ctx.for_worker()
        workers = min(self.workers, max(1, len(shards)))
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(run_shard, fn, encode_samples(s), section, wctx): i for i, s in shards}
            for future in as_completed(futures):
                out, stats = future.result()
                yield futures[future], decode_samples(out), stats


class RayExecutor:
    """Runs shards as a Ray Data ``map_batches`` over a dataset with one row per shard."""

    def __init__(self, address: str | None, workers: int) -> None:
        self.address = address
        self.workers = max(1, workers)

    def _init(self) -> None:
        import os

        if not self.address and "ray" not in sys.modules:
            # Ray resolves 127.0.0.1 to the machine's public address unless "cluster mode" is off; a private
            # local head should listen on the loopback interface only.
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        import ray

        if ray.is_initialized():
            return
        if self.address:
            ray.init(address=self.address, log_to_driver=False)
        else:
            # A private local head bound to the loopback address: nothing is exposed to the network.
            ray.init(
                num_cpus=self.workers,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                log_to_driver=False,
                object_store_memory=256 * 1024 * 1024,
            )

    def map_shards(
        self, fn: Callable[..., Any] | str, shards: list[tuple[int, list[Sample]]], section: Any, ctx: StageContext
    ) -> Iterator[ShardResult]:
        import ray
        import ray.data

        self._init()
        data_ctx = ray.data.DataContext.get_current()
        data_ctx.enable_progress_bars = False
        if callable(fn) and not fn.__module__.startswith("alchemistcoder"):
            # a function from outside the package (a user's module, a test) travels by value, since the
            # workers may not be able to import its module
            module = sys.modules.get(fn.__module__)
            if module is not None and fn.__module__ != "__main__":
                ray.cloudpickle.register_pickle_by_value(module)
        wctx = ctx.for_worker()
        items = [{"index": i, "payload": encode_samples(s)} for i, s in shards]
        ds = ray.data.from_items(items, override_num_blocks=max(1, len(items)))
        ds = ds.map_batches(
            _apply_shards,
            batch_size=1,
            batch_format="pyarrow",
            fn_kwargs={"fn_ref": fn, "section": section, "ctx": wctx},
        )
        for row in ds.iter_rows():
            yield int(row["index"]), decode_samples(row["payload"]), orjson.loads(row["stats"])


def _apply_shards(batch: Any, fn_ref: Any, section: Any, ctx: StageContext) -> Any:
    """Ray Data batch function: a batch is a pyarrow table of shard rows (``index``, ``payload``)."""
    import pyarrow as pa

    indexes, payloads, stats = [], [], []
    for index, payload in zip(batch.column("index").to_pylist(), batch.column("payload").to_pylist(), strict=True):
        out, st = run_shard(fn_ref, payload, section, ctx)
        indexes.append(index)
        payloads.append(out)
        stats.append(orjson.dumps(st))
    return pa.table({"index": indexes, "payload": pa.array(payloads, pa.binary()), "stats": pa.array(stats, pa.binary())})


def make_executor(settings: Any) -> InProcessExecutor | LocalExecutor | RayExecutor:
    """The executor named by ``run.executor`` (``inprocess``, ``local`` or ``ray``)."""
    import os

    workers = settings.workers or os.cpu_count() or 1
    if settings.executor == "inprocess":
        return InProcessExecutor()
    if settings.executor == "local":
        return LocalExecutor(workers)
    if settings.executor == "ray":
        return RayExecutor(settings.ray_address, workers)
    raise ValueError(f"run.executor: unknown executor {settings.executor!r} (use one of {', '.join(EXECUTORS)})")
