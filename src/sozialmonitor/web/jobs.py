"""Long work off the event loop: a job runs in a thread, reports progress and can be cancelled.

A job's function gets ``progress(text)``; once cancelling is asked for, the next ``progress`` call raises
:class:`JobCancelled`, so the job's transaction rolls back and nothing half-written stays.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sozialmonitor.errors import SozialmonitorError

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"
KEEP = 50


class JobCancelled(SozialmonitorError):
    def __init__(self) -> None:
        super().__init__("Abgebrochen – nichts wurde gespeichert", "cancelled – nothing was stored")


@dataclass
class Job:
    id: int
    title: str
    user: str
    state: str = RUNNING
    steps: list[str] = field(default_factory=list)
    result: Any = None
    error_de: str = ""
    error_en: str = ""
    started: dt.datetime = field(default_factory=dt.datetime.now)
    cancel: threading.Event = field(default_factory=threading.Event)

    def as_dict(self, lang: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state,
            "step": self.steps[-1] if self.steps else "",
            "steps": len(self.steps),
            "error": self.error_de if lang == "de" else self.error_en,
            "result": self.result if isinstance(self.result, str | int | float | dict | list) else None,
        }


class Jobs:
    """The jobs of one application (in memory; a restart forgets them, their transactions roll back)."""

    def __init__(self) -> None:
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(self, title: str, user: str, work: Callable[[Callable[[str], None]], Any]) -> Job:
        job = Job(next(self._ids), title, user)

        def progress(text: str) -> None:
            if job.cancel.is_set():
                raise JobCancelled()
            job.steps.append(text)

        def run() -> None:
            try:
                job.result = work(progress)
                job.state = DONE
            except JobCancelled:
                job.state = CANCELLED
            except SozialmonitorError as exc:
                job.state, job.error_de, job.error_en = FAILED, exc.de, exc.en
            except Exception as exc:
                job.state = FAILED
                job.error_de = f"Unerwarteter Fehler: {type(exc).__name__}"
                job.error_en = f"unexpected error: {type(exc).__name__}"

        with self._lock:
            self._jobs[job.id] = job
            for old in sorted(self._jobs)[:-KEEP]:
                if self._jobs[old].state != RUNNING:
                    del self._jobs[old]
        threading.Thread(target=run, name=f"job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    def running(self) -> list[Job]:
        return [j for j in self._jobs.values() if j.state == RUNNING]
