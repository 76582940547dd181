"""The soak script, briefly (CI): mixed traffic against a server process on 127.0.0.1 answers
every request without a 5xx, and reports throughput, p99 latency per interval and the server's
memory at the start and the end."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support.paths import ROOT


@pytest.mark.slow
def test_brief_soak_has_no_server_errors():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--seconds", "12",
                          "--interval", "4", "--concurrency", "4", "--json"],
                         capture_output=True, text=True, timeout=90, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["5xx"] == 0 and summary["no_answer"] == 0
    assert summary["requests"] > 200 and summary["2xx"] > summary["4xx"]
    assert {"quote", "bind", "endorse", "claim", "read_claim", "invalid"} <= set(summary["by_operation"])
    assert summary["by_operation"]["invalid"]["4xx"] == summary["by_operation"]["invalid"]["count"]
    assert len(summary["intervals"]) == 3 and all(r["requests"] > 0 and r["p99_ms"] > 0 for r in summary["intervals"])
    assert summary["rss_start_mib"] > 50 and summary["rss_end_mib"] > 50
    assert "RSS" in run.stdout and "p99 ms" in run.stdout
