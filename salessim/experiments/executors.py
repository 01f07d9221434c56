"""Executors: where the runs of an experiment are computed.

* :class:`SerialExecutor`: in this process, one after the other.
* :class:`ProcessExecutor`: local worker processes (default: all cores), started with
  ``spawn`` (never ``fork``: safe in Jupyter and with threads; workers see the parent's
  ``sys.path``, so they import the same salessim as the caller).
* :class:`DaskExecutor`: a Dask distributed cluster (a ``dask.distributed.Client`` or a
  scheduler address), for work that outgrows one machine.

Each run is a pure function of its task (scenario + seed sequence), so the results are
identical whatever the executor and the number of workers; only their completion order differs.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from salessim.errors import SalessimError


class Executor:
    """Computes ``fn(task)`` for every task; yields results as they complete (any order)."""

    workers: int = 1
    #: Whether workers see the caller's file system (then they write run folders themselves;
    #: otherwise they send the tables back and the caller writes them).
    shares_files: bool = True

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (no-op for executors that hold none)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Runs every task in the calling process, in order."""

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        for task in tasks:
            yield fn(task)

    def __repr__(self) -> str:
        return "SerialExecutor()"


class ProcessExecutor(Executor):
    """Local worker processes. ``workers`` defaults to the number of usable cores.

    The workers start on first use and are kept until :meth:`close` (use it as a context manager
    to reuse warm workers across several experiments). At most 2 tasks per worker are in flight,
    so an interruption (Ctrl-C, an error) stops after the runs already started.

    Tasks with the same ``affinity`` (the runner's: the scenario) go to the same worker while it
    has any left, so each worker builds a scenario's org layout and value tables once (that
    set-up costs about as much as a run): a worker that runs out takes a scenario no other worker
    is on, and only when none is left shares the largest remaining one. Which worker computes a
    run never changes its result (runs are pure functions of their task).
    """

    def __init__(self, workers: int | None = None, start_method: str = "spawn") -> None:
        n = workers if workers is not None else _usable_cores()
        if not isinstance(n, int) or n < 1:
            raise SalessimError(f"workers: must be a whole number >= 1, got {workers!r}")
        self.workers = n
        if start_method not in ("spawn", "forkserver"):
            raise SalessimError(f"start_method: use 'spawn' or 'forkserver', got {start_method!r}")
        self.start_method = start_method
        self._pools: list[ProcessPoolExecutor] | None = None  # one single-process pool per worker

    def _ensure_pools(self) -> list[ProcessPoolExecutor]:
        if self._pools is None:
            # No forkserver preload: Python 3.11's fork server ignores the caller's sys.path when
            # preloading, and could import another salessim than the caller's.
            ctx = mp.get_context(self.start_method)
            self._pools = [ProcessPoolExecutor(max_workers=1, mp_context=ctx) for _ in range(self.workers)]
        return self._pools

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        pools = self._ensure_pools()
        queue = _AffinityQueue(tasks, len(pools))
        running: dict[Future, int] = {}  # future -> worker
        in_flight = [0] * len(pools)
        try:
            while True:
                for w, pool in enumerate(pools):
                    while in_flight[w] < 2 and (task := queue.next_for(w)) is not None:
                        running[pool.submit(fn, task)] = w
                        in_flight[w] += 1
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    in_flight[running.pop(fut)] -= 1
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        self._shutdown(wait=False)
                        raise SalessimError(
                            "worker processes stopped abruptly: out of memory, killed, or a script "
                            "without an `if __name__ == \"__main__\":` guard (see docs/experiments.md)"
                        ) from None
                    yield result
        finally:
            for fut in running:
                fut.cancel()
            if running:  # interrupted: let started runs finish so workers stay consistent
                wait(running)

    def _shutdown(self, wait: bool) -> None:
        for pool in self._pools or ():
            pool.shutdown(wait=wait, cancel_futures=True)
        self._pools = None

    def close(self) -> None:
        self._shutdown(wait=True)

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers}, start_method={self.start_method!r})"


class _AffinityQueue:
    """Tasks grouped by ``task.affinity`` (in order of first appearance), handed to workers so that
    each stays on one group until it is empty (see :class:`ProcessExecutor`)."""

    def __init__(self, tasks: Iterable[Any], workers: int) -> None:
        self.groups: dict[Any, deque] = {}
        for task in tasks:
            self.groups.setdefault(getattr(task, "affinity", None), deque()).append(task)
        self.on: list[Any] = [_NONE] * workers  # the group each worker is on

    def next_for(self, w: int) -> Any | None:
        group = self.groups.get(self.on[w])
        if not group:
            left = [k for k, g in self.groups.items() if g]
            if not left:
                return None
            others = set(self.on[:w] + self.on[w + 1 :])
            free = [k for k in left if k not in others]
            self.on[w] = free[0] if free else max(left, key=lambda k: len(self.groups[k]))
            group = self.groups[self.on[w]]
        return group.popleft()


_NONE = object()  # a worker on no group yet


class ReuseExecutor(Executor):
    """Wraps an executor and answers a run it has already computed from memory.

    A notebook or script that runs the same scenario with the same seed in two experiments (a
    baseline shared by a stress test and an ROI study, today's organisation in two comparisons)
    computes it once. Runs are pure functions of their task, and a task's ``run_id`` hashes the
    resolved scenario, the seed and the code version, so the answer is the one a new run would
    give; the record is handed out as a copy (a pickle round trip, as from a worker process), with
    the asking experiment's label. Only runs without a results store are kept (a store already
    skips finished runs); memory: one record per distinct run (whole results when kept).
    Closing closes the wrapped executor.
    """

    def __init__(self, executor: Any = None) -> None:
        self.inner, self._own = resolve_executor(executor)
        self.workers = self.inner.workers
        self.shares_files = self.inner.shares_files
        self._memo: dict[tuple, bytes] = {}
        self.reused = 0  # runs answered from memory so far

    @staticmethod
    def _key(fn: Callable[[Any], Any], task: Any) -> tuple | None:
        if getattr(task, "store_root", None) is not None or getattr(task, "return_tables", False):
            return None
        run_id = getattr(task, "run_id", None)
        if run_id is None:
            return None
        measures = tuple((name, _callable_key(f)) for name, f in getattr(task, "measures", ()))
        return (_callable_key(fn), run_id, tuple(getattr(task, "tables", ())), measures,
                bool(getattr(task, "keep_result", False)))

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        import dataclasses
        import pickle

        def relabel(rec: Any, task: Any) -> Any:
            if dataclasses.is_dataclass(rec) and hasattr(rec, "label") and hasattr(task, "label"):
                return dataclasses.replace(rec, label=task.label, replication=task.replication)
            return rec

        todo, keys = [], {}
        for task in tasks:
            key = self._key(fn, task)
            if key is not None and key in self._memo:
                self.reused += 1
                yield relabel(pickle.loads(self._memo[key]), task)
            else:
                todo.append(task)
                if key is not None:
                    keys[task.run_id] = key
        for rec in self.inner.imap_unordered(fn, todo):
            key = keys.get(getattr(rec, "run_id", None))
            if key is not None:
                self._memo[key] = pickle.dumps(rec, protocol=pickle.HIGHEST_PROTOCOL)  # a frozen copy
            yield rec

    def close(self) -> None:
        self._memo.clear()
        if self._own:
            self.inner.close()

    def __repr__(self) -> str:
        return f"ReuseExecutor({self.inner!r})"


def _callable_key(fn: Any) -> Any:
    """A value that identifies a picklable function or ``functools.partial`` of one."""
    import functools

    if isinstance(fn, functools.partial):
        return ("partial", _callable_key(fn.func), repr(fn.args), repr(sorted(fn.keywords.items())))
    return (getattr(fn, "__module__", None), getattr(fn, "__qualname__", repr(fn)))


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class DaskExecutor(Executor):
    """Runs tasks on a Dask distributed cluster.

    ``client`` is a ``dask.distributed.Client`` (left open on :meth:`close`) or a scheduler
    address such as ``"tcp://10.0.0.5:8786"`` (a client is opened and closed here). Workers need
    salessim installed, in the same version. With a results store, workers send each run's
    tables back and the caller writes them, unless ``shared_store=True`` says the store folder
    is on a file system every worker sees at the same path (then workers write directly).
    """

    def __init__(self, client: Any, shared_store: bool = False) -> None:
        self.shares_files = shared_store
        from dask.distributed import Client

        if isinstance(client, str):
            try:
                self.client = Client(client, timeout="20s")
            except OSError as e:
                raise SalessimError(f"dask scheduler {client}: cannot connect ({e})") from None
            self._own = True
        elif isinstance(client, Client):
            self.client, self._own = client, False
        else:
            raise SalessimError(f"executor: expected a dask Client or scheduler address, got {client!r}")

    @property
    def workers(self) -> int:  # type: ignore[override]
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        futures = [self.client.submit(fn, task, pure=False) for task in tasks]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        if self._own:
            self.client.close()

    def __repr__(self) -> str:
        return f"DaskExecutor({self.client.scheduler.address})"


def resolve_executor(executor: Any) -> tuple[Executor, bool]:
    """Turn the ``executor=`` argument into an :class:`Executor`; also says who must close it.

    ``None`` or ``"processes"``: local processes on all cores; ``"serial"``; an ``int``: that
    many local processes (1 = serial); an :class:`Executor`; a Dask ``Client``; a scheduler
    address string (``tcp://...``).
    """
    if executor is None or executor == "processes":
        return ProcessExecutor(), True
    if isinstance(executor, Executor):
        return executor, False
    if executor == "serial":
        return SerialExecutor(), True
    if isinstance(executor, bool):
        raise SalessimError(f"executor: unsupported value {executor!r}")
    if isinstance(executor, int):
        return (SerialExecutor() if executor == 1 else ProcessExecutor(executor)), True
    if isinstance(executor, str) and "://" in executor:
        return DaskExecutor(executor), True
    if type(executor).__name__ == "Client" and type(executor).__module__.startswith("distributed"):
        return DaskExecutor(executor), False
    raise SalessimError(
        f"executor: unsupported value {executor!r} (use 'serial', 'processes', a number of "
        "workers, a dask Client or a scheduler address)"
    )
