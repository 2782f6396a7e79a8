"""Generate synthetic ground truth for the tone benchmark (issue 3) into a folder.

Nothing here is committed: run it on demand (``benchmarks/tone_bench.py`` calls it when its
folder is missing). It needs ``espeak-ng`` and ``sox`` on PATH and takes about a minute.

What it makes, and where each truth comes from (never from espeak's nominal ``-s``, which
DOMAIN.md found to run 12-16% fast):

* ``rate``: sentences without internal punctuation, several voices, rates and pitches, some
  stretched with ``sox tempo``. True articulation rate = espeak's own syllable count (vowel
  phonemes in ``espeak-ng --ipa --sep``) / the trimmed duration of the audio actually produced.
* ``gain``: base clips through ``sox gain g`` for g in +-6, +-12 dB: level must move by g, pitch
  and rate must not move.
* ``pitch``: base clips through ``sox pitch c``: median F0 must move by c/100 semitones.
* ``pause``: phrases joined by silences of 0.30-1.2 s (``sox pad``), clean and with pink noise
  (``sox synth pinknoise``) mixed at 30 and 20 dB SNR: pause count must be exact.
* ``ends``: the same words as a statement (".") and a question ("?"): ends falling vs rising.

Usage: ``python scripts/make_tone_truth.py [OUT_DIR]`` (default ``/tmp/voicecoach-tone-truth``).
Writes WAVs plus ``truth.tsv`` (one row per file) and is deterministic for a given seed.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.io import wavfile

DEFAULT_OUT = Path(tempfile.gettempdir()) / "voicecoach-tone-truth"
RATE = 16_000
SEED = 3
#: Every vowel symbol espeak-ng's IPA output uses for English; a phoneme holding one is a nucleus.
_VOWELS = set("aeiouyæɑɒɔəɛɜɪʊʌɐɚɝɨʉøœɤɯ")
#: Samples below this fraction of the peak at either end are trimmed silence.
_TRIM_FRACTION = 0.02

SENTENCES = (
    "we can work on this together if you want to",
    "I hear how frustrating the waiting has been for you",
    "would you like to sit down and tell me what happened",
    "let me find out what is going on with your appointment",
    "you have every reason to be upset about this delay",
    "I want to understand what you need right now",
    "the nurse will be back in a few minutes to check on you",
    "thank you for telling me about it so clearly",
)
PHRASES = (
    "I understand",
    "take your time",
    "we have a few options",
    "you can choose what happens next",
    "I am right here with you",
    "let us figure this out",
)
PAIRS = (
    "you are coming home",
    "the doctor is ready now",
    "you want to talk to her",
    "it was the blue one",
    "we can start again tomorrow",
    "they told you about the change",
    "you are feeling better today",
    "she will call you back",
    "this is your room",
    "you already ate lunch",
    "he left the bag here",
    "the meeting is over",
    "you need a ride to the clinic",
    "your sister is on her way",
    "we close at six tonight",
    "that is the form you filled in",
    "the pharmacy has your order",
    "you slept well last night",
    "the elevator is working again",
    "you spoke to the manager",
    "your number was called",
    "they moved your appointment to friday",
    "the results came back this morning",
    "you would like some water",
)
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-scotland+m3", "en-029", "en-us+f2")
RATES_WPM = (110, 140, 170, 200, 240)


def run(cmd: list[str]) -> str:
    """Run a command, returning stdout; fail loudly with its stderr."""
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    return proc.stdout


def espeak(text: str, voice: str, wpm: int, pitch: int, path: Path) -> None:
    """Synthesize ``text`` and resample it to 16 kHz mono with sox."""
    raw = path.with_suffix(".raw.wav")
    run(["espeak-ng", "-v", voice, "-s", str(wpm), "-p", str(pitch), "-w", str(raw), text])
    run(["sox", "-R", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", str(path)])
    raw.unlink()


def syllables(text: str, voice: str) -> int:
    """Vowel phonemes in espeak-ng's own transcription: the syllables it will actually speak."""
    ipa = run(["espeak-ng", "-q", "--ipa", "--sep=_", "-v", voice, text])
    phonemes = ipa.replace(" ", "_").replace("\n", "_").split("_")
    return sum(1 for p in phonemes if any(c in _VOWELS for c in p))


def read(path: Path) -> np.ndarray:
    """A 16-bit WAV as float64 in [-1, 1]."""
    _, x = wavfile.read(path)
    return np.asarray(x, dtype=np.float64) / 32768.0


def write(path: Path, x: np.ndarray) -> None:
    """float64 in [-1, 1] to a 16-bit WAV at ``RATE``."""
    wavfile.write(path, RATE, np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16))


def trimmed_duration(x: np.ndarray) -> float:
    """Seconds from the first to the last sample above 2% of the peak."""
    loud = np.flatnonzero(np.abs(x) > _TRIM_FRACTION * np.max(np.abs(x)))
    return float(loud[-1] - loud[0] + 1) / RATE if loud.size else 0.0


def trim(x: np.ndarray) -> np.ndarray:
    """``x`` without its leading and trailing silence."""
    loud = np.flatnonzero(np.abs(x) > _TRIM_FRACTION * np.max(np.abs(x)))
    return x[loud[0] : loud[-1] + 1] if loud.size else x


def sox(src: Path, dst: Path, *effect: str) -> None:
    """Apply one sox effect chain."""
    run(["sox", "-R", str(src), str(dst), *effect])


def make_rate(out: Path, rng: np.random.Generator, rows: list[dict[str, object]]) -> list[Path]:
    """Sentences at several voices/rates/pitches, plus tempo-stretched copies."""
    bases: list[Path] = []
    for i, text in enumerate(SENTENCES):
        for j, voice in enumerate(VOICES):
            wpm = RATES_WPM[(i + j) % len(RATES_WPM)]
            pitch = int(rng.integers(25, 76))
            path = out / f"rate_{i}_{j}.wav"
            espeak(text, voice, wpm, pitch, path)
            # Peak at -14 dBFS so +12 dB of gain later cannot clip.
            x = trim(read(path))
            x = np.concatenate(
                [np.zeros(RATE // 2), x / np.max(np.abs(x)) * 10 ** (-14 / 20), np.zeros(RATE // 2)]
            )
            write(path, x)
            n = syllables(text, voice)
            rows.append(_rate_row(path, "rate", n, x, f"{voice} -s {wpm} -p {pitch}"))
            if j % 2 == 0:
                bases.append(path)
            if (i + j) % 3 == 0:
                k = (0.8, 1.25)[(i + j) % 2]
                stretched = out / f"rate_{i}_{j}_tempo{k}.wav"
                sox(path, stretched, "tempo", "-s", str(k))
                rows.append(_rate_row(stretched, "rate", n, read(stretched), f"{voice} tempo {k}"))
    return bases


def _rate_row(path: Path, kind: str, n: int, x: np.ndarray, note: str) -> dict[str, object]:
    dur = trimmed_duration(x)
    return {"kind": kind, "file": path.name, "syllables": n, "true_rate_sps": round(n / dur, 4), "note": note}


def make_gain_pitch(out: Path, bases: list[Path], rows: list[dict[str, object]]) -> None:
    """Gain and pitch-shift variants of the base clips."""
    for base in bases:
        for g in (-12, -6, 6, 12):
            dst = out / f"{base.stem}_gain{g:+d}.wav"
            sox(base, dst, "gain", str(g))
            rows.append({"kind": "gain", "file": dst.name, "base": base.name, "gain_db": g})
        for c in (-300, -150, 150, 300):
            dst = out / f"{base.stem}_pitch{c:+d}.wav"
            sox(base, dst, "pitch", str(c))
            rows.append({"kind": "pitch", "file": dst.name, "base": base.name, "shift_st": c / 100})


def make_pauses(out: Path, rng: np.random.Generator, rows: list[dict[str, object]]) -> None:
    """Phrases joined by known silences, clean and in pink noise at 30 and 20 dB SNR."""
    noise_path = out / "pinknoise.wav"
    run(["sox", "-R", "-n", "-r", str(RATE), "-b", "16", str(noise_path), "synth", "60", "pinknoise"])
    noise = read(noise_path)
    noise_path.unlink()
    for i in range(30):
        voice = VOICES[i % len(VOICES)]
        n_phrases = 2 + i % 4
        picks = rng.choice(len(PHRASES), size=n_phrases, replace=False)
        parts: list[np.ndarray] = []
        phrase_energy = phrase_samples = 0.0
        for k, p in enumerate(picks):
            tmp = out / f"_phrase_{i}_{k}.wav"
            espeak(PHRASES[p], voice, int(rng.integers(130, 200)), int(rng.integers(30, 70)), tmp)
            padded = tmp.with_name(tmp.stem + "_pad.wav")
            gap = round(float(rng.uniform(0.30, 1.2)), 2) if k < n_phrases - 1 else 0.0
            # sox pad: the known silence after each phrase (the truth for pause length).
            trimmed = tmp.with_name(tmp.stem + "_trim.wav")
            phrase = trim(read(tmp))
            phrase_energy += float(np.sum(phrase**2))
            phrase_samples += phrase.size
            write(trimmed, phrase)
            sox(trimmed, padded, "pad", "0", str(gap))
            parts.append(read(padded))
            for f in (tmp, padded, trimmed):
                f.unlink()
        speech = np.concatenate([np.zeros(RATE // 2), *parts, np.zeros(RATE // 2)])
        scale = 10 ** (-6 / 20) / np.max(np.abs(speech))
        speech = speech * scale
        # SNR is speech power over the phrases themselves (not the silences) against noise power.
        speech_rms = float(np.sqrt(phrase_energy / phrase_samples)) * scale
        for snr in (None, 30, 20):
            x = speech.copy()
            if snr is not None:
                start = int(rng.integers(0, noise.size - x.size))
                nz = noise[start : start + x.size]
                nz = nz / np.sqrt(np.mean(nz**2)) * speech_rms * 10 ** (-snr / 20)
                x = x + nz
                x = x / max(1.0, float(np.max(np.abs(x))) / 0.9)
            name = f"pause_{i}_{'clean' if snr is None else f'snr{snr}'}.wav"
            write(out / name, x)
            rows.append(
                {"kind": "pause", "file": name, "pauses": n_phrases - 1, "snr_db": snr or "", "note": voice}
            )


def make_ends(out: Path, rng: np.random.Generator, rows: list[dict[str, object]]) -> None:
    """Statement/question pairs of the same words."""
    for i, text in enumerate(PAIRS):
        voice = VOICES[i % len(VOICES)]
        wpm, pitch = int(rng.integers(130, 200)), int(rng.integers(30, 70))
        for label, mark in (("falling", "."), ("rising", "?")):
            path = out / f"ends_{i}_{label}.wav"
            espeak(text + mark, voice, wpm, pitch, path)
            rows.append({"kind": "ends", "file": path.name, "pair": i, "label": label, "note": voice})


def main(argv: list[str]) -> int:
    """Write the truth set to ``argv[0]`` (or the default folder)."""
    out = Path(argv[0]) if argv else DEFAULT_OUT
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} is needed: apt-get install {tool}", file=sys.stderr)
            return 2
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    rng = np.random.default_rng(SEED)
    rows: list[dict[str, object]] = []
    bases = make_rate(out, rng, rows)
    make_gain_pitch(out, bases, rows)
    make_pauses(out, rng, rows)
    make_ends(out, rng, rows)
    fields = ["kind", "file", "base", "syllables", "true_rate_sps", "gain_db", "shift_st"]
    fields += ["pauses", "snr_db", "pair", "label", "note"]
    with (out / "truth.tsv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fields, delimiter="\t", restval="")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} files to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
