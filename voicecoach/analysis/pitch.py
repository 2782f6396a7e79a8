"""Fundamental frequency by normalised autocorrelation, with a two-pass per-speaker range.

The method is Boersma's (1993) autocorrelation pitch detector, the one behind Praat's
``To Pitch (ac)``, written here in vectorised numpy so the package stays MIT:

1. each frame (three periods of the pitch floor long, Hann-windowed) is autocorrelated by FFT and
   divided by the window's own autocorrelation, so a perfectly periodic frame scores ~1;
2. the strongest few local maxima between the floor and ceiling lags are candidates, refined by
   parabolic interpolation, with a small bias towards higher pitch ("octave cost") so a period's
   multiples do not win on ties;
3. an "unvoiced" candidate scores high in quiet frames;
4. a Viterbi pass picks one candidate per frame, penalising octave jumps and voicing flips.

DOMAIN.md asks for a two-pass range (floor 0.75 x 25th percentile, ceiling 1.5 x 75th of a first
pass) so that low and high voices do not suffer octave errors; :func:`two_pass_pitch` does that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import fft as sfft

from voicecoach.config import ToneOptions

FloatArray = npt.NDArray[np.float64]

#: Candidate maxima kept per frame for the Viterbi pass (Praat keeps up to 15; 4 covers the true
#: period, its double and half, and one spare at a fraction of the cost).
_CANDIDATES = 4
#: Frames are processed in blocks of about this many samples to bound memory on long files.
_BLOCK_SAMPLES = 2_000_000
#: A second pass needs enough voiced frames for its percentiles to mean something.
_MIN_VOICED_FOR_SECOND_PASS = 10
#: The two-pass range is kept within what a human voice and a 16 kHz frame can carry.
_ABS_FLOOR_HZ = 40.0
#: A first pass whose 25th percentile is within 6% of its floor is pressed against it; it is
#: repeated with the floor lowered by this factor (75 Hz -> 60 Hz).
_LOW_VOICE_MARGIN = 1.06
_LOW_VOICE_FLOOR_FACTOR = 0.8
_ABS_CEILING_HZ = 1_000.0
_MISSING = -1e9


@dataclass(frozen=True)
class PitchTrack:
    """F0 per analysis frame (``nan`` where unvoiced) and the range it was tracked in."""

    f0_hz: FloatArray
    floor_hz: float
    ceiling_hz: float

    @property
    def voiced(self) -> npt.NDArray[np.bool_]:
        """Mask of frames with a pitch."""
        return np.isfinite(self.f0_hz)


def two_pass_pitch(x: FloatArray, fs: int, hop: int, n_frames: int, options: ToneOptions) -> PitchTrack:
    """Track pitch with the options' range, then again within this speaker's own range."""
    first = track_pitch(
        x,
        fs,
        hop,
        n_frames,
        floor_hz=options.pitch_floor_hz,
        ceiling_hz=options.pitch_ceiling_hz,
        options=options,
    )
    f0 = first.f0_hz[first.voiced]
    if f0.size < _MIN_VOICED_FOR_SECOND_PASS:
        return first
    if np.percentile(f0, 25) < _LOW_VOICE_MARGIN * options.pitch_floor_hz:
        # A quarter of the voicing sits at the floor: the voice goes below it, and a first pass
        # that cannot see its period reports harmonics instead. Look again from lower down.
        low = max(_ABS_FLOOR_HZ, _LOW_VOICE_FLOOR_FACTOR * options.pitch_floor_hz)
        first = track_pitch(
            x, fs, hop, n_frames, floor_hz=low, ceiling_hz=options.pitch_ceiling_hz, options=options
        )
        f0 = first.f0_hz[first.voiced]
        if f0.size < _MIN_VOICED_FOR_SECOND_PASS:
            return first
    q25, q75 = np.percentile(f0, [25, 75])
    floor = max(_ABS_FLOOR_HZ, options.two_pass_floor_factor * float(q25))
    ceiling = min(_ABS_CEILING_HZ, options.two_pass_ceiling_factor * float(q75), 0.45 * fs)
    if ceiling <= floor * 1.5:
        return first
    return track_pitch(x, fs, hop, n_frames, floor_hz=floor, ceiling_hz=ceiling, options=options)


def track_pitch(
    x: FloatArray,
    fs: int,
    hop: int,
    n_frames: int,
    *,
    floor_hz: float,
    ceiling_hz: float,
    options: ToneOptions,
) -> PitchTrack:
    """One pass of the autocorrelation tracker over ``n_frames`` frames centred every ``hop`` samples."""
    if n_frames <= 0 or x.size == 0:
        return PitchTrack(np.full(max(n_frames, 0), np.nan), floor_hz, ceiling_hz)
    win = round(3.0 * fs / floor_hz)
    min_lag = max(2, int(np.floor(fs / ceiling_hz)))
    # The longest period searched is the floor's, rounded down to whole samples (as Praat does): one
    # lag more reads 74.8 Hz at a 75 Hz floor, and at that edge lag a high voice's autocorrelation
    # leaves spurious maxima (mfa_registershift: 75 Hz readings in its falsetto onset).
    max_lag = min(int(fs / floor_hz), win - 2)
    nfft = sfft.next_fast_len(win + max_lag + 2, real=True)
    window = np.hanning(win + 2)[1:-1]
    w_ac = _autocorr(window[None, :], nfft, max_lag + 2)[0]
    w_ac = w_ac / w_ac[0]
    global_peak = float(np.max(np.abs(x))) or 1.0
    half_period = int(fs / floor_hz) // 2 + 1
    centre_lo, centre_hi = max(0, win // 2 - half_period), min(win, win // 2 + half_period + 1)

    padded = np.concatenate([np.zeros(win), x, np.zeros(win)])
    view = np.lib.stride_tricks.sliding_window_view(padded, win)
    # Frame i is centred on sample i*hop + hop//2 of x, i.e. win + i*hop + hop//2 of ``padded``.
    starts = win + np.arange(n_frames) * hop + _grid_phase(x.size, win, hop) - win // 2

    freqs = np.full((n_frames, _CANDIDATES + 1), np.nan)
    strengths = np.full((n_frames, _CANDIDATES + 1), _MISSING)
    block = max(1, _BLOCK_SAMPLES // win)
    for b0 in range(0, n_frames, block):
        frames = view[starts[b0 : b0 + block]].copy()
        frames -= frames.mean(axis=1, keepdims=True)
        # The frame's loudness is its peak within half a floor period of the centre (as Boersma's
        # silence rule intends): the window's edges reach into neighbouring, louder sounds.
        local_peak = np.max(np.abs(frames[:, centre_lo:centre_hi]), axis=1)
        frames *= window
        ac = _autocorr(frames, nfft, max_lag + 2)
        energy = ac[:, :1]
        r = np.divide(ac, energy * w_ac, out=np.zeros_like(ac), where=energy > 0)
        f, s = _candidates(
            r,
            fs,
            min_lag=min_lag,
            max_lag=max_lag,
            ceiling_hz=ceiling_hz,
            octave_cost=options.octave_cost,
            voicing_threshold=options.voicing_threshold,
        )
        freqs[b0 : b0 + block, :_CANDIDATES] = f
        strengths[b0 : b0 + block, :_CANDIDATES] = s
        # Boersma (1993): the unvoiced candidate is strong where the frame is quiet relative to the
        # loudest moment of the recording, and at least the voicing threshold.
        vt, st = options.voicing_threshold, options.silence_threshold
        strengths[b0 : b0 + block, _CANDIDATES] = vt + np.maximum(
            0.0, 2.0 - (local_peak / global_peak) / (st / (1.0 + vt))
        )
    # Praat's costs are defined per 10 ms step; scale them to our hop.
    step_scale = 0.01 * fs / hop
    path = _viterbi(
        freqs,
        strengths,
        options.octave_jump_cost * step_scale,
        options.voiced_unvoiced_cost * step_scale,
    )
    f0 = freqs[np.arange(n_frames), path]
    f0[path == _CANDIDATES] = np.nan
    return PitchTrack(f0, floor_hz, ceiling_hz)


def _grid_phase(n_samples: int, win: int, hop: int) -> int:
    """Where, within the first hop, the frame centres fall: Praat's symmetric placement.

    Praat centres its frames so that as many whole windows as fit sit symmetrically in the sound.
    Frame phase is arbitrary, but on a half-second of voicing a 5 ms shift moves a voiced/unvoiced
    decision at each onset, and with it the median of a short file; using the same placement keeps
    short files comparable with the reference.
    """
    if n_samples <= win:
        return hop // 2
    n = (n_samples - win) // hop + 1
    first_centre = (n_samples - (n - 1) * hop) / 2.0
    return round(first_centre) % hop


def _autocorr(frames: FloatArray, nfft: int, n_lags: int) -> FloatArray:
    spec = sfft.rfft(frames, nfft, axis=1)
    power = spec.real**2 + spec.imag**2
    return np.asarray(sfft.irfft(power, nfft, axis=1)[:, :n_lags], dtype=np.float64)


def _candidates(
    r: FloatArray,
    fs: int,
    *,
    min_lag: int,
    max_lag: int,
    ceiling_hz: float,
    octave_cost: float,
    voicing_threshold: float,
) -> tuple[FloatArray, FloatArray]:
    """The strongest local maxima of ``r`` in ``[min_lag, max_lag]``: (frequency, strength)."""
    n = r.shape[0]
    mid = r[:, min_lag : max_lag + 1]
    left = r[:, min_lag - 1 : max_lag]
    right = r[:, min_lag + 1 : max_lag + 2]
    # Maxima below half the voicing threshold are noise, never a period (Boersma 1993).
    is_peak = (mid > left) & (mid >= right) & (mid > 0.5 * voicing_threshold)
    # Parabolic interpolation through each maximum and its neighbours.
    denom = left - 2.0 * mid + right
    delta = np.divide(0.5 * (left - right), denom, out=np.zeros_like(mid), where=denom < 0)
    delta = np.clip(delta, -0.5, 0.5)
    height = mid - 0.25 * (left - right) * delta
    # A normalised autocorrelation above 1 is an artefact of the window correction: Praat folds it.
    height = np.where(height > 1.0, 1.0 / np.maximum(height, 1e-9), height)
    lag = np.arange(min_lag, max_lag + 1)[None, :] + delta
    # Octave cost as in Boersma's path finder: every candidate pays for its distance below the
    # ceiling, so of two equally periodic readings the higher (the true period, not a multiple) wins,
    # and a weakly periodic low reading loses to "unvoiced".
    strength = height - octave_cost * np.log2(ceiling_hz * lag / fs)
    # A reading at or above the ceiling is not a voice reading: Praat's path finder scores it as
    # unvoiced. Interpolation can put a maximum at the shortest lag just past the ceiling; kept, such
    # readings had counted ~620 Hz noise in whispered and creaky files as voice.
    is_peak &= lag > fs / ceiling_hz
    strength = np.where(is_peak, strength, _MISSING)
    k = min(_CANDIDATES, strength.shape[1])
    idx = np.argpartition(-strength, k - 1, axis=1)[:, :k]
    rows = np.arange(n)[:, None]
    best_s = strength[rows, idx]
    best_f = np.where(best_s > _MISSING / 2, fs / lag[rows, idx], np.nan)
    out_f = np.full((n, _CANDIDATES), np.nan)
    out_s = np.full((n, _CANDIDATES), _MISSING)
    out_f[:, :k] = best_f
    out_s[:, :k] = best_s
    return out_f, out_s


def _viterbi(
    freqs: FloatArray, strengths: FloatArray, jump_cost: float, vu_cost: float
) -> npt.NDArray[np.intp]:
    """Best state per frame: maximise summed strength minus octave-jump and voicing-flip costs."""
    n, m = freqs.shape
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    voiced = np.zeros(m, dtype=bool)
    voiced[:-1] = True
    logf = np.log2(np.where(np.isfinite(freqs), freqs, 1.0))
    # cost[t, i, j]: moving from state i at frame t to state j at frame t+1.
    cost = jump_cost * np.abs(logf[:-1, :, None] - logf[1:, None, :])
    flip = voiced[:, None] != voiced[None, :]
    both_unvoiced = ~voiced[:, None] & ~voiced[None, :]
    cost = np.where(flip[None], vu_cost, cost)
    cost = np.where(both_unvoiced[None], 0.0, cost)
    back = np.zeros((n, m), dtype=np.intp)
    score = strengths[0].copy()
    cols = np.arange(m)
    for t in range(1, n):
        total = score[:, None] - cost[t - 1]
        best = total.argmax(axis=0)
        back[t] = best
        score = total[best, cols] + strengths[t]
    path = np.empty(n, dtype=np.intp)
    path[-1] = int(np.argmax(score))
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path
