"""The supervisor of ``sme-insure serve --workers N`` (the workers: :mod:`sme_insure.http.workers`).

It holds one listening socket per worker slot, as nginx's master does: a worker and its
successor share the slot's socket, so connections the kernel has queued on it are accepted by
whichever runs next instead of being reset when a worker stops. It never blocks on one worker;
every 0.1 s it looks at all of them:

* SIGINT or SIGTERM: every worker is asked to stop at once (requests in flight finish within the
  grace period); a worker still running ``grace`` + 5 s later is killed, and another signal kills
  them all at once. Exit status 0.
  The listening sockets are closed first, so new connections are refused rather than queued
  where no worker will accept them.
* SIGHUP: the slots' workers are replaced one by one, each once its successor serves; a successor
  that fails to start ends the round and the old worker stays. A SIGHUP during a round asks for
  another round after it (a second deployment reaches every slot).
* A worker that dies, or has not started serving within ``_STARTUP`` seconds, is replaced.
  Before any worker has ever served, a failure to start stops the supervisor (exit status 1):
  the app or its configuration is broken and every restart would fail the same way. Afterwards a
  slot whose worker fails to start (or to fork) is tried again after a pause that doubles up to
  ``retry[1]`` seconds (a database outage outlasts a few attempts; the other workers serve on).
  A worker that served and died is replaced at once; more than ``max_deaths`` such deaths within
  ``window`` seconds stop the supervisor (exit status 1): something kills them.
* A serving worker beats once a second from its event loop. One silent for ``timeout`` seconds
  is hung (a request blocked the loop, or it deadlocked): it is killed and replaced, counted as
  a death (gunicorn's worker timeout; uvicorn's own workers are never checked).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time

log = logging.getLogger("uvicorn.error")
_TICK = 0.1
_STARTUP = 120.0  # seconds a worker has to start serving


class Worker:
    """One worker process, its heartbeat pipe, and when it is to be killed once asked to stop."""

    def __init__(self, command: list[str], sock: socket.socket | None) -> None:
        read, write = os.pipe()
        fds = (write,) if sock is None else (write, sock.fileno())
        try:
            self.process = subprocess.Popen([*command, str(os.getpid()), *map(str, fds)], pass_fds=fds,
                                            start_new_session=True)
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)
        os.set_blocking(read, False)
        self._pipe: int | None = read
        self.ready = False
        self.started = self.beat = time.monotonic()
        self.kill_at: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def serves(self, now: float | None = None) -> bool:
        """Whether it has said it serves (its first beat), noting when it last beat (end of
        file: it has stopped, or never will start)."""
        while self._pipe is not None:
            try:
                data = os.read(self._pipe, 4096)
            except BlockingIOError:
                break
            if not data:
                self._close()
                break
            self.ready, self.beat = True, time.monotonic() if now is None else now
        return self.ready

    def hung(self, now: float, timeout: float) -> bool:
        """Whether it serves but has not beaten for ``timeout`` seconds (asked to stop: no
        longer expected to beat; its kill time applies)."""
        return self.ready and self.kill_at is None and now - self.beat > timeout

    def kill(self, why: str) -> None:
        """Kill it at once (a hung worker does not act on SIGTERM)."""
        log.error("worker %s %s; killing it", self.pid, why)
        self.process.kill()
        self.kill_at = float("inf")

    def stop(self, grace: float) -> None:
        """Ask it to stop (SIGTERM) and note when to kill it."""
        if self.kill_at is None and self.process.poll() is None:
            self.process.terminate()
            self.kill_at = time.monotonic() + grace + 5

    def gone(self, now: float) -> bool:
        """Whether it has stopped (and been reaped); killed if past its time."""
        if self.process.poll() is not None:
            self._close()
            return True
        if self.kill_at is not None and now > self.kill_at:
            self.kill("did not stop in time")
        return False

    def _close(self) -> None:
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None


class Supervisor:
    """Keeps ``workers`` processes of ``command`` running until SIGINT or SIGTERM. Each worker
    slot may have a listening socket (``sockets``), handed to the slot's worker (its descriptor
    follows the supervisor's pid and the readiness pipe's in the command) and closed at shutdown."""

    def __init__(self, workers: int, command: list[str], *, sockets: list[socket.socket] | None = None,
                 grace: float = 20.0, timeout: float = 60.0, max_deaths: int = 5, window: float = 60.0,
                 retry: tuple[float, float] = (0.5, 30.0)) -> None:
        self.command, self.grace, self.max_deaths, self.window = command, grace, max_deaths, window
        self.timeout = timeout
        self.retry = retry
        self.sockets: list[socket.socket | None] = list(sockets) if sockets else [None] * workers
        if len(self.sockets) != workers:
            raise ValueError(f"{len(self.sockets)} sockets for {workers} workers")
        self.pool: list[Worker | None] = [None] * workers
        self.retiring: list[Worker] = []
        self.successor: tuple[int, Worker] | None = None
        self.to_replace: list[int] = []
        self.round_at = 0.0  # when the current SIGHUP round began
        self.another_round = False
        self.served = False
        self._pause = [0.0] * workers  # per slot: the pause before the next start, and its end
        self._retry_at = [0.0] * workers
        self._signals: list[int] = []
        self._deaths: list[float] = []

    def run(self) -> int:
        """Serve until asked to stop; the exit status (0, or 1 if the workers could not run)."""
        handled = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        previous = {s: signal.signal(s, lambda n, _f: self._signals.append(n)) for s in handled}
        try:
            while (status := self._tick(time.monotonic())) is None:
                time.sleep(_TICK)
            return status
        finally:
            self._shutdown()
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _stops(self) -> int:
        return sum(1 for s in self._signals if s != signal.SIGHUP)

    def _start(self, slot: int) -> Worker | None:
        try:
            return Worker(self.command, self.sockets[slot])
        except OSError as exc:  # fork or pipe refused
            log.error("cannot start a worker: %s", exc)
            return None

    def _failed(self, slot: int, now: float, what: str) -> int | None:
        """A start failed: stop if nothing has ever served, else try the slot again later."""
        if not self.served:
            log.error("%s before any worker served; stopping", what)
            return 1
        self._pause[slot] = min(max(2 * self._pause[slot], self.retry[0]), self.retry[1])
        self._retry_at[slot] = now + self._pause[slot]
        log.warning("%s; trying again in %.1f s", what, self._pause[slot])
        return None

    def _died(self, now: float, what: str) -> int | None:
        """A worker that served has died: stop if that keeps happening."""
        self._deaths = [t for t in self._deaths if now - t < self.window] + [now]
        if len(self._deaths) > self.max_deaths:
            log.error("%s; workers keep dying (%d in %.0f s); stopping", what, len(self._deaths), self.window)
            return 1
        log.warning("%s", what)
        return None

    def _tick(self, now: float) -> int | None:
        if self._stops():
            return 0
        if signal.SIGHUP in self._signals:
            self._signals = [s for s in self._signals if s != signal.SIGHUP]
            if self.successor is None and not self.to_replace:
                self._begin_round(now)
            else:
                log.warning("SIGHUP during a round: another round follows it")
                self.another_round = True
        for i, worker in enumerate(self.pool):
            if worker is not None and worker.serves(now):
                self.served, self._pause[i] = True, 0.0
        for i in range(len(self.pool)):
            if (status := self._keep(i, now)) is not None:
                return status
        self._replace(now)
        return None

    def _keep(self, i: int, now: float) -> int | None:
        """Slot ``i``: stop a worker that has not started in time; replace one that has gone."""
        worker = self.pool[i]
        if worker is not None:
            if not worker.ready and worker.kill_at is None and now - worker.started > _STARTUP:
                log.error("worker %s has not started serving in %.0f s; stopping it", worker.pid, _STARTUP)
                worker.stop(self.grace)
            if worker.hung(now, self.timeout):
                worker.kill(f"has not answered for {self.timeout:.0f} s")
            if not worker.gone(now):
                return None
            self.pool[i], code = None, worker.process.returncode
            status = (self._died(now, f"worker {worker.pid} died (exit status {code})") if worker.ready
                      else self._failed(i, now, f"worker {worker.pid} failed to start (exit status {code})"))
            if status is not None:
                return status
            if self.successor is not None and self.successor[0] == i:  # it takes the slot now
                self.pool[i], self.successor = self.successor[1], None
                return None
        if now < self._retry_at[i]:
            return None
        if (new := self._start(i)) is None:
            return self._failed(i, now, "a worker could not be started")
        self.pool[i] = new  # a round in progress skips it: started since the SIGHUP
        return None

    def _replace(self, now: float) -> None:
        """Advance a SIGHUP round by what has happened since the last tick."""
        if self.successor is not None:
            i, new = self.successor
            if new.serves(now):
                old = self.pool[i]
                if old is not None:
                    old.stop(self.grace)
                    self.retiring.append(old)
                self.pool[i], self.successor = new, None
            elif new.gone(now) or now - new.started > _STARTUP:
                new.stop(self.grace)
                self.retiring.append(new)
                self.successor, self.to_replace = None, []
                kept = self.pool[i].pid if self.pool[i] is not None else None
                log.error("new worker %s did not start; keeping worker %s", new.pid, kept)
        self.retiring = [w for w in self.retiring if not w.gone(now)]
        while self.successor is None and self.to_replace:
            i = self.to_replace.pop(0)
            if self.pool[i] is None or self.pool[i].started >= self.round_at:
                continue  # started since the SIGHUP, or to be started: new anyway
            if (new := self._start(i)) is None:
                log.error("a new worker could not be started; keeping the others")
                self.to_replace = []
                break
            self.successor = (i, new)
        if self.successor is None and not self.to_replace and self.another_round:
            self.another_round = False
            self._begin_round(now, " (again)")

    def _begin_round(self, now: float, again: str = "") -> None:
        """Replace every slot's worker started before ``now``, one by one."""
        log.warning("SIGHUP: replacing the workers one by one%s", again)
        self.to_replace, self.round_at = list(range(len(self.pool))), now

    def _shutdown(self) -> None:
        """Close the listening sockets (new connections are refused, not queued where no worker
        will accept them), stop every worker at once; kill those past their time, or all on
        another signal."""
        for sock in self.sockets:
            if sock is not None:
                sock.close()
        everyone = [w for w in self.pool if w is not None] + self.retiring
        everyone += [self.successor[1]] if self.successor else []
        first = min(self._stops(), 1)  # the signal that stopped us, if one did
        for worker in everyone:
            worker.stop(self.grace)
        while not all(gone := [w.gone(time.monotonic()) for w in everyone]):
            if self._stops() > first:  # asked again: no more waiting
                for worker, done in zip(everyone, gone, strict=True):
                    if not done:
                        worker.process.kill()
            time.sleep(_TICK)
