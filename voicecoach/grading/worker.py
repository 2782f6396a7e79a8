"""Grade one session into the output folder; runs inside a worker process.

Each worker loads the speech model once (on its first raw recording) and keeps it. A session is
built in a hidden temporary folder and renamed into place only when complete, with its cohort row
(``grade.json``) inside, so a killed run never leaves a half-graded session that looks finished,
and a session renamed into place just before a kill is adopted on the rerun, not graded again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import shutil
import signal
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecoach.errors import VoiceCoachError
from voicecoach.grading.discover import BASELINE_STEM, PERSONA_LINES, Job, reply_files
from voicecoach.grading.rows import cohort_row
from voicecoach.storage import make_private_dir, write_json_atomic
from voicecoach.types import AudioClip

ROW_FILE = "grade.json"
SESSIONS_DIR = "sessions"


@dataclass(frozen=True)
class GradeSettings:
    """What every worker needs: where to write, the rubric, the persona, the model."""

    out: str
    rubric_file: str | None
    persona: str
    model: str | None
    cpu_threads: int
    run_id: str


class _Silent:
    """Grading needs the persona's words, not its voice: synthesis would cost more than the ASR."""

    def synthesize(
        self, text: str, *, rate: float = 1.0, volume: float = 1.0, pitch: float = 1.0
    ) -> AudioClip:
        import numpy as np

        return AudioClip(np.zeros(0, dtype=np.float32), 16_000)


_STATE: dict[str, Any] = {}


def init_worker(settings: GradeSettings) -> None:
    """Process initialiser: remember the settings; the parent alone handles Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _STATE.clear()
    _STATE["settings"] = settings


def _die_with_parent() -> None:
    # Linux: a worker whose parent is killed (SIGKILL) is killed too, so a rerun never races an
    # orphan still writing the same session.
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _transcriber(settings: GradeSettings) -> Any:
    if "asr" not in _STATE:
        from voicecoach.asr import WhisperTranscriber
        from voicecoach.config import AsrOptions

        _STATE["asr"] = WhisperTranscriber(AsrOptions(model=settings.model, cpu_threads=settings.cpu_threads))
    return _STATE["asr"]


def _rubric(settings: GradeSettings) -> Any:
    if "rubric" not in _STATE:
        from voicecoach.feedback.rubric import load_rubric

        _STATE["rubric"] = load_rubric(Path(settings.rubric_file) if settings.rubric_file else None)
    return _STATE["rubric"]


def final_dir(out: Path, job_id: str) -> Path:
    """Where a graded session lives in the output folder."""
    return out / SESSIONS_DIR / job_id


def adopt(out: Path, job_id: str) -> dict[str, Any] | None:
    """The row of a session already graded into place (by a run killed before its journal entry)."""
    try:
        row = json.loads((final_dir(out, job_id) / ROW_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return row if isinstance(row, dict) and row.get("id") == job_id else None


def grade(job: Job) -> tuple[str, dict[str, Any] | None, str | None]:
    """Grade ``job``: (id, cohort row, None) or (id, None, the error naming the bad file)."""
    settings: GradeSettings = _STATE["settings"]
    out = Path(settings.out)
    tmp = out / SESSIONS_DIR / f".tmp-{uuid.uuid4().hex}"
    try:
        make_private_dir(tmp.parent)
        if job.kind == "session":
            _copy_session(job.source, tmp)
        else:
            _grade_recordings(job, tmp, settings)
        from voicecoach.store import load_session, write_reports

        write_reports(tmp, _rubric(settings))
        row = cohort_row(job, load_session(tmp), tmp, settings.run_id)
        write_json_atomic(tmp / ROW_FILE, row)
        return job.id, _move_into_place(tmp, out, job.id, row), None
    except VoiceCoachError as e:
        return job.id, None, str(e)
    except OSError as e:
        return job.id, None, f"{job.id}: {e.strerror or e}"
    except Exception as e:  # one broken session must not stop a class's grading
        return job.id, None, f"{job.id}: could not be graded ({type(e).__name__}: {e})"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _move_into_place(tmp: Path, out: Path, job_id: str, row: dict[str, Any]) -> dict[str, Any]:
    final = final_dir(out, job_id)
    make_private_dir(final.parent)
    existing = adopt(out, job_id)
    if existing is not None:
        return existing  # graded and placed by an earlier, interrupted run
    if final.exists():
        shutil.rmtree(final)  # a partial folder without its row is not a graded session
    os.replace(tmp, final)
    return row


def _copy_session(source: Path, dest: Path) -> None:
    from voicecoach.store import AUDIO_DIR, NOTES_FILE, SESSION_FILE, load_session

    load_session(source)  # a corrupt session.json is reported by name before anything is copied
    make_private_dir(dest)
    for name in (SESSION_FILE, NOTES_FILE):
        if (source / name).is_file():
            shutil.copyfile(source / name, dest / name)
    if (source / AUDIO_DIR).is_dir():
        make_private_dir(dest / AUDIO_DIR)
        for wav in sorted((source / AUDIO_DIR).glob("*.wav")):
            shutil.copyfile(wav, dest / AUDIO_DIR / wav.name)
    for path in dest.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


def _grade_recordings(job: Job, dest: Path, settings: GradeSettings) -> None:
    """A raw folder through the real pipeline: transcribe, tone, wording, the persona's move."""
    from voicecoach.analysis.baseline import baseline_from_clip
    from voicecoach.audio.clip import read_audio
    from voicecoach.audio.devices import NullSink
    from voicecoach.config import SessionOptions
    from voicecoach.persona.reply import opening_line
    from voicecoach.persona.schema import get_persona
    from voicecoach.persona.state import initial_state
    from voicecoach.session import Engines, SessionContext, build_report, process_turn
    from voicecoach.store import SessionStore
    from voicecoach.types import Reply, TurnResult

    files = reply_files(job.source)
    lines = _persona_lines(job.source)
    baseline = None
    for candidate in sorted(job.source.glob(f"{BASELINE_STEM}.*")):
        baseline = baseline_from_clip(read_audio(candidate), source_file=candidate.name)
        break
    persona = get_persona(settings.persona)
    options = SessionOptions(max_turns=max(len(files), 1), seed=0, playback=False)
    engines = Engines(_transcriber(settings), _Silent(), NullSink())
    ctx = SessionContext(persona, engines, options, baseline, _rubric(settings))
    rng = random.Random(options.seed)
    state = initial_state(persona, options.difficulty)
    opening = lines[0] if lines else opening_line(persona, rng)
    store = SessionStore(dest)
    store.save_opening(opening, _Silent().synthesize(opening), build_report(ctx, opening, [], "unresolved"))
    turns: list[TurnResult] = []
    last, outcome = opening, None
    for index, path in enumerate(files, start=1):
        clip = read_audio(path)
        turn, state = process_turn(ctx, index, Reply(path.name, clip=clip), state, persona_line=last, rng=rng)
        if index < len(lines):  # the client's real words, when the folder has them
            turn = dataclasses.replace(turn, persona_reply=lines[index])
        outcome = turn.update.outcome
        report = build_report(ctx, opening, [*turns, turn], outcome or "unresolved")
        turns.append(store.save_turn(turn, Reply(path.name, clip=clip), _Silent().synthesize(""), report))
        last = turn.persona_reply
        if outcome is not None:
            break
    report = build_report(ctx, opening, turns, outcome or "unresolved")
    names = [p.name for p in files]
    # The client was never voiced: keep its words, drop the empty placeholder recordings so the
    # report shows no silent players (``grade`` renders the reports again after this).
    unvoiced = tuple(dataclasses.replace(t, persona_audio_file=None) for t in report.turns)
    report = dataclasses.replace(report, turns=unvoiced, settings={**report.settings, "source_files": names})
    store.finish(report, "complete")
    for silent in (dest / "audio").glob("persona_*.wav"):
        silent.unlink()


def _persona_lines(folder: Path) -> list[str]:
    path = folder / PERSONA_LINES
    if not path.is_file():
        return []
    from voicecoach.replies import TextReplies

    return [line for _, line in TextReplies(path).lines]
