"""The console's LWC bundles compiled with LWC OSS and rendered in headless Chromium.

The components are the deployed sources (templates/force-app/.../lwc); the platform modules
(Apex, lightning/*) are stubs answering the REST contract's Run JSON (console/browser/).
What is asserted is the text a person sees: main.js walks the rendered tree through shadow
roots, keeps visible text nodes only, and writes them into #visible-text for --dump-dom.
Screenshots go to $STEPFORCE_CONSOLE_SHOTS (docs/console/ when refreshing the docs' images;
a temporary directory otherwise). Needs console/node_modules (`make console-test` installs
it) and Debian's chromium (.ci/run installs it); without them the test fails in CI and skips
elsewhere.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"
BROWSER = CONSOLE / "browser"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    # Virtual time: the stubbed Apex promises and main.js's timers run without waiting.
    "--virtual-time-budget=5000",
]


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI")
    pytest.skip(f"{what} is missing (make console-test; apt-get install chromium)")


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _missing("chromium")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def page(chromium: str) -> Path:
    rollup = CONSOLE / "node_modules" / ".bin" / "rollup"
    if not rollup.exists():
        _missing("console/node_modules")
    subprocess.run(
        [str(rollup), "--silent", "-c", str(BROWSER / "rollup.config.mjs")],
        cwd=CONSOLE,
        check=True,
        timeout=120,
    )
    return BROWSER / "index.html"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("STEPFORCE_CONSOLE_SHOTS")
    out = Path(chosen) if chosen else tmp_path_factory.mktemp("console-shots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _chromium(chromium: str, profile: Path, *args: str) -> str:
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    return result.stdout


def _render(chromium: str, page: Path, scenario: str, shot: Path, tmp: Path) -> list[str]:
    url = f"{page.as_uri()}#{scenario}"
    dom = _chromium(chromium, tmp / "dom-profile", "--dump-dom", url)
    assert 'data-rendered="true"' in dom, f"{scenario} did not finish rendering"
    found = re.search(r'<div id="visible-text" hidden="">(.*?)</div>', dom, re.S)
    assert found, f"{scenario}: no #visible-text in the page"
    _chromium(
        chromium, tmp / "shot-profile", f"--screenshot={shot}", "--window-size=1280,1500", url
    )
    assert shot.stat().st_size > 10_000, f"{shot} looks empty"
    return html.unescape(found.group(1)).split("\n")


def test_a_failed_run_shows_its_steps_limits_error_and_only_retry(
    chromium: str, page: Path, shots: Path, tmp_path: Path
) -> None:
    lines = _render(chromium, page, "timeline-failed", shots / "run-failed.png", tmp_path)
    text = "\n".join(lines)
    assert lines[:4] == ["Stepforce run timeline", "Orchestration", "Invoice_Sync", "Status"]
    assert "Ada Admin" in lines
    assert "Step Post failed after 3 attempts: ERP answered 503 Service Unavailable" in lines
    assert [line for line in lines if line.startswith("Attempt ")] == [
        "Attempt 1, iteration 1",
        "Attempt 1, iteration 1",
        "Attempt 3, iteration 1",
    ]
    assert "SOQL queries: 171 of 200 (86%) - near the limit" in lines
    assert "CPU ms: 52,000 of 60,000 (87%) - near the limit" in lines
    assert text.count("Within 20% of an async limit") == 1
    # The expanded error and the first step's collapsed 400-invoice output.
    assert text.count("ERP answered 503 Service Unavailable") == 2
    assert any(re.fullmatch(r"outputs: 1 key \(invoices\), \d+\.\d KB", line) for line in lines)
    assert "Show outputs" in lines
    assert "No action is available" not in text


def test_a_running_run_is_followed_live(
    chromium: str, page: Path, shots: Path, tmp_path: Path
) -> None:
    lines = _render(chromium, page, "timeline-running", shots / "run-running.png", tmp_path)
    assert "Following live" in lines
    assert "Olaf Operator" in lines
    assert "Running" in lines


def test_the_overview_counts_runs_and_lists_those_needing_attention(
    chromium: str, page: Path, shots: Path, tmp_path: Path
) -> None:
    lines = _render(chromium, page, "overview", shots / "overview.png", tmp_path)
    header = ["Orchestration", "Queued", "Running", "Paused", "Succeeded", "Failed", "Cancelled"]
    start = lines.index("Orchestration")
    assert lines[start : start + 8] == [*header, "Total"]
    assert lines[start + 8 : start + 16] == ["Invoice_Sync", "0", "0", "0", "40", "2", "0", "42"]
    assert [line for line in lines if line.startswith("RUN-")] == [
        "RUN-000101",
        "RUN-000107",
        "RUN-000112",
    ]
    assert "Stuck: Queued without a job for over 30 min" in lines
