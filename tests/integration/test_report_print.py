"""The report as a physician prints it: a real headless Chromium (Debian's package) prints the
HTML of ``ldn-tracker report`` to PDF and takes a screenshot; poppler's tools read the PDF back.

Page one is A4 and holds the summary: the patient block and both charts, on one time axis
whose dates carry their year; the details follow on the next pages. The HTML stays offline:
nothing is fetched from anywhere. Locally the test is skipped without Chromium; in CI
(``CI=true``) a missing Chromium fails it (``.ci/run`` installs it with scripts/chromium.sh).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.i18n import set_language
from tracker.services.clinic import CheckIn, Clinic
from tracker.storage.database import Database

TODAY = date(2026, 3, 1)
TOOLS = ("chromium", "pdfinfo", "pdftotext")


@pytest.fixture(autouse=True)
def tools(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI=true but {missing} missing: .ci/run runs scripts/chromium.sh",
                        pytrace=False)
        pytest.skip(f"{missing} not installed (bash scripts/chromium.sh)")
    monkeypatch.setenv("LDN_TRACKER_TODAY", TODAY.isoformat())


def _report(tmp_path: Path, capsys: pytest.CaptureFixture[str], language: str,
            *extra: str) -> Path:
    target = str(tmp_path / "home.db")
    assert main(["--db", target, "patient", "add", "--name", "Karen Jensen", "--condition",
                 "fibromyalgia", "--start", "2025-11-03", "--informed", "2025-11-01"]) == 0
    db = Database(target)
    try:
        clinic = Clinic(db)
        plan = clinic.plan(1, until=TODAY)
        day, n = date(2025, 10, 27), 0
        while day < TODAY:
            planned = plan.on(day)
            entry: dict[str, object] = {"day": day, "scores": {"pain": 7 - n // 20,
                                                               "fatigue": 5 + n % 3}}
            if planned is not None and planned.dose_mg > 0 and n % 11 != 3:
                entry.update(taken=True, mg=planned.dose_mg)
            if 40 <= n <= 44:
                entry["effects"] = {"headache": 2}
            clinic.check_in(1, CheckIn(**entry))  # type: ignore[arg-type]
            day += timedelta(days=1)
            n += 1
    finally:
        db.dispose()
    out = tmp_path / "report.html"
    set_language(language)
    try:
        assert main(["--db", target, "--lang", language, "report", "--patient", "1", "--out",
                     str(out), *extra]) == 0
    finally:
        set_language("en")
    capsys.readouterr()
    return out


def _print(html: Path) -> tuple[Path, str]:
    pdf = html.with_suffix(".pdf")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    return pdf, info


def _page(pdf: Path, number: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number),
                           str(pdf), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize(("language", "headings", "tick"), [
    ("en", ("Dose over time", "Symptom scores", "Start date", "Target dose"), r"1 Jan 2026"),
    ("da", ("Dosis over tid", "Symptomscorer"), r"1\. jan\. 2026"),
])
def test_page_one_is_an_a4_summary_with_both_charts(tmp_path: Path, language: str,
                                                     headings: tuple[str, ...], tick: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    html = _report(tmp_path, capsys, language)
    text = html.read_text(encoding="utf-8")
    # Offline: nothing is loaded from elsewhere (the SVG namespace is a name, not a fetch).
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text)
    assert "@import" not in text and "url(" not in text
    pdf, info = _print(html)
    assert re.search(r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 2  # the summary, then the details
    first = _page(pdf, 1)
    for heading in headings:
        assert heading in first, f"{heading!r} not on page 1:\n{first}"
    assert re.search(tick, first), first  # the shared time axis, with years
    assert "Karen Jensen" in first
    second = _page(pdf, 2)
    assert "Dose over time" not in second and "Dosis over tid" not in second


def test_a_date_range_and_a_screenshot(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    html = _report(tmp_path, capsys, "en", "--from", "2026-01-01", "--to", "2026-02-28")
    pdf, _info = _print(html)
    first = _page(pdf, 1)
    assert "1 January 2026 – 28 February 2026" in html.read_text(encoding="utf-8")
    assert "5 Jan 2026" in first and "Nov 2025" not in first  # the axis starts at --from
    png = tmp_path / "report.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    f"--screenshot={png}", "--window-size=1200,1700", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_report_refuses_a_range_that_ends_before_it_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "home.db"
    assert main(["--db", str(target), "patient", "add", "--name", "A", "--condition", "ms",
                 "--start", "2026-01-01"]) == 0
    out = tmp_path / "r.html"
    assert main(["--db", str(target), "report", "--patient", "1", "--out", str(out),
                 "--from", "2026-02-01", "--to", "2026-01-01"]) == 2
    assert "--to" in capsys.readouterr().err
    assert not out.exists()
