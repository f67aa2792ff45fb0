"""The reports of many Gesamtmaßnahmen: inputs read once, the work split over processes.

:func:`run` reads the layers every report shares once (per process), the records of
the funding areas in chunks (:class:`~monitoring.reports.batch_inputs.BatchInputs`),
assembles and renders each report and hands it to the caller. With ``workers > 1``
the chunks go to worker processes (spawn context): each worker opens its OWN store
from the URL (no connection or SQLite handle crosses a process; the GeoPackage store
opens a new connection for every read anyway, and reading a GeoPackage from several
processes at once only takes SQLite's shared read locks). Results come back to the
parent, which calls ``progress`` and ``sink`` as chunks complete.

An error in one Gesamtmaßnahme does not stop the batch: it becomes a :class:`Failure`
with the area's id and a German reason, and the other reports are made.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from indicators.registry import Registry
from monitoring import messages
from monitoring.auth import User, require
from monitoring.catalogue import registry_for
from monitoring.reports.assemble import assemble
from monitoring.reports.batch_inputs import BatchInputs, SharedInputs, read_shared
from monitoring.reports.catalogue import Catalogue
from monitoring.reports.errors import ReportOptionError

if TYPE_CHECKING:
    from geo.store.base import Store
    from monitoring.reports.generate import Download

MIN_AREAS_FOR_PROCESSES = 50
"""Below this many Gesamtmaßnahmen one process is faster (starting one costs 1–2 s)."""
CHUNK = 100
"""At most this many Gesamtmaßnahmen per task: each task reads its areas' records in one
query per layer (a scan of layers such as funding_lines, which have no index on their
foreign key), so tasks must not be too small; 100 gives progress every 1 % at 10,000."""

Progress = Callable[[str, int, int], None]
Sink = Callable[["Download"], None]


@dataclass(frozen=True)
class Failure:
    """A report that could not be made: the Gesamtmaßnahme and why (German)."""

    area_id: str
    message: str


@dataclass
class BatchResult:
    """What a batch made: the reports (in id order; empty when a sink took them), the
    failures (in id order), how many areas there were and how many processes worked."""

    downloads: list[Download] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    total: int = 0
    workers: int = 1

    @property
    def made(self) -> int:
        """How many reports were made."""
        return self.total - len(self.failures)


def default_workers(areas: int, cpus: int | None = None) -> int:
    """The number of processes for a batch: every CPU for many areas, one for few.

    Examples
    --------
    >>> default_workers(10_000, cpus=8), default_workers(49, cpus=8), default_workers(50, cpus=1)
    (8, 1, 1)
    """
    if areas < MIN_AREAS_FOR_PROCESSES:
        return 1
    return max(1, cpus if cpus is not None else usable_cpus())


def usable_cpus() -> int:
    """The CPUs this process may run on (a container's share, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def check_workers(workers: object) -> int | None:
    """Return ``workers`` as a positive int (None: the default), or raise ReportOptionError.

    Examples
    --------
    >>> check_workers(2), check_workers(None)
    (2, None)
    >>> check_workers(0)
    Traceback (most recent call last):
    ...
    monitoring.reports.errors.ReportOptionError: Die Zahl der Prozesse „0“ ist keine ganze \
Zahl ab 1; geben Sie z. B. --prozesse 2 an
    """
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ReportOptionError(messages.render("report.batch_workers", workers=workers))
    return workers


def chunks(ids: Sequence[str], workers: int) -> list[list[str]]:
    """Split the ids into tasks: about four per worker, at most :data:`CHUNK` ids each.

    Examples
    --------
    >>> [len(c) for c in chunks([str(i) for i in range(10)], 2)]
    [2, 2, 2, 2, 2]
    >>> len(chunks([str(i) for i in range(1000)], 2)), len(chunks(list(map(str, range(10_000))), 8))
    (10, 100)
    """
    size = max(1, min(CHUNK, math.ceil(len(ids) / (workers * 4))))
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


@dataclass(frozen=True)
class Job:
    """What every worker needs to make reports (sent once to each process)."""

    user: User
    year: int
    fmt: str
    catalogue: Catalogue
    registry: Registry | None
    generated_at: str


class _Maker:
    """Makes the reports of chunks of Gesamtmaßnahmen from one open store."""

    def __init__(self, store: Store, job: Job) -> None:
        self.store = store
        self.job = job
        self.registry = job.registry or registry_for(store)
        self.shared: SharedInputs = read_shared(
            store, catalogue=job.catalogue, registry=self.registry
        )

    def make(self, ids: Sequence[str]) -> list[tuple[str, Download | Failure]]:
        """Make the reports of ``ids``; a failing area becomes a Failure, the rest go on."""
        try:
            inputs = self._inputs(ids)
        except Exception:  # a bad record in the chunk: read area by area to isolate it
            return [out for area_id in ids for out in self._one_by_one(area_id)]
        return [(area_id, self._report(inputs, area_id)) for area_id in ids]

    def _inputs(self, ids: Sequence[str]) -> BatchInputs:
        return BatchInputs(
            self.store,
            self.job.user,
            catalogue=self.job.catalogue,
            registry=self.registry,
            area_ids=ids,
            shared=self.shared,
        )

    def _one_by_one(self, area_id: str) -> list[tuple[str, Download | Failure]]:
        try:
            inputs = self._inputs([area_id])
        except Exception as exc:
            return [(area_id, failure(area_id, exc))]
        return [(area_id, self._report(inputs, area_id))]

    def _report(self, inputs: BatchInputs, area_id: str) -> Download | Failure:
        from monitoring.reports.generate import MIME_TYPES, Download, file_name, render

        job = self.job
        try:
            report = assemble(
                inputs.inputs(area_id),
                year=job.year,
                catalogue=job.catalogue,
                registry=self.registry,
                generated_at=job.generated_at,
            )
            return Download(
                file_name(report, job.fmt), MIME_TYPES[job.fmt], render(report, job.fmt), report
            )
        except Exception as exc:  # one area's error must not stop the others
            return failure(area_id, exc)


def failure(area_id: str, exc: BaseException) -> Failure:
    """The Failure of an area: the German reason of our errors, the type of any other."""
    reason = str(exc).strip() or type(exc).__name__
    if not isinstance(exc, messages_errors()):
        reason = f"unerwarteter Fehler ({type(exc).__name__}: {reason})"
    message = messages.render("report.batch_area_failed", area=area_id, reason=reason)
    return Failure(area_id, message)


def messages_errors() -> tuple[type[BaseException], ...]:
    """Our exception bases (their messages are German already)."""
    from geo.errors import GeoError
    from indicators.errors import IndicatorError
    from monitoring.errors import MonitoringError

    return (GeoError, IndicatorError, MonitoringError)


# --- worker processes ---------------------------------------------------------------

_PROCESS: dict[str, _Maker] = {}
"""The maker of this worker process (set by :func:`_start`; one per spawned process)."""


def _start(url: str, job: Job) -> None:
    """Initialise a worker process: open its own store and read the shared layers once."""
    from geo.store import open_store

    _PROCESS["maker"] = _Maker(open_store(url), job)


def _work(ids: list[str]) -> list[tuple[str, Download | Failure]]:
    return _PROCESS["maker"].make(ids)


def run(
    store: Store,
    job: Job,
    *,
    workers: int | None = None,
    url: str | None = None,
    progress: Progress | None = None,
    sink: Sink | None = None,
) -> BatchResult:
    """Make the report of every funding area of ``store``.

    Parameters
    ----------
    store
        The open store (read here for the ids; the reports themselves with one process).
    job
        User, year, format, catalogue, registry and the generation time.
    workers
        Processes (None: :func:`default_workers`). More than one needs ``url``.
    url
        The store's URL, which each worker process opens itself.
    progress
        Called as ``progress(area_id, done, total)`` in the parent as reports complete.
    sink
        Called with each made report in the parent (e.g. to write it); the result then
        keeps no reports.

    Raises
    ------
    PermissionDenied
        Without the right to read.
    ReportOptionError
        For a bad number of processes, or several without a URL.
    """
    require(job.user, "read")
    asked = check_workers(workers)
    ids = sorted(str(a) for a in store.read("funding_areas", columns=["id"])["id"])
    count = asked if asked is not None else default_workers(len(ids))
    if count > 1 and url is None:
        if asked is not None:
            raise ReportOptionError(messages.render("report.batch_no_url", workers=count))
        count = 1
    count = max(1, min(count, len(ids)))
    result = BatchResult(total=len(ids), workers=count)
    made: dict[str, Download] = {}
    failed: dict[str, Failure] = {}
    done = 0

    def take(outs: list[tuple[str, Download | Failure]]) -> None:
        nonlocal done
        for area_id, out in outs:
            done += 1
            if isinstance(out, Failure):
                failed[area_id] = out
            elif sink is not None:
                sink(out)
            else:
                made[area_id] = out
            if progress is not None:
                progress(area_id, done, len(ids))

    tasks = chunks(ids, count)
    if count == 1:
        maker = _Maker(store, job)
        for task in tasks:
            take(maker.make(task))
    else:
        assert url is not None  # several processes only with a URL (checked above)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            count, mp_context=context, initializer=_start, initargs=(url, job)
        ) as pool:
            futures: dict[Future[list[tuple[str, Download | Failure]]], list[str]] = {
                pool.submit(_work, task): task for task in tasks
            }
            for future in as_completed(futures):
                try:
                    outs = future.result()
                except Exception as exc:  # a worker died or its result did not come back
                    outs = [(a, failure(a, exc)) for a in futures[future]]
                take(outs)
    result.downloads = [made[a] for a in ids if a in made]
    result.failures = [failed[a] for a in ids if a in failed]
    return result
