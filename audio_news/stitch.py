"""Stage: a Script whose sentences all have clips → one loudness-normalized MP3.

Sits after synthesize and before tag. The clips are laid end to end with the
pauses the settings ask for; every sentence becomes a Cue and every Part a
Chapter at its exact offset (computed from sample counts, so the times are
where the audio really is). The episode is assembled at the clips' own rate
when they share one (one engine), else at the episode's rate with each foreign
rate resampled in one ffmpeg pass. Then, over the assembled PCM:

    measure   ebur128: integrated loudness and sample peak            (1 pass)
    limit     only when the gain would push peaks past the ceiling:
              volume + alimiter + ebur128 at two gains in one pass,
              interpolated to the gain that makes up for the limiting  (1, rarely 2-3)
    encode    volume (+ alimiter) → resample to the episode's rate →
              libmp3lame CBR; a loopback decoder feeds the encoded
              stream to ebur128 (true peak), so the MP3 itself is measured  (1 pass)

and only when the MP3 misses the target (±0.5 LU) or the true-peak ceiling is
the encode redone with the gain and limit corrected by what it measured.

This is the one module that runs ffmpeg (pydub's converter is pointed at the
same binary), so it also offers the helpers others need: `decode_pcm`,
`decoded_duration_ms` and `measure_loudness`. Every ffmpeg failure becomes an
AudioError whose message ends with the tail of ffmpeg's stderr on one line.
"""

from __future__ import annotations

import functools
import math
import re
import shutil
import struct
import subprocess
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .config import AudioSettings, PauseSettings
from .errors import AudioError
from .models import Block, BlockKind, Chapter, Clip, Cue, Part, Rendering, Script

SILENT_LUFS: Final = -69.0
"""ebur128 reports -70 LUFS when nothing passes its gate: such audio is not normalized."""

ENCODER_GAIN_DB: Final = -0.45
"""What LAME's MP3 does to the level (measured: ×0.95, decoded alike by ffmpeg and
minimp3); the gain before encoding makes up for it."""

LIMIT_MARGIN_DB: Final = 1.0
"""Headroom under the true-peak ceiling for the (sample-peak) limiter: inter-sample
and MP3 overshoot."""

LIMITER_SEARCH_PASSES: Final = 3
LIMITER_SEARCH_STEP_DB: Final = 1.0
LIMITER_SEARCH_TOLERANCE_LU: Final = 0.3
PROBE_EXCERPTS: Final = 24
PROBE_EXCERPT_S: Final = 2.5
"""The limiter's effect on loudness is measured on this many evenly spaced
excerpts (60 s in all) rather than on a long episode: speech from one voice has
the same peaks throughout, and the MP3 is measured afterwards anyway."""
"""Passes (cheap: limiter + meter at two gains STEP apart, no encoder) that look for
the gain that makes up for what the limiter takes off, and how close they must get."""

TARGET_TOLERANCE_LU: Final = 0.5
"""How far the MP3's loudness may miss the target before the encode is redone."""

MAX_ENCODES: Final = 3
"""The first encode plus at most two corrections (only when the MP3 misses)."""

_RESAMPLE_GUARD_S: Final = 0.02
"""Silence put between clips resampled together, so filter ringing stays apart."""


# --- ffmpeg -------------------------------------------------------------------


@functools.cache
def ffmpeg_path() -> str:
    """The ffmpeg binary: one on PATH, else the one in the imageio-ffmpeg wheel.

    Also points pydub's converter at it. Raises AudioError when there is none.
    """
    path = shutil.which("ffmpeg")
    if path is None:
        try:
            import imageio_ffmpeg

            path = imageio_ffmpeg.get_ffmpeg_exe()
        except (ImportError, RuntimeError) as exc:
            raise AudioError(f"no ffmpeg found on PATH or in imageio-ffmpeg: {exc}") from exc
    with warnings.catch_warnings():
        # pydub warns at import when no ffmpeg is on PATH, and about audioop.
        warnings.simplefilter("ignore")
        from pydub import AudioSegment
    AudioSegment.converter = path
    return path


@functools.cache
def _ffmpeg_major() -> int:
    """ffmpeg's major version (a git build without one counts as new)."""
    out = subprocess.run([ffmpeg_path(), "-hide_banner", "-version"], capture_output=True, text=True).stdout
    match = re.search(r"version n?(\d+)\.", out)
    return int(match.group(1)) if match else 99


def _run(
    args: Sequence[str], what: str, stdin: bytes | None = None, path: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with `args`; raise AudioError(`what` + stderr tail) on failure."""
    cmd = [ffmpeg_path(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", *args]
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True)
    except OSError as exc:
        raise AudioError(f"{what}: cannot run ffmpeg: {exc}", path) from exc
    if proc.returncode != 0:
        raise AudioError(f"{what}: ffmpeg failed: {_stderr_tail(proc.stderr)}", path)
    return proc


def _stderr_tail(stderr: bytes, lines: int = 3, limit: int = 300) -> str:
    text = stderr.decode("utf-8", "replace")
    tail = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    one = " | ".join(tail) or "no error message"
    return one if len(one) <= limit else "…" + one[-limit:]


def _raw_input(rate: int) -> list[str]:
    return ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]


_SUMMARY = re.compile(r"Summary:(.*)", re.S)
_INTEGRATED = re.compile(r"I:\s*([-+]?(?:\d+(?:\.\d+)?|inf))\s*LUFS")
_PEAK = re.compile(r"Peak:\s*([-+]?(?:\d+(?:\.\d+)?|inf))\s*dBFS")


def _parse_ebur128(log: str, what: str, path: Path | None = None) -> tuple[float, float]:
    """(integrated LUFS, peak dB) from the summary ebur128 logs at the end."""
    summary = _SUMMARY.findall(log)
    integrated = _INTEGRATED.search(summary[-1]) if summary else None
    peak = _PEAK.search(summary[-1]) if summary else None
    if integrated is None or peak is None:
        tail = _stderr_tail(log.encode())
        raise AudioError(f"{what}: no loudness summary in ffmpeg's output: {tail}", path)
    return float(integrated.group(1)), float(peak.group(1))


def _log(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode("utf-8", "replace")


# --- helpers for others ------------------------------------------------------


def decode_pcm(path: Path, rate: int | None = None) -> tuple[bytes, int]:
    """Decode any audio file to 16-bit mono PCM (at `rate`, or its own rate).

    Decodes with ffmpeg to WAV (no ffprobe needed); returns (samples, rate).
    Raises AudioError when ffmpeg cannot read the file.
    """
    args = ["-i", str(path), "-vn", "-ac", "1", "-c:a", "pcm_s16le"]
    if rate:
        args += ["-ar", str(rate)]
    proc = _run([*args, "-bitexact", "-f", "wav", "pipe:1"], "cannot decode audio", path=path)
    return _parse_wav(proc.stdout, path)


def _parse_wav(data: bytes, path: Path | None = None) -> tuple[bytes, int]:
    """Samples and rate of a WAV written to a pipe (its size fields are unknown)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("ffmpeg did not write a WAV stream", path)
    pos, rate = 12, None
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = pos + 8
        if chunk == b"fmt ":
            rate = struct.unpack("<I", data[body + 4 : body + 8])[0]
        elif chunk == b"data":
            samples = data[body:]
            if rate is None:
                break
            return samples[: len(samples) // 2 * 2], rate
        pos = body + size + (size & 1)
    raise AudioError("ffmpeg wrote a WAV stream without samples", path)


def decoded_duration_ms(path: Path) -> int:
    """The duration of an audio file found by decoding it, not from its headers.

    Raises AudioError when ffmpeg cannot read the file.
    """
    samples, rate = decode_pcm(path)
    return round(len(samples) / 2 * 1000 / rate)


def measure_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of any audio file.

    Uses ffmpeg's ebur128 filter with true-peak mode; mono is measured as one
    channel (not dual-mono). Silence reads -70 LUFS and -inf dBTP.
    Raises AudioError when ffmpeg cannot read the file.
    """
    proc = _run(
        ["-i", str(path), "-vn", "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"],
        "cannot measure loudness",
        path=path,
    )
    return _parse_ebur128(_log(proc), "cannot measure loudness", path)


# --- layout -------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """The episode as sample counts: what to play, and where the cues and chapters fall."""

    pieces: tuple[bytes | int, ...]
    """PCM at the episode's rate, or a number of silent samples."""
    cues: tuple[tuple[int, int, str], ...]
    chapters: tuple[tuple[int, str], ...]
    length: int


def _pause_after(block: Block, pauses: PauseSettings) -> int:
    """The pause after a block when another block of the same part follows."""
    if block.kind is BlockKind.TITLE:
        return pauses.after_title_ms
    if block.kind is BlockKind.HEADING:
        return pauses.after_heading_ms
    return pauses.between_paragraphs_ms


def _lay_out(parts: Sequence[Part], audio: Sequence[bytes], pauses: PauseSettings, rate: int) -> _Layout:
    """Place each sentence's audio (`audio`, in script order) with the pauses between them.

    No silence before the first or after the last sentence. The pause before a
    sentence depends on what precedes it: another sentence of its block, a block
    of its part (after a title, a heading, or a paragraph), or another part (the
    section pause, instead of the block pause). Sentences with empty audio take
    no room and no pauses: a zero-length cue where they fall, if they have text.
    Parts without audio get no chapter.
    """

    def silence(ms: int) -> int:
        return round(ms * rate / 1000)

    pieces: list[bytes | int] = []
    cues: list[tuple[int, int, str]] = []
    chapters: list[tuple[int, str]] = []
    pos, index = 0, 0
    for part in parts:
        previous: Block | None = None  # the last block of this part that had audio
        for block in part.blocks:
            voiced = False
            for sentence in block.sentences:
                pcm = audio[index]
                index += 1
                if not pcm:
                    if sentence.text.strip():
                        cues.append((pos, pos, sentence.text))
                    continue
                if voiced:
                    gap = silence(pauses.between_sentences_ms)
                elif previous is not None:
                    gap = silence(_pause_after(previous, pauses))
                else:
                    gap = silence(pauses.between_sections_ms) if chapters else 0
                    chapters.append((pos + gap, part.title))
                if gap:
                    pieces.append(gap)
                    pos += gap
                pieces.append(pcm)
                cues.append((pos, pos + len(pcm) // 2, sentence.text))
                pos += len(pcm) // 2
                voiced = True
            if voiced:
                previous = block
    return _Layout(tuple(pieces), tuple(cues), tuple(chapters), pos)


def _check_clips(script: Script) -> list[Clip]:
    clips = []
    for n, sentence in enumerate(script.sentences, 1):
        clip = sentence.clip
        if clip is None:
            raise AudioError(f"sentence {n} has no audio clip: {sentence.text[:40]!r}")
        if clip.sample_rate <= 0 or len(clip.samples) % 2:
            raise AudioError(f"sentence {n} has a malformed clip ({clip.sample_rate} Hz, {len(clip.samples)} bytes)")
        clips.append(clip)
    if not any(clip.samples for clip in clips):
        raise AudioError("the script has no audio to render")
    return clips


def _working_rate(clips: Sequence[Clip], rate: int) -> int:
    """The rate the episode is assembled and measured at.

    When every clip has one rate (one engine) that rate: the encode pass then
    resamples the whole episode once on its way to the MP3. Mixed rates are
    each resampled to the episode's rate first.
    """
    rates = {clip.sample_rate for clip in clips}
    return rates.pop() if len(rates) == 1 else rate


def _resample(clips: Sequence[Clip], rate: int) -> list[bytes]:
    """Each clip's samples at `rate`: one ffmpeg pass per foreign sample rate.

    Clips of one rate are joined with short silences, resampled together, and
    cut back out at their exact places; a clip of n samples becomes
    round(n * rate / its rate) samples.
    """
    out: list[bytes] = [clip.samples for clip in clips]
    for source in sorted({c.sample_rate for c in clips} - {rate}):
        group = [i for i, c in enumerate(clips) if c.sample_rate == source]
        guard = b"\0\0" * math.ceil(source * _RESAMPLE_GUARD_S)
        joined, starts = bytearray(guard), []
        for i in group:
            starts.append(len(joined) // 2)
            joined += clips[i].samples + guard
        proc = _run(
            [*_raw_input(source), "-af", f"aresample={rate}", "-f", "s16le", "-ac", "1", "pipe:1"],
            f"cannot resample {source} Hz audio to {rate} Hz",
            stdin=bytes(joined),
        )
        resampled = proc.stdout
        for i, start in zip(group, starts):
            begin = round(start * rate / source)
            count = round(len(clips[i].samples) // 2 * rate / source)
            piece = resampled[2 * begin : 2 * (begin + count)]
            out[i] = piece + b"\0\0" * (count - len(piece) // 2)
    return out


def _assemble(layout: _Layout) -> bytes:
    return b"".join(p if isinstance(p, bytes) else b"\0\0" * p for p in layout.pieces)


# --- loudness and encoding ---------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """How the assembled audio is turned into the MP3: a gain and maybe a limiter."""

    gain_db: float
    limit_db: float | None = None
    """The limiter's sample-peak ceiling in dBFS; None = no limiter."""

    def filters(self) -> list[str]:
        chain = []
        if abs(self.gain_db) >= 0.005:
            chain.append(f"volume={self.gain_db:.3f}dB:precision=float")
        if self.limit_db is not None:
            limit = min(1.0, max(0.0625, 10 ** (self.limit_db / 20)))
            chain.append(f"alimiter=limit={limit:.5f}:attack=5:release=50:level=disabled:latency=enabled")
        return chain


def _measure_pcm(pcm: bytes, rate: int, plans: Sequence[_Plan] = (_Plan(0.0),)) -> list[tuple[float, float]]:
    """Integrated loudness and sample peak of `pcm` as each plan would leave it.

    One ffmpeg pass whatever the number of plans: the input is split, each
    branch has its own gain, limiter and meter.
    """
    graph = [f"[0:a]asplit={len(plans)}" + "".join(f"[s{i}]" for i in range(len(plans)))] if len(plans) > 1 else []
    outputs = []
    for i, plan in enumerate(plans):
        chain = ",".join([*plan.filters(), f"ebur128@p{i}=peak=sample:framelog=quiet"])
        graph.append(f"[{f's{i}' if len(plans) > 1 else '0:a'}]{chain}[o{i}]")
        outputs += ["-map", f"[o{i}]", "-f", "null", "-"]
    proc = _run(
        [*_raw_input(rate), "-filter_complex", ";".join(graph), *outputs],
        "cannot measure the episode's loudness",
        stdin=pcm,
    )
    log = _log(proc)
    return [
        _parse_ebur128(_log_of(log, f"ebur128@p{i}"), "cannot measure the episode's loudness")
        for i in range(len(plans))
    ]


def _log_of(text: str, name: str) -> str:
    """The lines one named filter logged (a line and its unprefixed continuations)."""
    lines, mine = [], False
    for line in text.splitlines():
        if line.startswith("["):
            mine = line.startswith(f"[{name} @")
        if mine:
            lines.append(line)
    return "\n".join(lines)


def _encode(pcm: bytes, rate: int, audio: AudioSettings, plan: _Plan, dest: Path) -> tuple[float, float]:
    """Apply the plan, resample to the episode's rate, encode the MP3 to `dest`,
    and measure the encoded stream: (integrated LUFS, true peak dBTP)."""
    chain = plan.filters()
    if rate != audio.sample_rate:
        chain.append(f"aresample={audio.sample_rate}")
    args = [*_raw_input(rate), "-map", "0:a"]
    if chain:
        args += ["-af", ",".join(chain)]
    args += [
        "-c:a",
        "libmp3lame",
        "-b:a",
        f"{audio.bitrate_kbps}k",
        "-ar",
        str(audio.sample_rate),
        "-ac",
        "1",
        "-map_metadata",
        "-1",
        "-id3v2_version",
        "0",
        "-write_xing",
        "1",
        "-f",
        "mp3",
        "-y",
        str(dest),
    ]
    loopback = _ffmpeg_major() >= 7
    if loopback:
        # Decode what the encoder produced and measure it in the same process.
        args += [
            "-dec",
            "0:0",
            "-filter_complex",
            "[dec:0]ebur128=peak=true:framelog=quiet[m]",
            "-map",
            "[m]",
            "-f",
            "null",
            "-",
        ]
    proc = _run(args, "cannot encode the MP3", stdin=pcm, path=dest)
    if loopback:
        return _parse_ebur128(_log(proc), "cannot measure the encoded MP3", dest)
    return measure_loudness(dest)


def _probe(pcm: bytes, rate: int) -> bytes:
    """Evenly spaced excerpts of `pcm` (all of it when short) to try the limiter on."""
    size = int(PROBE_EXCERPT_S * rate) * 2
    if len(pcm) <= 2 * PROBE_EXCERPTS * size:
        return pcm
    stride = (len(pcm) - size) // (PROBE_EXCERPTS - 1) // 2 * 2
    return b"".join(pcm[i * stride : i * stride + size] for i in range(PROBE_EXCERPTS))


def _plan(pcm: bytes, rate: int, audio: AudioSettings) -> _Plan:
    """Find the gain (and limiter) that brings `pcm` to the target before encoding.

    One measuring pass. When the peaks would pass the limit, one pass over
    excerpts measures how much loudness the limiter takes away at two gains
    (both in one process), and the gain is interpolated from them; a further
    pass only when the answer lies far outside the two.
    """
    ((loudness, peak),) = _measure_pcm(pcm, rate)
    if loudness <= SILENT_LUFS:
        return _Plan(0.0)
    want = audio.loudness_lufs - ENCODER_GAIN_DB
    limit = audio.true_peak_db - LIMIT_MARGIN_DB
    gain = want - loudness
    if peak + gain <= limit:
        return _Plan(gain)
    probe = _probe(pcm, rate)
    for _ in range(LIMITER_SEARCH_PASSES):
        plans = [_Plan(gain), _Plan(gain, limit), _Plan(gain + LIMITER_SEARCH_STEP_DB, limit)]
        (plain, _), (low, _), (high, _) = _measure_pcm(probe, rate, plans)
        # What the limiter takes from the excerpts, taken from the whole episode.
        low = loudness + gain - (plain - low)
        high = loudness + gain + LIMITER_SEARCH_STEP_DB - (plain + LIMITER_SEARCH_STEP_DB - high)
        for plan, got in zip(plans[1:], (low, high)):
            if abs(got - want) <= LIMITER_SEARCH_TOLERANCE_LU:
                return plan
        slope = min(1.0, max(0.1, (high - low) / LIMITER_SEARCH_STEP_DB))
        step = (want - low) / slope
        gain += step
        if -LIMITER_SEARCH_STEP_DB <= step <= 2 * LIMITER_SEARCH_STEP_DB:
            break  # close enough to the two points to trust the line through them
    return _Plan(gain, limit)


def _normalize_and_encode(pcm: bytes, rate: int, audio: AudioSettings, dest: Path) -> tuple[float, float]:
    """Encode `pcm` (at `rate`) to `dest` at the target loudness under the true-peak ceiling.

    Returns the MP3's (integrated LUFS, true peak dBTP). When the MP3 misses,
    the encode is redone with the gain and limit corrected by what it measured.
    Raises AudioError when the target cannot be reached (e.g. a loudness the
    ceiling does not allow).
    """
    target, ceiling = audio.loudness_lufs, audio.true_peak_db
    plan = _plan(pcm, rate, audio)
    for _ in range(MAX_ENCODES):
        loudness, true_peak = _encode(pcm, rate, audio, plan, dest)
        if loudness <= SILENT_LUFS or (abs(loudness - target) <= TARGET_TOLERANCE_LU and true_peak <= ceiling):
            return loudness, true_peak
        limit = plan.limit_db
        if true_peak > ceiling:
            # Limit below what the last try let through, by what it overshot.
            start = limit if limit is not None else ceiling - LIMIT_MARGIN_DB
            limit = start - (true_peak - ceiling) - 0.2
        plan = _Plan(plan.gain_db + target - loudness, limit)
    if abs(loudness - target) <= 1.0 and true_peak <= ceiling:
        return loudness, true_peak
    raise AudioError(
        f"cannot reach {target:g} LUFS under {ceiling:g} dBTP: "
        f"the MP3 measures {loudness:.1f} LUFS, {true_peak:.1f} dBTP",
        dest,
    )


# --- the stage ------------------------------------------------------------------


def render(script: Script, audio: AudioSettings, pauses: PauseSettings, dest: Path) -> Rendering:
    """Stitch the script's clips into one normalized MP3 at `dest`.

    Every sentence must have a clip. Writes only `dest` (removed again on
    failure). Returns the duration, a Chapter per part that has sentences
    ("ch0", "ch1", … tiling the whole file), a Cue per sentence, and the
    loudness and true peak measured on the encoded MP3.
    Raises AudioError for a missing clip or when ffmpeg fails.
    """
    dest = Path(dest)
    clips = _check_clips(script)
    rate = _working_rate(clips, audio.sample_rate)
    layout = _lay_out(script.parts, _resample(clips, rate), pauses, rate)
    try:
        loudness, true_peak = _normalize_and_encode(_assemble(layout), rate, audio, dest)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise

    def ms(samples: int) -> int:
        return round(samples * 1000 / rate)

    duration = ms(layout.length)
    starts = [ms(start) for start, _ in layout.chapters] + [duration]
    chapters = tuple(Chapter(f"ch{i}", title, starts[i], starts[i + 1]) for i, (_, title) in enumerate(layout.chapters))
    cues = tuple(Cue(ms(start), ms(end), text) for start, end, text in layout.cues)
    return Rendering(duration, chapters, cues, loudness, true_peak)
