"""Real headless Chromium for the browser tests, and `modctl up` as the end-to-end stack.

Chromium and ChromeDriver are Debian's (`apt-get install chromium chromium-driver`); both paths
are given to Selenium, so Selenium Manager never looks for, or downloads, a browser.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from service.testing.stack import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REPO = Path(__file__).resolve().parents[2]
# The README shows these; every browser test run rewrites them.
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", REPO / "docs" / "screenshots"))

# This closed network refuses Chromium's background connections (updates, sync, safe browsing,
# translation), and each refusal slows the browser down: switch them all off.
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
    "--disable-dev-shm-usage",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--window-size=1280,900",
    "--force-device-scale-factor=1",
    "--lang=en-US",
]


def chromium_missing() -> str | None:
    """Say why the browser tests cannot run here, or None when they can."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists()]
    if missing:
        return (
            f"{' and '.join(missing)} not found: install Debian's browser with "
            "`apt-get install -y chromium chromium-driver` to run the browser tests"
        )
    return None


def start_chromium(profile_dir: Path) -> webdriver.Chrome:
    """Start headless Chromium with a fresh profile; the caller quits it."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(
        executable_path=CHROMEDRIVER, log_output=str(profile_dir.parent / "chromedriver.log")
    )
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(10)
    return driver


def wait_for(driver, condition, timeout: float = 10, message: str = ""):
    """Wait (bounded) until condition(driver) is truthy and return it.

    Cards and messages are re-rendered as answers arrive, so an element found a moment ago may
    be gone: that means "not yet", not failure.
    """
    gone = (NoSuchElementException, StaleElementReferenceException)
    wait = WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=gone)
    return wait.until(condition, message)


def page_errors(driver) -> list[str]:
    """Return the script exceptions and CSP refusals the page logged.

    Failed requests are left out: the tests provoke 4xx answers on purpose.
    """
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE"
        and ("Uncaught" in entry["message"] or "Refused to" in entry["message"])
    ]


def requested_urls(driver) -> list[str]:
    """Return every URL the page has fetched so far: the document and its resources."""
    return driver.execute_script(
        "return [location.href, ...performance.getEntriesByType('resource').map(e => e.name)]"
    )


def screenshot(driver, name: str) -> Path:
    """Save the browser's viewport as SCREENSHOTS/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert driver.save_screenshot(str(path)), f"could not save {path}"
    return path


class ModctlUp:
    """`modctl up` as a user runs it: migrations, gunicorn, a Celery worker, the demo site.

    It gets its own SQLite file, data directory and Redis database, so it shares nothing with
    the rest of the suite (whose worker uses Redis db 15).
    """

    READY_LINE = "Ctrl-C stops everything."

    def __init__(self, workdir: Path, redis_url: str, extra_env: dict | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.redis_url = redis_url
        self.log_path = workdir / "modctl-up.log"
        self.lines: list[str] = []
        self.env = {
            **os.environ,
            "DATA_DIR": str(workdir / "data"),
            # Explicit, so a PostgreSQL run's DATABASE_URL is not inherited.
            "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
            "REDIS_URL": redis_url,
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            **(extra_env or {}),
        }
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> dict:
        """Start it and return what it printed: keys, tokens and the two page URLs."""
        # Run from the work directory: Celery beat writes its schedule file to the cwd.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "up", "--port", str(self.port), "--workers", "1"],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read_output, daemon=True).start()
        deadline = time.monotonic() + timeout
        while self.READY_LINE not in self.output():
            if self.proc.poll() is not None:
                raise AssertionError(f"modctl up exited ({self.proc.returncode}):\n{self.tail()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"modctl up did not start in {timeout} s:\n{self.tail()}")
            time.sleep(0.2)
        return self._printed()

    def _read_output(self) -> None:
        with open(self.log_path, "w") as log:
            for line in self.proc.stdout:
                self.lines.append(line)
                log.write(line)
                log.flush()

    def output(self) -> str:
        return "".join(self.lines)

    def tail(self, chars: int = 4000) -> str:
        return self.output()[-chars:]

    def _printed(self) -> dict:
        text = self.output()
        found = {
            name: re.search(pattern, text)
            for name, pattern in {
                "article_url": r"Demo article page:\s+(\S+)",
                "review_url": r"Review page:\s+(\S+)",
                "keys": r"(?s)First run:[^\n]*\n(\{.*?\n\})",
            }.items()
        }
        missing = [name for name, match in found.items() if match is None]
        assert not missing, f"modctl up did not print {missing}:\n{self.tail()}"
        return {
            "article_url": found["article_url"].group(1),
            "review_url": found["review_url"].group(1),
            **json.loads(found["keys"].group(1)),
        }

    def wait_ready(self, timeout: float = 120) -> None:
        """Wait until the API answers and a worker is connected (/readyz)."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"modctl up exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                response = httpx.get(f"{self.base}/readyz", timeout=5)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.5)
        raise AssertionError(f"not ready in {timeout} s ({last}):\n{self.tail()}")

    def stop(self, timeout: float = 30) -> dict:
        """Stop it as a user would (Ctrl-C); return how it went. Never raises, so a test's own
        failure is not hidden behind a failure to stop."""
        if self.proc is None:
            return {"returncode": None, "outlived": []}
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only what it started
                self.proc.wait(timeout=10)
        # gunicorn or the worker outliving `modctl up` would be a bug: report, then kill them.
        deadline = time.monotonic() + 10
        while (outlived := running_in_group(self.proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        if outlived:
            os.killpg(self.proc.pid, signal.SIGKILL)
        return {"returncode": self.proc.returncode, "outlived": outlived}


def running_in_group(pgid: int) -> list[int]:
    """Return the live processes of a process group (zombies waiting for init do not count)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may contain spaces.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it exited while we looked
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive
