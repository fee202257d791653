"""The private temporary folder of a running server and the jobs in it.

Every upload becomes a job: a folder of its own (named by an unguessable id) inside
one folder that only the server's user can read (mode 0700). A job's files are
removed once downloaded, and a whole job once all its downloads are taken or it
has not been looked at for ``timeout`` seconds; the whole folder goes when the
server stops. Nothing is written anywhere else.
"""
from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Job:
    """One upload: its folder, what was found, and the files that can still be downloaded (by download name)."""

    id: str
    folder: Path
    kind: str  # "unit" or "county"
    touched: float = field(default_factory=time.monotonic)
    downloads: dict = field(default_factory=dict)  # download key -> path
    data: dict = field(default_factory=dict)  # what the pages show
    done: int = 0
    total: int = 0
    finished: bool = False
    busy: int = 0  # requests working in the folder now: never removed under them


class Store:
    """Jobs by id, under one private temporary folder; safe to use from many threads."""

    def __init__(self, timeout: float = 1800):
        self.root = Path(tempfile.mkdtemp(prefix="perfreport-serve-"))  # mkdtemp makes it 0700
        self.timeout = timeout
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def new(self, kind: str) -> Job:
        self.sweep()
        job_id = secrets.token_urlsafe(16)
        folder = self.root / job_id
        folder.mkdir(mode=0o700)
        job = Job(job_id, folder, kind, busy=1)
        with self._lock:
            self._jobs[job_id] = job
        return job

    def get(self, job_id: str, kind: str | None = None) -> Job | None:
        """The job ``job_id`` (touched: its timeout starts again), or ``None`` if there is none (or it expired)."""
        self.sweep()
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or kind and job.kind != kind:
                return None
            job.touched = time.monotonic()
            return job

    def hold(self, job: Job) -> None:
        with self._lock:
            job.busy += 1

    def release(self, job: Job) -> None:
        with self._lock:
            job.busy -= 1
            job.touched = time.monotonic()

    def take(self, job: Job, key: str) -> Path | None:
        """Claim the download ``key`` of ``job``: it can be taken once. The caller sends it, then calls :meth:`taken`."""
        with self._lock:
            path = job.downloads.pop(key, None)
            if path is not None:
                job.busy += 1
            return path

    def taken(self, job: Job, *paths: Path) -> None:
        """A download was sent: remove its files (those no other download still needs), and the job when
        nothing is left to download."""
        with self._lock:
            for path in paths:
                if path not in job.downloads.values():
                    path.unlink(missing_ok=True)
            job.busy -= 1
            empty = job.finished and not job.downloads and not job.busy
            if empty:
                self._jobs.pop(job.id, None)
        if empty:
            shutil.rmtree(job.folder, ignore_errors=True)

    def give_back(self, job: Job, key: str, path: Path, *made: Path) -> None:
        """A claimed download could not be sent: it can be taken again (files ``made`` for it only are removed)."""
        with self._lock:
            job.downloads[key] = path
            job.busy -= 1
        for other in made:
            if other != path:
                other.unlink(missing_ok=True)

    def drop(self, job: Job) -> None:
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def sweep(self) -> None:
        """Remove the jobs not looked at for ``timeout`` seconds (none that a request is working on)."""
        now = time.monotonic()
        with self._lock:
            old = [job for job in self._jobs.values() if not job.busy and now - job.touched > self.timeout]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            self._jobs.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)
