"""The supervisor of ``sme-insure serve --workers N`` (the workers: :mod:`sme_insure.http.workers`).

It never blocks on one worker; every 0.1 s it looks at all of them:

* SIGINT or SIGTERM: every worker is asked to stop at once (requests in flight finish within the
  grace period); a worker still running ``grace`` + 5 s later is killed, and a second signal
  kills them all at once. Exit status 0.
* SIGHUP: the workers are replaced one by one, each once its successor serves; a successor that
  fails to start ends the round and the old worker stays. Another SIGHUP during a round is
  merged into it.
* A worker that dies is replaced. Before any worker has ever served, a worker that fails to
  start stops the supervisor (exit status 1): the app or its configuration is broken and every
  restart would fail the same way. Afterwards, a failure to start counts as a death, and more
  than ``max_deaths`` deaths within ``window`` seconds stop it (exit status 1).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time

log = logging.getLogger("uvicorn.error")
_TICK = 0.1
_STARTUP = 120.0  # seconds a successor has to start serving during a SIGHUP round


class Worker:
    """One worker process, its readiness pipe, and when it is to be killed once asked to stop."""

    def __init__(self, command: list[str]) -> None:
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen([*command, str(os.getpid()), str(write)], pass_fds=(write,),
                                            start_new_session=True)
        finally:
            os.close(write)
        os.set_blocking(read, False)
        self._pipe: int | None = read
        self.ready = False
        self.started = time.monotonic()
        self.kill_at: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def serves(self) -> bool:
        """Whether it has said it serves (a byte on the pipe; end of file if it never will)."""
        if not self.ready and self._pipe is not None:
            try:
                data = os.read(self._pipe, 1)
            except BlockingIOError:
                return False
            self.ready = data == b"r"
            os.close(self._pipe)
            self._pipe = None
        return self.ready

    def stop(self, grace: float) -> None:
        """Ask it to stop (SIGTERM) and note when to kill it."""
        if self.kill_at is None and self.alive():
            self.process.terminate()
            self.kill_at = time.monotonic() + grace + 5

    def gone(self, now: float) -> bool:
        """Whether it has stopped; killed if past its time."""
        if not self.alive():
            if self._pipe is not None:
                os.close(self._pipe)
                self._pipe = None
            return True
        if self.kill_at is not None and now > self.kill_at:
            log.error("worker %s did not stop in time; killing it", self.pid)
            self.process.kill()
            self.kill_at = float("inf")
        return False


class Supervisor:
    """Keeps ``workers`` processes of ``command`` running until SIGINT or SIGTERM."""

    def __init__(self, workers: int, command: list[str], *, grace: float = 20.0,
                 max_deaths: int = 5, window: float = 60.0) -> None:
        self.size, self.command, self.grace = workers, command, grace
        self.max_deaths, self.window = max_deaths, window
        self.pool: list[Worker] = []
        self.retiring: list[Worker] = []
        self.successor: tuple[int, Worker] | None = None
        self.to_replace: list[int] = []
        self.served = False
        self._signals: list[int] = []
        self._deaths: list[float] = []

    def run(self) -> int:
        """Serve until asked to stop; the exit status (0, or 1 if the workers could not run)."""
        handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {s: signal.signal(s, lambda n, _f: self._signals.append(n)) for s in handled}
        try:
            self.pool = [Worker(self.command) for _ in range(self.size)]
            status = None
            while status is None:
                time.sleep(_TICK)
                status = self._tick(time.monotonic())
            return status
        finally:
            self._shutdown()
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _stops(self) -> int:
        return sum(1 for s in self._signals if s != signal.SIGHUP)

    def _tick(self, now: float) -> int | None:
        if self._stops():
            return 0
        if signal.SIGHUP in self._signals:
            self._signals = [s for s in self._signals if s != signal.SIGHUP]
            if self.successor is None and not self.to_replace:
                log.warning("SIGHUP: replacing the workers one by one")
                self.to_replace = list(range(len(self.pool)))
        ready = [w.serves() for w in self.pool]  # every pipe read, not just up to the first
        self.served = self.served or any(ready)
        for i, worker in enumerate(self.pool):
            if not worker.gone(now):
                continue
            if (status := self._died(worker, now)) is not None:
                return status
            self.pool[i] = Worker(self.command)
        self._replace(now)
        self.retiring = [w for w in self.retiring if not w.gone(now)]
        return None

    def _died(self, worker: Worker, now: float) -> int | None:
        """Note a death; the exit status if the supervisor must stop."""
        code = worker.process.returncode
        if not self.served:
            log.error("worker %s failed to start (exit status %s); stopping", worker.pid, code)
            return 1
        self._deaths = [t for t in self._deaths if now - t < self.window] + [now]
        if len(self._deaths) > self.max_deaths:
            log.error("workers keep dying (%d in %.0f s); stopping", len(self._deaths), self.window)
            return 1
        log.warning("worker %s died (exit status %s); starting another", worker.pid, code)
        return None

    def _replace(self, now: float) -> None:
        """Advance a SIGHUP round by what has happened since the last tick."""
        if self.successor is not None:
            i, new = self.successor
            if new.serves():
                self.pool[i].stop(self.grace)
                self.retiring.append(self.pool[i])
                self.pool[i], self.successor = new, None
            elif not new.alive() or now - new.started > _STARTUP:
                log.error("a new worker did not start; keeping worker %s", self.pool[i].pid)
                new.stop(self.grace)
                self.retiring.append(new)
                self.successor, self.to_replace = None, []
        if self.successor is None and self.to_replace:
            self.successor = (self.to_replace.pop(0), Worker(self.command))

    def _shutdown(self) -> None:
        """Stop every worker at once; kill those past their time, or all on a second signal."""
        everyone = self.pool + self.retiring + ([self.successor[1]] if self.successor else [])
        for worker in everyone:
            worker.stop(self.grace)
        stops = self._stops()
        while not all(gone := [w.gone(time.monotonic()) for w in everyone]):
            if self._stops() > stops:  # asked again: no more waiting
                for worker, done in zip(everyone, gone, strict=True):
                    if not done:
                        worker.process.kill()
            time.sleep(_TICK)
