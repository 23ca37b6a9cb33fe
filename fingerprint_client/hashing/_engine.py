"""The batch engine: worker processes (forkserver), input order, progress, time limits, cancel.

Each worker handles one file at a time, so when a worker dies (a decoder segfault, the kernel's
out-of-memory killer) or overruns the per-file time limit, exactly one file fails
(`decoder-crashed` / `timeout`); the worker is replaced and the batch goes on. No process pool
is used because one dead worker breaks a `ProcessPoolExecutor` for every file.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerContext, ForkServerProcess, set_spawning_popen
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from fingerprint_client.hashing._errors import HashError, HashFailure
from fingerprint_client.hashing._fileio import open_regular, read_head
from fingerprint_client.hashing._process import TEST_HOOK_ENV, worker_main
from fingerprint_client.hashing._result import FileResult, HashOptions, Progress
from fingerprint_client.hashing._sniff import SNIFF_BYTES, sniff_image, sniff_video_container

if TYPE_CHECKING:
    from fingerprint_client.hashing._ahead import DigestsAhead

POLL_SECONDS = 0.1
"""Longest wait between checks for cancellation and time limits."""
PREFETCH = 2
"""Files handed to a worker at once, so it never waits for the parent between files."""
_PRELOAD = ["fingerprint_client.hashing._preload"]
"""Imported once by the fork server, so every worker starts with the decoders loaded."""
_MAIN_KEYS = ("init_main_from_path", "init_main_from_name")
"""Preparation data that would make a worker run the main program (see `_WorkerPopen`)."""
_DEFAULT_OPTIONS = HashOptions()
_context_lock = threading.Lock()
_context: ForkServerContext | None = None


def _forkserver() -> ForkServerContext:
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _context = ctx
        return _context


def start_workers_early() -> None:
    """Start the fork server the batch workers come from, without waiting for it.

    It loads the decoders (~0.15 s); a program that prepares a batch slowly (walking folders)
    calls this first, so that the batch's workers are ready when it starts. Calling it again,
    or creating a `BatchHasher` (which does the same), costs nothing more.
    """
    _forkserver()
    with contextlib.suppress(OSError, ValueError):
        forkserver.ensure_running()


class _WorkerPopen(popen_forkserver.Popen):
    """Starts a worker through the fork server without the main program.

    The standard launcher tells each child to run the main script again (as `__mp_main__`);
    for the command-line program that is the whole CLI (Textual, the service client: ~0.5 s
    and tens of MB in every worker). A worker runs `worker_main` only, which needs nothing of
    the main program, so that part of the preparation data is left out.
    """

    def _launch(self, process_obj: BaseProcess) -> None:
        prep_data = spawn.get_preparation_data(process_obj.name)
        for key in _MAIN_KEYS:
            prep_data.pop(key, None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        parent_w = os.dup(w)
        close = util.close_fds  # type: ignore[attr-defined]
        self.finalizer = util.Finalize(self, close, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:  # noqa: PTH123 - a pipe's file descriptor
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _WorkerProcess(ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: BaseProcess) -> popen_forkserver.Popen:
        return _WorkerPopen(process_obj)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    tasks: deque[int] = field(default_factory=deque)  # sent, unfinished; tasks[0] is running
    started: float = 0.0  # when tasks[0] started (as far as the parent can tell)


class BatchHasher:
    """Fingerprints many files in worker processes.

    Use as a context manager and iterate: `Progress` events as files finish (in any order) and
    each file's `FileResult` strictly in input order. `cancel()` may be called from any thread;
    iteration then ends within a second and the workers are killed.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        options: HashOptions = _DEFAULT_OPTIONS,
        workers: int | None = None,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError("workers must be at least 1")
        self._paths = [Path(p) for p in paths]
        self._options = options
        self._size = min(workers or default_workers(), max(1, len(self._paths)))
        self._cancel = threading.Event()
        self._workers: list[_Worker] = []
        self._test_hook = os.environ.get(TEST_HOOK_ENV) or None
        self._sizes = [_size_of(p) for p in self._paths]
        self._waiting: deque[int] = deque(range(len(self._paths)))
        self._limits: dict[int, float] = {}
        self._partial: dict[int, float] = {}  # fraction done of files still being hashed
        self._started = False
        if self._paths:
            start_workers_early()  # the fork server loads the decoders meanwhile ...
        self._ahead = _digests_ahead(self._paths, options)  # ... and an idle core digests

    @property
    def total(self) -> int:
        """Number of files in the batch."""
        return len(self._paths)

    def __enter__(self) -> BatchHasher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cancel()
        self._stop_workers()

    def cancel(self) -> None:
        """Stop the batch (thread-safe): iteration ends within a second, workers are killed."""
        self._cancel.set()
        self._ahead.stop()

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for diagnostics and tests)."""
        return [w.process.pid for w in self._workers if w.process.pid is not None]

    @property
    def cancelled(self) -> bool:
        """True once `cancel()` was called."""
        return self._cancel.is_set()

    def __iter__(self) -> Iterator[Progress | FileResult]:
        if self._started:
            raise RuntimeError("a BatchHasher can be iterated only once")
        self._started = True
        try:
            yield from self._run()
        finally:
            self._stop_workers()

    # ------------------------------------------------------------------------------------------

    def _run(self) -> Iterator[Progress | FileResult]:
        total = len(self._paths)
        bytes_total = sum(self._sizes)
        done = failed = bytes_done = 0
        next_out = 0
        finished: dict[int, FileResult] = {}
        yield Progress(0, total, None, 0, 0, bytes_total)
        shown_partial: dict[int, float] = {}
        while next_out < total and not self._cancel.is_set():
            self._assign_waiting()
            collected = self._collect()
            if self._partial != shown_partial and not collected:  # a long file moved on
                shown_partial = dict(self._partial)
                partial_bytes = sum(int(f * self._sizes[i]) for i, f in shown_partial.items())
                yield Progress(done, total, None, failed, bytes_done + partial_bytes, bytes_total)
            for result in collected:
                finished[result.index] = result
                done += 1
                failed += 0 if result.ok else 1
                bytes_done += self._sizes[result.index]
                yield Progress(done, total, result.index, failed, bytes_done, bytes_total)
                if self._cancel.is_set():
                    return
            while next_out in finished:
                yield finished.pop(next_out)
                next_out += 1
                if self._cancel.is_set():
                    return

    def _assign_waiting(self) -> None:
        """Give waiting files to workers: first one each, then one queued behind it."""
        while self._waiting:
            worker = next((w for w in self._workers if not w.tasks), None)
            if worker is None and len(self._workers) < self._size:
                worker = self._spawn()
                if len(self._workers) == self._size:
                    self._ahead.stop()  # every core has a worker now
            if worker is None:
                worker = next((w for w in self._workers if len(w.tasks) < PREFETCH), None)
            if worker is None:
                return
            index = self._waiting.popleft()
            if not worker.tasks:
                worker.started = time.monotonic()
            worker.tasks.append(index)
            with contextlib.suppress(OSError):  # a dead worker is reported by _collect
                worker.conn.send((index, self._paths[index], self._ahead.take(index)))

    def _spawn(self) -> _Worker:
        ctx = _forkserver()
        parent_conn, child_conn = ctx.Pipe(duplex=True)
        process = _WorkerProcess(
            target=worker_main,
            args=(child_conn, self._options, self._test_hook),
            name="fingerprint-client-hasher",
            daemon=True,
        )
        process.start()
        child_conn.close()
        worker = _Worker(process, parent_conn)
        self._workers.append(worker)
        return worker

    def _collect(self) -> list[FileResult]:
        """Results that arrived within one poll interval; crashed/overdue workers replaced."""
        busy = [w for w in self._workers if w.tasks]
        if not busy:
            return []
        now = time.monotonic()
        deadline = min(w.started + self._limit(w.tasks[0]) for w in busy)
        timeout = max(0.0, min(POLL_SECONDS, deadline - now))
        handles: list[object] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        wait(handles, timeout)  # type: ignore[arg-type]
        results: list[FileResult] = []
        for worker in busy:
            results.extend(self._poll(worker))
        return results

    def _poll(self, worker: _Worker) -> list[FileResult]:
        results: list[FileResult] = []
        try:
            while worker.tasks and worker.conn.poll():
                message: FileResult | tuple[str, int, float] = worker.conn.recv()
                if isinstance(message, tuple):  # ("progress", index, fraction) of tasks[0]
                    self._partial[message[1]] = message[2]
                    continue
                result = message
                self._partial.pop(worker.tasks.popleft(), None)
                worker.started = time.monotonic()
                results.append(result)
        except (EOFError, OSError):
            if not worker.tasks:  # it died between files: nothing of ours was lost
                _kill(worker)
                self._workers.remove(worker)
                return results
        else:
            if not worker.tasks:
                return results
            if worker.process.is_alive():
                if time.monotonic() - worker.started < self._limit(worker.tasks[0]):
                    return results
                return [*results, self._fail_current(worker, "timeout")]
        return [*results, self._fail_current(worker, "decoder-crashed")]

    def _limit(self, index: int) -> float:
        """The time limit of file `index`: the option's, longer for a long video."""
        limit = self._limits.get(index)
        if limit is None:
            limit = _time_limit_for(self._paths[index], self._options.per_file_timeout)
            self._limits[index] = limit
        return limit

    def _fail_current(self, worker: _Worker, code: str) -> FileResult:
        """End `worker`: its current file fails with `code`, files queued behind it wait again."""
        _kill(worker)
        self._workers.remove(worker)
        index = worker.tasks.popleft()
        self._partial.pop(index, None)
        self._waiting.extendleft(reversed(worker.tasks))
        return FileResult.failure(index, self._paths[index], HashError.of(code))

    def _stop_workers(self) -> None:
        self._ahead.stop(wait=True)
        workers, self._workers = self._workers, []
        for worker in workers:
            if not worker.tasks and not self._cancel.is_set():
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            else:
                _kill(worker)
        for worker in workers:
            worker.process.join(timeout=1.0)
            if worker.process.is_alive():
                _kill(worker)
            with contextlib.suppress(OSError):
                worker.conn.close()


def _kill(worker: _Worker) -> None:
    with contextlib.suppress(OSError, AttributeError, ValueError):
        worker.process.kill()
    worker.process.join(timeout=1.0)
    with contextlib.suppress(OSError):
        worker.conn.close()


def _digests_ahead(paths: list[Path], options: HashOptions) -> DigestsAhead:
    """The started thread that digests the first files while the workers start.

    Imported here, after the fork server was asked to start, so that hashlib is loaded while
    the fork server starts, not before.
    """
    from fingerprint_client.hashing._ahead import DigestsAhead

    ahead = DigestsAhead(paths, options.algorithms)
    ahead.start()
    return ahead


def _time_limit_for(path: Path, base: float) -> float:
    """`base`, or the video module's longer limit for a video (its header's duration)."""
    try:
        f, _size = open_regular(path, buffering=0)  # never blocks (a FIFO is refused)
        with f:
            head = read_head(f, SNIFF_BYTES)
    except (HashFailure, OSError, ValueError):
        return base
    if sniff_image(head) is not None or sniff_video_container(head) is None:
        return base  # not a video: no need to import PyAV in this process
    try:
        from fingerprint_client.hashing import video

        limit = video.time_limit_for(path, base)
    except Exception:  # the video module is optional here: images need nothing more
        return base
    return limit if isinstance(limit, float | int) and limit >= base else base


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size if path.is_file() else 0
    except (OSError, ValueError):
        return 0
