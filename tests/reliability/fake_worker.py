"""A stand-in for a server worker, for the supervisor's tests: ``fake_worker.py PLAN_DIR
SUPERVISOR_PID READY_FD``. It notes its pid in ``PLAN_DIR/pids``, claims the first unclaimed
file of ``PLAN_DIR`` (renamed to ``NAME.PID``) and behaves as it says: ``ok`` serves until
SIGTERM; ``late`` serves after 1 s; ``hang`` serves and ignores SIGTERM; ``fail`` exits before
serving; ``die`` serves for 0.3 s and exits; ``never`` never serves; ``slow`` closes its
listening socket (an optional fourth argument) on SIGTERM, as uvicorn does, and takes 2 s more
to finish (5 s); ``stuck`` serves, then its beats stop and it ignores SIGTERM (an event loop blocked
for good). No file left: ``ok``. A serving worker beats every 0.2 s on the pipe, and notes its pid in
``PLAN_DIR/ready`` once it has.
Unlike a real worker it does not stop when its supervisor has gone: the tests see what the
supervisor stopped (and their fixture kills every pid noted)."""

import os
import signal
import sys
import time
from pathlib import Path

plan, ready = Path(sys.argv[1]), int(sys.argv[3])
sock = int(sys.argv[4]) if len(sys.argv) > 4 else None
with (plan / "pids").open("a") as pids:
    pids.write(f"{os.getpid()}\n")
mode = "ok"
for step in sorted(p for p in plan.iterdir() if p.name.isdigit()):
    claimed = step.with_name(f"{step.name}.{os.getpid()}")
    try:
        step.rename(claimed)
    except OSError:
        continue  # another worker claimed it first
    mode = claimed.read_text().strip()
    break
if mode == "fail":
    sys.exit(1)
if mode in ("hang", "stuck"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
stopping = []
if mode == "slow":
    def finish(_n, _f):
        if sock is not None:
            os.close(sock)
        stopping.append(time.monotonic())
    signal.signal(signal.SIGTERM, finish)
if mode == "late":
    time.sleep(1)
if mode == "never":
    os.close(ready)
if mode == "die":
    os.write(ready, b"r")
    time.sleep(0.3)
    sys.exit(1)
beat = 0.0
while not stopping or time.monotonic() - stopping[0] < 5:
    due = time.monotonic() - beat >= 0.2 and not stopping
    if mode != "never" and due and (mode != "stuck" or beat == 0.0):
        os.write(ready, b"r")
        if not beat:  # its handlers are in place: the tests may signal it
            with (plan / "ready").open("a") as f:
                f.write(f"{os.getpid()}\n")
        beat = time.monotonic()
    time.sleep(0.05)
