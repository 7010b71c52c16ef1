"""The test run says loudly what it could not test (issue 17): never a quiet "skipped"."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_browser_tests(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "CI"} | env
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_browser.py"],
        cwd=ROOT,
        env=environment | {"IMAGEGEN_TEST_CHROMIUM": "/nonexistent/chromium"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_chromium_is_named_with_its_install_command():
    done = run_browser_tests()
    assert done.returncode == 0
    assert "NOT TESTED" in done.stdout
    assert "tests did not run: browser tests need Debian's chromium" in done.stdout
    assert "apt-get install chromium" in done.stdout


def test_in_ci_a_missing_chromium_fails():
    done = run_browser_tests(CI="true")
    assert done.returncode != 0
    assert "NOT TESTED" not in done.stdout
