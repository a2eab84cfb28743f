"""axe-core in the browser tests: installed from npm by the test set-up, served to the page as
a static file of the site's own origin (so the Content-Security-Policy stays on), never fetched
from the network while a test runs.

`npm install --prefix tests/browser/.axe axe-core@4` (git-ignored) is what CI's .ci/run does;
the fixture runs it itself when the file is missing, and skips (fails under CI) when npm
cannot.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

AXE_DIR = Path(__file__).parent / ".axe"
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe-core__/axe.min.js"
# WCAG 2.1 A and AA: the rules the issue asks to hold.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_source() -> str:
    if not AXE_FILE.exists():
        try:
            subprocess.run(
                [
                    "npm",
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--prefix",
                    AXE_DIR,
                    "axe-core@4",
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (OSError, subprocess.SubprocessError) as error:
            reason = f"axe-core could not be installed from npm ({error})"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
    return AXE_FILE.read_text()


def serve_axe(page, base_url: str, source: str) -> None:
    """Answer `AXE_PATH` on the site's origin with axe-core, from memory."""
    page.route(
        f"{base_url}{AXE_PATH}",
        lambda route: route.fulfill(body=source, content_type="text/javascript"),
    )


def axe_violations(page, base_url: str) -> list[str]:
    """The WCAG 2.1 AA violations axe finds on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=f"{base_url}{AXE_PATH}")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + json.dumps([node["target"] for node in v["nodes"][:5]])
        for v in result["violations"]
    ]
