"""Browser tests: the real server as a separate process and Debian's Chromium driven by
Playwright (``executable_path=/usr/bin/chromium``; Playwright downloads no browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import httpx
import pytest

from support.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """``sme-insure serve`` on a free port with a fresh SQLite database and the demo tenant."""
    data = tmp_path_factory.mktemp("web")
    port = _free_port()
    rules = (ROOT / "src/sme_insure/claims/data/rules.yaml").read_text(encoding="utf-8")
    (data / "claim-rules.yaml").write_text(  # policies start today here: no early-loss red flag
        rules.replace("early_loss_days: 30", "early_loss_days: 0"), encoding="utf-8")
    env = {**os.environ, "SME_INSURE_DATA_DIR": str(data),
           "SME_INSURE_CLAIM_RULES": str(data / "claim-rules.yaml")}
    env.pop("SME_INSURE_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "sme_insure.cli", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    keys: dict[str, str] = {}
    for line in proc.stdout:  # type: ignore[union-attr]
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith("smei_"):
            keys[parts[0]] = parts[1]
        if line.startswith("serving on"):
            break
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/v1/health").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield {"base": base, "keys": keys}
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
