"""The replay HTML report in a real browser (Debian's headless `chromium`): it renders, the verdict
counts in the DOM match report.json, the filter works, and a side-by-side diff is visible.
A screenshot is saved under test-artifacts/ for humans."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aipack_compat.model.report import CaseRecording, Exchange, Failure, PathRun, ReplaySettings
from aipack_compat.replay.session import build_report
from aipack_compat.report.replay_html import render_html
from aipack_compat.report.replay_json import render_json

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


def _browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        banner = "!" * 72
        print(f"\n{banner}\n!!! HTML REPORT BROWSER TEST SKIPPED: no chromium (apt-get install -y chromium)\n{banner}", file=sys.stderr)
        pytest.skip("chromium is not installed")
    return found


def _exchange(content: str, temperature: float, answer: str) -> Exchange:
    body = {"model": "smollm2", "stream": False, "options": {"temperature": temperature}, "messages": [{"role": "user", "content": content}]}
    return Exchange(method="POST", path="/api/chat", proxy_form="forward", request_body=json.dumps(body), status=200,
                    response_body=json.dumps({"message": {"role": "assistant", "content": answer}, "done": True}))


def _recordings() -> list[CaseRecording]:
    def case(case_id: str, old: list[Exchange], new: list[Exchange], failure: Failure | None = None) -> CaseRecording:
        return CaseRecording(case_id=case_id, job=case_id, old=PathRun(side="old", exchanges=old, failure=failure),
                             new=PathRun(side="new", exchanges=new))

    same = _exchange("\nHello Alice\n", 0.0, "Hi Alice!")
    return [
        case("greet", [same], [same]),
        case("greet-2", [same], [same]),
        case("drifted", [same], [_exchange("\nHello Alice\n", 0.7, "Hi Alice!")]),
        case("noisy", [same], [_exchange("\nHello Alice\n", 0.0, "Completely different words here.")]),
        case("broken", [], [same], Failure(kind="timeout", message="aip did not finish within 5 s")),
    ]


def _chromium(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=120)


def test_html_report_renders_with_counts_filter_and_diff(tmp_path: Path) -> None:
    browser = _browser()
    report = build_report(ReplaySettings(source="fixtures", ollama_url="http://127.0.0.1:11434"), build_aip(), _recordings())
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    data = json.loads(render_json(report))

    dom = _chromium(browser, "--dump-dom", page.as_uri()).stdout
    counts = {m[0]: int(m[1]) for m in re.findall(r'data-verdict="([a-z-]+)">(\d+)</span>', dom)}
    summary = data["summary"]
    assert counts == {"total": summary["total"], "equivalent": summary["equivalent"], "request-differs": summary["request_differs"],
                      "output-differs": summary["output_differs"], "failed": summary["failed"]}
    assert counts == {"total": 5, "equivalent": 2, "request-differs": 1, "output-differs": 1, "failed": 1}
    assert 'id="shown">5<' in dom  # the script ran: every case shown under the "all" filter
    assert 'class="diff_chg"' in dom or 'class="diff_sub"' in dom  # difflib side-by-side highlighting present

    filtered = _chromium(browser, "--dump-dom", page.as_uri() + "#verdict=request-differs").stdout
    assert 'id="shown">1<' in filtered
    assert re.search(r'<section class="case" data-verdict="equivalent"[^>]*hidden', filtered)

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "replay-report.png"
    result = _chromium(browser, f"--screenshot={shot}", "--window-size=1400,2200", page.as_uri() + "#verdict=request-differs")
    assert shot.is_file() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    (ARTIFACTS / "replay-report.html").write_text(page.read_text(encoding="utf-8"), encoding="utf-8")


def build_aip():  # type: ignore[no-untyped-def]
    from aipack_compat.model.report import AipInfo

    return AipInfo(path="aip", version="0.8.37", declared_era="ollama-native", observed_era="ollama-native")
