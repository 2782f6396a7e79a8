"""Moments, notes and re-scoring: pure functions over session.json data."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from voicecoach.feedback.build import build_feedback, turn_starts
from voicecoach.feedback.notes import Note, check_note_fields, notes_from_json
from voicecoach.feedback.rescore import rescore, score_from_dict
from voicecoach.feedback.rubric import load_rubric

pytestmark = pytest.mark.unit
RUBRIC = load_rubric()


def technique(text: str, tag: str, words: str) -> dict[str, Any]:
    start = text.index(words)
    return {"tag": tag, "evidence": words, "start": start, "end": start + len(words)}


def turn(
    index: int, text: str, moves: list[tuple[str, str]], *, before: float, after: float, score: int
) -> dict[str, Any]:
    return {
        "index": index,
        "transcript": text,
        "tone": None,
        "wording": {"effect": "neutral", "score": 0, "techniques": [technique(text, t, w) for t, w in moves]},
        "agitation_before": before,
        "agitation_after": after,
        "stage": "defensive",
        "reasons": [],
        "persona_reply": "Whatever.",
        "calm_presence": score,
        "calm_presence_reasons": [],
        "audio_file": None,
        "persona_audio_file": None,
    }


def session() -> dict[str, Any]:
    return {
        "persona": "marcus",
        "outcome": "unresolved",
        "calm_presence": 50,
        "opening_line": "Nobody called me!",
        "baseline": "population",
        "turns": [
            turn(1, "Calm down, sir.", [("command", "Calm down")], before=55, after=65, score=20),
            turn(
                2,
                "That sounds awful. What happened?",
                [("reflection", "That sounds awful"), ("open_question", "What happened")],
                before=65,
                after=52,
                score=85,
            ),
            turn(3, "Okay.", [], before=52, after=54, score=40),
            turn(
                4,
                "Did you get the letter?",
                [("closed_question", "Did you get the letter")],
                before=54,
                after=54,
                score=45,
            ),
        ],
        "settings": {},
    }


def test_each_moment_names_the_words_the_time_and_a_better_alternative() -> None:
    starts = [42.0, 55.5, 70.0, 80.0]
    data = session()
    for t, s in zip(data["turns"], starts, strict=True):
        t["start_s"] = s
    fb = build_feedback(data, RUBRIC)
    practise = fb["practise"]
    assert [f["id"] for f in practise] == ["t1.command@0", "t3.no_move", "t4.closed_question@0"]
    first = practise[0]
    assert first["said"] == "Calm down" and first["time_s"] == 42.0
    assert first["text"].startswith(
        "Instead of \u201cCalm down\u201d at 0:42 (turn 1), try naming the feeling"
    )
    assert "What happened this morning?" in practise[2]["advice"]
    best = fb["best"]
    assert [f["code"] for f in best] == ["reflection", "open_question"]  # only turn 2 scored as a strength
    assert best[0]["text"].startswith("At 0:55 (turn 2) you said \u201cThat sounds awful\u201d")
    assert (
        fb["mi"]["reflections"] == 1 and fb["mi"]["open_questions"] == 1 and fb["mi"]["closed_questions"] == 1
    )
    assert fb["rubric"]["name"] == RUBRIC.name
    assert {d["key"] for d in fb["beta_domains"] if d["shown"]} >= {"listen_closely"}


def test_a_dismissed_finding_leaves_the_moments_and_is_listed_with_its_author() -> None:
    note = Note("J. Rivera", "2026-01-01", "He was quoting the sign.", "dismiss", 1, "t1.command@0")
    fb = build_feedback(session(), RUBRIC, notes=[note])
    assert "t1.command@0" not in [f["id"] for f in fb["practise"]]
    assert fb["dismissed"][0]["author"] == "J. Rivera"
    assert fb["dismissed"][0]["finding_text"].startswith("Instead of \u201cCalm down\u201d")


def test_the_rubric_sets_how_many_moments_and_what_counts_as_strong() -> None:
    rubric = dataclasses.replace(RUBRIC, moments=1, strong_turn=90)
    fb = build_feedback(session(), rubric)
    assert len(fb["practise"]) == 1 and fb["practise"][0]["code"] == "command"
    assert fb["best"] == []


def test_turn_starts_add_up_the_recordings_when_none_was_stored() -> None:
    data = session()
    data["turns"][0]["audio_file"] = "audio/trainee_01.wav"
    data["turns"][0]["persona_audio_file"] = "audio/persona_01.wav"
    durations = {"audio/persona_00.wav": 5.0, "audio/trainee_01.wav": 3.0, "audio/persona_01.wav": 2.5}
    assert turn_starts(data, durations)[:2] == [5.0, 10.5]
    assert turn_starts(data, {}) == [None] * 4


def test_rescoring_with_another_rubric_changes_the_numbers_and_names_it() -> None:
    data = session()
    for t in data["turns"]:
        t["calm_presence"] = score_from_dict(t, RUBRIC).score
    harsh = dataclasses.replace(RUBRIC, name="harsh", points_per_bad_move=60.0)
    out = rescore(data, harsh)
    assert out["settings"]["rubric"] == "harsh"
    assert out["turns"][0]["calm_presence"] < data["turns"][0]["calm_presence"]
    assert out["turns"][1]["calm_presence"] == data["turns"][1]["calm_presence"]
    before = copy.deepcopy(data)
    rescore(data, harsh)
    assert data == before  # the input is not modified


def test_bad_notes_are_refused_with_a_reason() -> None:
    assert check_note_fields("", "x", "comment", None) == "a note needs its author (--by NAME)"
    assert "finding id" in (check_note_fields("A", "x", "dismiss", "turn two") or "")
    assert check_note_fields("A", "x", "dismiss", None) is not None
    assert check_note_fields("A", "fine", "comment", "t2.command@14") is None
    with pytest.raises(Exception, match=r"notes.json: notes\[0\]: turn must be"):
        notes_from_json({"notes": [{"author": "A", "text": "x", "turn": 0}]}, "notes.json")
