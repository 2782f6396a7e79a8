"""report.html in a real headless Chromium: offline, no console errors, playable audio, escaped text.

The session is a real one (the demo's recorded replies through the real model), with a hostile
reply and an instructor note added and the reports rebuilt by ``voicecoach review``.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import Browser, find_chromium, png_variety

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EVIL = "<script>document.title='owned'</script>"

AUDIO_CHECK = """
(async () => {
  const out = [];
  for (const a of document.querySelectorAll('audio')) {
    a.load();
    await new Promise((ok, fail) => {
      if (a.readyState >= 1) return ok();
      a.addEventListener('loadedmetadata', ok, {once: true});
      const failed = () => fail(new Error('audio error ' + (a.error && a.error.code)));
      a.addEventListener('error', failed, {once: true});
    });
    let played = 'played';
    try { a.muted = true; await a.play(); a.pause(); } catch (e) { played = String(e); }
    out.push({duration: a.duration, played: played});
  }
  return out;
})()
"""


def voicecoach(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOICECOACH_HOME": str(home)}
    env.pop("VOICECOACH_MODEL", None)
    return subprocess.run(
        [sys.executable, "-m", "voicecoach", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo session with a `<script>` reply and a note, rebuilt by `voicecoach review`."""
    base = tmp_path_factory.mktemp("browser")
    folder = base / "session"
    run = voicecoach("demo", "--out", str(folder), "--no-playback", home=base / "home")
    assert run.returncode == 0, run.stderr
    session = json.loads((folder / "session.json").read_text())
    session["turns"][0]["transcript"] += " " + EVIL  # offsets of the evidence stay valid
    (folder / "session.json").write_text(json.dumps(session))
    note = voicecoach(
        "notes",
        str(folder),
        "--by",
        "<b>Instructor</b>",
        "--comment",
        EVIL,
        "--turn",
        "1",
        home=base / "home",
    )
    assert note.returncode == 0, note.stderr
    review = voicecoach("review", str(folder), home=base / "home")
    assert review.returncode == 0, review.stderr
    return folder / "report.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
        pytest.skip("Chromium not installed (apt-get install chromium, or run `make test`)")
    b = Browser(binary, tmp_path_factory.mktemp("profile"))
    try:
        b.open_page()
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def loaded(browser: Browser, report: Path) -> Browser:
    browser.navigate(report.as_uri())
    return browser


def test_the_page_loads_offline_without_console_errors_or_fetches(loaded: Browser) -> None:
    assert loaded.evaluate("document.readyState") == "complete"
    assert loaded.console_errors() == []
    fetched = [u for u in loaded.requested_urls() if not u.startswith(("file:", "data:"))]
    assert fetched == []
    assert loaded.evaluate("navigator.onLine") is False  # the network really was off


def test_every_audio_element_has_a_duration_and_plays(loaded: Browser) -> None:
    audio = loaded.evaluate(AUDIO_CHECK, timeout=60)
    turns = json.loads(Path(loaded.evaluate("location.pathname")).with_name("session.json").read_text())[
        "turns"
    ]
    assert len(audio) == 1 + 2 * len(turns)  # opening, then each reply and each answer
    assert all(a["duration"] > 0.5 for a in audio), audio
    assert all(a["played"] == "played" for a in audio), audio
    assert loaded.console_errors() == []


def test_a_script_in_a_transcript_or_note_renders_as_text(loaded: Browser) -> None:
    assert loaded.evaluate("document.scripts.length") == 0
    assert loaded.evaluate("document.title").startswith("VoiceCoach session")
    text = loaded.evaluate("document.body.innerText")
    assert text.count(EVIL) >= 2  # the reply and the note
    assert "<b>Instructor</b>" in text
    assert loaded.evaluate("document.querySelectorAll('mark').length") >= 3  # evidence highlighted


def test_charts_render_and_a_screenshot_is_not_blank(loaded: Browser, tmp_path: Path) -> None:
    sizes = loaded.evaluate(
        "[...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().height)"
    )
    assert len(sizes) == 4 and all(h > 50 for h in sizes)  # agitation + pace, loudness, pitch
    shot = base64.b64decode(loaded.call("Page.captureScreenshot", format="png")["data"])
    (tmp_path / "report.png").write_bytes(shot)
    assert png_variety(shot) > 0.01
    loaded.navigate("about:blank")
    blank = base64.b64decode(loaded.call("Page.captureScreenshot", format="png")["data"])
    assert png_variety(blank) < 0.001  # the measure can tell a blank page
