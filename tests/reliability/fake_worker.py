"""A stand-in for a server worker, for the supervisor's tests: ``fake_worker.py PLAN_DIR
SUPERVISOR_PID READY_FD``. It claims the first unclaimed file of ``PLAN_DIR`` (renamed to
``NAME.PID``) and behaves as it says: ``ok`` serves until SIGTERM; ``hang`` serves and ignores
SIGTERM; ``fail`` exits before serving; ``die`` serves for 0.3 s and exits; ``never`` never serves.
No file left: ``ok``. Any of them ends once its supervisor has gone."""

import os
import signal
import sys
import time
from pathlib import Path

plan, supervisor, ready = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
mode = "ok"
for step in sorted(p for p in plan.iterdir() if p.suffix == ""):
    try:
        step.rename(step.with_name(f"{step.name}.{os.getpid()}"))
    except OSError:
        continue  # another worker claimed it first
    mode = step.with_name(f"{step.name}.{os.getpid()}").read_text().strip()
    break
if mode == "fail":
    sys.exit(1)
if mode == "hang":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if mode != "never":
    os.write(ready, b"r")
os.close(ready)
if mode == "die":
    time.sleep(0.3)
    sys.exit(1)
while os.getppid() == supervisor:  # like a real worker, it stops once its supervisor has gone
    time.sleep(0.2)
