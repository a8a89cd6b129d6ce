"""Drives the bot through the Microsoft 365 Agents Playground (Microsoft's local Teams emulator).

Starts `sencobot serve` on a temporary SQLite database, starts the Playground
(`npx @microsoft/m365agentsplayground`, installed into bench/out/playground on first use)
pointing at it with the Teams channel, then uses headless Chromium (Debian's /usr/bin/chromium
through Playwright, never a downloaded browser) to type a question in the Playground's chat,
press a follow-up button on the answer card, and read the replies.

Last line: `playground_smoke welcome=… answered=… followup=… screenshot=…`
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLAYGROUND_VERSION = "0.2.28"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def ensure_playground(folder: Path) -> Path:
    cli = folder / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
    if not cli.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder),
                        f"@microsoft/m365agentsplayground@{PLAYGROUND_VERSION}"], check=True)
    return cli


async def drive(playground_url: str, screenshot: Path) -> tuple[bool, bool, bool]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1200, "height": 1000})
        await page.goto(playground_url, wait_until="networkidle")
        await page.wait_for_selector("text=SENCO Forum Assistant", timeout=20000)
        welcome = True
        box = page.locator("textarea, [contenteditable=true], input[type=text]").first
        await box.click()
        await box.fill("when do NPQ applications close?")
        await page.keyboard.press("Enter")
        answered = True
        try:
            await page.wait_for_selector("text=Source: Countywide SENCO Forum", timeout=20000)
        except Exception:
            answered = False
        followup = False
        if answered:
            await page.get_by_role("button", name="How do I apply for the NPQ for SENCOs?").first.click()
            try:
                await page.wait_for_function(
                    "document.body.innerText.split('Source: Countywide SENCO Forum').length > 2", timeout=20000)
                followup = True
            except Exception:
                followup = False
        await page.screenshot(path=str(screenshot), full_page=True)
        await browser.close()
        return welcome, answered, followup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", default=str(REPO / "bench" / "out" / "playground.png"))
    args = parser.parse_args()
    if not shutil.which("npm") or not Path("/usr/bin/chromium").exists():
        print("playground_smoke skipped: needs npm and /usr/bin/chromium")
        return
    cli = ensure_playground(REPO / "bench" / "out" / "playground")
    tmp = tempfile.mkdtemp(prefix="sencobot-playground-")
    bot_port, playground_port = free_port(), free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/bot.db")
    bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(bot_port)], cwd=REPO, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    playground = subprocess.Popen(
        ["node", str(cli), "-e", f"http://127.0.0.1:{bot_port}/api/messages", "-c", "msteams",
         "-p", str(playground_port), "--dt"],
        cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # it writes devTools/ logs into its cwd
    try:
        wait_http(f"http://127.0.0.1:{bot_port}/healthz")
        wait_http(f"http://127.0.0.1:{playground_port}/")
        screenshot = Path(args.screenshot)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        welcome, answered, followup = asyncio.run(drive(f"http://127.0.0.1:{playground_port}/", screenshot))
        print(f"playground_smoke welcome={str(welcome).lower()} answered={str(answered).lower()} "
              f"followup={str(followup).lower()} screenshot={screenshot}")
    finally:
        for process in (bot, playground):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
