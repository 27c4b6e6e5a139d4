"""Stage: a Script whose sentences all have clips → one loudness-normalized MP3.

Sits after synthesize and before tag. The clips are laid end to end with the
pauses the settings ask for; every sentence becomes a Cue and every Part a
Chapter at its exact offset (computed from sample counts, so the times are
where the audio really is). The episode is assembled at the clips' own rate
when they share one (one engine), else at the episode's rate with each foreign
rate resampled in one ffmpeg pass. Then, over the assembled PCM:

    measure   ebur128: integrated loudness and sample peak            (1 pass)
    limit     only when the target's gain would push peaks past the ceiling
              (a peaky voice): volume + alimiter + ebur128 on excerpts at six
              drives in one pass, to find how hard to limit so that the crest
              left fits between target and ceiling                  (1, maybe 2)
    encode    (volume + alimiter) + volume → resample to the episode's rate →
              libmp3lame CBR; a loopback decoder feeds the encoded stream to
              ebur128 (true peak), so the MP3 itself is measured; ffmpeg
              before 7 measures the written file instead          (1 pass)

and only when the MP3 misses the target (±0.5 LU) or the true-peak ceiling is
the encode redone with the level and the drive corrected by what it measured.
A voice too peaky for the target even when limited hard ends as loud as the
ceiling allows, with a warning in the Rendering; loudness never fails a build.

This is the one module that runs ffmpeg, so it also offers the helpers others
need: `decode_pcm`, `decoded_duration_ms` and `measure_loudness`. The binary is
the one pinned by the imageio-ffmpeg wheel unless one is named (find_ffmpeg),
and a named one is probed once for every feature used here, so that it fails
with one line naming what it lacks rather than half-way through a build. Any
other ffmpeg failure becomes an AudioError ending with ffmpeg's last messages.
"""

from __future__ import annotations

import errno
import functools
import math
import os
import re
import shutil
import signal
import struct
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .config import AudioSettings, PauseSettings
from .errors import AudioError, ConfigError
from .models import Block, BlockKind, Chapter, Clip, Cue, Part, Rendering, Script, Word

SILENT_LUFS: Final = -69.0
"""ebur128 reports -70 LUFS when nothing passes its gate: such audio is not normalized."""

ENCODER_GAIN_DB: Final = -0.45
"""What LAME's MP3 does to the level (measured: ×0.95, decoded alike by ffmpeg and
minimp3); the gain before encoding makes up for it."""

LIMIT_MARGIN_DB: Final = 1.0
"""Headroom under the true-peak ceiling for the (sample-peak) limiter: inter-sample
and MP3 overshoot."""

DRIVE_STEPS_DB: Final = (0.0, 2.0, 5.0, 10.0, 16.0, 24.0)
"""Drives into the limiter tried in one pass, above the least that could meet the
target: how far the peaks are pushed past the limiter's ceiling. The last is the
most the stage will limit (a voice that needs more ends quieter than the target,
with a warning, rather than distorted)."""

DRIVE_TOLERANCE_DB: Final = 2.0
"""A second pass refines the drive between two tried ones further apart than this."""

PROBE_EXCERPTS: Final = 24
PROBE_EXCERPT_S: Final = 2.5
"""The limiter's effect on loudness is measured on this many evenly spaced
excerpts (60 s in all) rather than on a long episode: speech from one voice has
the same peaks throughout, and the MP3 is measured afterwards anyway."""

TARGET_TOLERANCE_LU: Final = 0.5
"""How far the MP3's loudness may miss the target before the encode is redone
(and, when it still misses, before the rendering carries a warning)."""

PEAK_SAFETY_DB: Final = 0.1
"""Room kept under the true-peak ceiling when a correction raises the level."""

MAX_ENCODES: Final = 3
"""The first encode plus at most two corrections (only when the MP3 misses); at
most two more only to bring a true peak back under the ceiling."""

_RESAMPLE_GUARD_S: Final = 0.02
"""Silence put between clips resampled together, so filter ringing stays apart."""


# --- ffmpeg -------------------------------------------------------------------

FFMPEG_ENV: Final = "AUDIO_NEWS_FFMPEG"
"""Names the ffmpeg binary to use; wins over the settings' [audio] ffmpeg."""

_FEATURES: Final = (
    # (AVOptions section of `ffmpeg -h full`, option or option.constant, what it is for)
    ("ebur128", "peak.true", "the ebur128 filter's true-peak meter (peak=true)"),
    ("ebur128", "metadata", "the ebur128 filter's metadata option"),
    ("volume", "precision.float", "the volume filter's float precision"),
    ("alimiter", "level", "the alimiter filter's level option"),
    ("alimiter", "latency", "the alimiter filter's latency compensation (latency)"),
    ("aresample", "", "the aresample filter"),
    ("libmp3lame encoder", "", "the libmp3lame MP3 encoder"),
    ("MP3 muxer", "write_xing", "the MP3 muxer's Xing header (write_xing)"),
    ("MP3 muxer", "id3v2_version", "the MP3 muxer's id3v2_version option"),
)
"""Every ffmpeg feature the stage uses that some builds lack (checked in `ffmpeg -h
full`). Where a newer feature can be done without, it is: ebur128's frame log is
hidden with metadata=1 rather than framelog=quiet (newer than Debian 12's 5.1),
and without loopback decoders (-dec, ffmpeg 7) the MP3 is measured from the file."""


@dataclass(frozen=True)
class Ffmpeg:
    """An ffmpeg binary and what it can do, probed once per process."""

    path: str
    version: str
    """As the binary reports it, e.g. "5.1.9-0+deb12u1" or "n9.0.2-17-g2a571b6068-20260930"."""
    loopback: bool
    """Whether it has loopback decoders (-dec, ffmpeg 7): the encode then measures the MP3 itself."""


def find_ffmpeg(setting: str = "") -> Ffmpeg:
    """The ffmpeg the pipeline runs: $AUDIO_NEWS_FFMPEG, else `setting` ([audio]
    ffmpeg), else the one pinned by the imageio-ffmpeg wheel (never one found on
    PATH by chance: builds differ in what they can do).

    A bare name is looked up on PATH. The binary is probed once for every
    feature the stage uses. Raises ConfigError when a named binary is missing
    and AudioError (one line: feature, binary, version, what to do) when it
    lacks a feature.
    """
    named = os.environ.get(FFMPEG_ENV, "")
    if named:
        return _probe_binary(_named_binary(named, FFMPEG_ENV), f"unset {FFMPEG_ENV} to use the bundled ffmpeg")
    if setting:
        return _probe_binary(
            _named_binary(setting, "[audio] ffmpeg"), "remove [audio] ffmpeg to use the bundled ffmpeg"
        )
    return _probe_binary(_pinned_binary(), "reinstall audio-news (pip install --force-reinstall imageio-ffmpeg)")


def _named_binary(name: str, where: str) -> str:
    path = shutil.which(name) if os.sep not in name else (name if os.access(name, os.X_OK) else None)
    if path is None or not Path(path).is_file():
        raise ConfigError(f"{where} names {name!r}, which is not an executable file")
    return str(Path(path).absolute())


@functools.cache
def _pinned_binary() -> str:
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise AudioError(f"the bundled ffmpeg (imageio-ffmpeg) is missing: {exc}") from exc


@functools.cache
def _probe_binary(path: str, remedy: str) -> Ffmpeg:
    """Ask the binary for its version and options (`ffmpeg -h full`, one run) and
    whether it takes -dec; raise AudioError naming the first missing feature."""
    try:
        help_run = subprocess.run([path, "-h", "full"], capture_output=True, timeout=60)
        dec_run = subprocess.run([path, "-hide_banner", "-dec"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise AudioError(f"cannot run ffmpeg: {exc}", path) from exc
    banner = help_run.stderr.decode("utf-8", "replace")
    match = re.search(r"^ffmpeg version (\S+)", banner, re.M)
    if match is None:
        raise AudioError(f"not an ffmpeg binary (no version in its output); {remedy}", path)
    version = match.group(1)
    options = _help_options(help_run.stdout.decode("utf-8", "replace"))
    for section, option, what in _FEATURES:
        known = options.get(section)
        if known is None or (option and option not in known):
            raise AudioError(f"ffmpeg {version} lacks {what}, which audio-news needs; {remedy}", path)
    # An unknown option reads "Unrecognized option"; a known one misses its argument.
    loopback = b"Unrecognized option" not in dec_run.stderr
    return Ffmpeg(path, version, loopback)


def _help_options(text: str) -> dict[str, set[str]]:
    """`ffmpeg -h full` as {AVOptions section: {option, option.constant, …}}."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    option = ""
    for line in text.splitlines():
        if header := re.fullmatch(r"(\S.*) AVOptions:", line):
            current, option = sections.setdefault(header.group(1), set()), ""
        elif not line.startswith(" "):
            current = None  # a blank line or another heading ends the section
        elif current is not None and (found := re.match(r"\s+-?([\w-]+)\s+<", line)):
            option = found.group(1)
            current.add(option)
        elif current is not None and option and (constant := re.match(r"\s{4,}([\w-]+)\s", line)):
            current.add(f"{option}.{constant.group(1)}")
    return sections


_DISK_FULL: Final = tuple(os.strerror(code) for code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG))
"""How ffmpeg (through strerror) says the disk takes no more: "No space left on device",
"Disk quota exceeded", "File too large" (a file size limit)."""


def _run(
    ffmpeg: Ffmpeg, args: Sequence[str], what: str, stdin: bytes | None = None, path: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ffmpeg with `args`; raise AudioError(`what` + stderr tail) on failure."""
    cmd = [ffmpeg.path, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", *args]
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True)
    except OSError as exc:
        raise AudioError(f"{what}: cannot run ffmpeg: {exc}", path) from exc
    if proc.returncode != 0:
        full = next((m for m in _DISK_FULL if m.encode() in proc.stderr), None)
        if proc.returncode == -getattr(signal, "SIGXFSZ", 0):  # killed at the file size limit (ulimit -f)
            full = f"{os.strerror(errno.EFBIG)} (the file size limit, ulimit -f)"
        if full:  # a full disk, said plainly rather than as ffmpeg's muxer noise
            raise AudioError(f"{what}: {full}", path)
        raise AudioError(f"{what}: ffmpeg failed: {_stderr_tail(proc.stderr)}", path)
    return proc


def _stderr_tail(stderr: bytes, lines: int = 3, limit: int = 300) -> str:
    """ffmpeg's last few messages on one line (not the meters' indented summaries)."""
    text = stderr.decode("utf-8", "replace")
    tail = [line.strip() for line in text.splitlines() if line.strip() and not line[:1].isspace()][-lines:]
    one = " | ".join(tail) or "no error message"
    return one if len(one) <= limit else "…" + one[-limit:]


def _raw_input(rate: int) -> list[str]:
    return ["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"]


_METER_TRUE: Final = "peak=true:metadata=1"
_METER_SAMPLE: Final = "peak=sample:metadata=1"
"""ebur128 in true-peak or sample-peak mode. metadata=1 moves its per-frame log
lines to the verbose level, which `-loglevel info` hides, on every version
(framelog=quiet is newer than ffmpeg 5.1); the summary stays at info."""

_INTEGRATED = re.compile(r"I:\s*([-+]?(?:\d+(?:\.\d+)?|inf))\s*LUFS")
_PEAK = re.compile(r"Peak:\s*([-+]?(?:\d+(?:\.\d+)?|inf))\s*dBFS")


def _parse_ebur128(log: str, what: str, path: Path | None = None) -> tuple[float, float]:
    """(integrated LUFS, peak dB) from the summary ebur128 logs at the end.

    The last one: ffmpeg before 6 builds a complex filter graph once more to
    learn its outputs, and that graph's meter logs an empty summary first.
    """
    parts = log.split("Summary:")
    summary = parts[-1] if len(parts) > 1 else ""
    integrated = _INTEGRATED.search(summary)
    peak = _PEAK.search(summary)
    if integrated is None or peak is None:
        tail = _stderr_tail(log.encode())
        raise AudioError(f"{what}: no loudness summary in ffmpeg's output: {tail}", path)
    return float(integrated.group(1)), float(peak.group(1))


def _log(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode("utf-8", "replace")


# --- helpers for others ------------------------------------------------------


def decode_pcm(path: Path, rate: int | None = None, ffmpeg: Ffmpeg | None = None) -> tuple[bytes, int]:
    """Decode any audio file to 16-bit mono PCM (at `rate`, or its own rate).

    Decodes with ffmpeg (default: find_ffmpeg()) to WAV (no ffprobe needed);
    returns (samples, rate). Raises AudioError when ffmpeg cannot read the file.
    """
    args = ["-i", str(path), "-vn", "-ac", "1", "-c:a", "pcm_s16le"]
    if rate:
        args += ["-ar", str(rate)]
    proc = _run(ffmpeg or find_ffmpeg(), [*args, "-bitexact", "-f", "wav", "pipe:1"], "cannot decode audio", path=path)
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


def measure_loudness(path: Path, ffmpeg: Ffmpeg | None = None) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of any audio file.

    Uses ffmpeg's ebur128 filter with true-peak mode; mono is measured as one
    channel (not dual-mono). Silence reads -70 LUFS and -inf dBTP.
    Raises AudioError when ffmpeg cannot read the file.
    """
    proc = _run(
        ffmpeg or find_ffmpeg(),
        ["-i", str(path), "-vn", "-af", f"ebur128={_METER_TRUE}", "-f", "null", "-"],
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
    cues: tuple[tuple[int, int, str, tuple[Word, ...]], ...]
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
    cues: list[tuple[int, int, str, tuple[Word, ...]]] = []
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
                        cues.append((pos, pos, sentence.text, ()))
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
                words = sentence.clip.words if sentence.clip else ()
                cues.append((pos, pos + len(pcm) // 2, sentence.text, words))
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


def _resample(ffmpeg: Ffmpeg, clips: Sequence[Clip], rate: int) -> list[bytes]:
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
            ffmpeg,
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
    """How the assembled audio becomes the MP3: maybe a limiter, then a gain.

    The limiter's ceiling is 0 dBFS and `drive_db` the gain into it; as the
    limiter scales with its input, the gain after it moves loudness and peaks
    alike without changing how hard it limits.
    """

    gain_db: float
    drive_db: float | None = None
    """Gain into the limiter; None = no limiter."""

    def filters(self) -> list[str]:
        chain = []
        if self.drive_db is not None:
            chain.append(f"volume={self.drive_db:.3f}dB:precision=float")
            chain.append("alimiter=limit=1:attack=5:release=50:level=disabled:latency=enabled")
        if abs(self.gain_db) >= 0.005:
            chain.append(f"volume={self.gain_db:.3f}dB:precision=float")
        return chain


def _measure_pcm(
    ffmpeg: Ffmpeg, pcm: bytes, rate: int, plans: Sequence[_Plan] = (_Plan(0.0),)
) -> list[tuple[float, float]]:
    """Integrated loudness and sample peak of `pcm` as each plan would leave it.

    One ffmpeg pass whatever the number of plans: the input is split, each
    branch has its own gain, limiter and meter.
    """
    graph = [f"[0:a]asplit={len(plans)}" + "".join(f"[s{i}]" for i in range(len(plans)))] if len(plans) > 1 else []
    outputs = []
    for i, plan in enumerate(plans):
        chain = ",".join([*plan.filters(), f"ebur128@p{i}={_METER_SAMPLE}"])
        graph.append(f"[{f's{i}' if len(plans) > 1 else '0:a'}]{chain}[o{i}]")
        outputs += ["-map", f"[o{i}]", "-f", "null", "-"]
    proc = _run(
        ffmpeg,
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


def _encode(
    ffmpeg: Ffmpeg, pcm: bytes, rate: int, audio: AudioSettings, plan: _Plan, dest: Path
) -> tuple[float, float]:
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
    if ffmpeg.loopback:
        # Decode what the encoder produced and measure it in the same process.
        args += [
            "-dec",
            "0:0",
            "-filter_complex",
            f"[dec:0]ebur128={_METER_TRUE}[m]",
            "-map",
            "[m]",
            "-f",
            "null",
            "-",
        ]
    proc = _run(ffmpeg, args, "cannot encode the MP3", stdin=pcm, path=dest)
    if ffmpeg.loopback:
        return _parse_ebur128(_log(proc), "cannot measure the encoded MP3", dest)
    return measure_loudness(dest, ffmpeg)


def _excerpts(pcm: bytes, rate: int) -> bytes:
    """Evenly spaced excerpts of `pcm` (all of it when short) to try the limiter on."""
    size = int(PROBE_EXCERPT_S * rate) * 2
    if len(pcm) <= 2 * PROBE_EXCERPTS * size:
        return pcm
    stride = (len(pcm) - size) // (PROBE_EXCERPTS - 1) // 2 * 2
    return b"".join(pcm[i * stride : i * stride + size] for i in range(PROBE_EXCERPTS))


@dataclass(frozen=True)
class _Drive:
    """The episode through the limiter at one drive, as measured on the excerpts."""

    drive_db: float
    loudness: float
    """The whole episode's loudness after the limiter (before any gain)."""
    crest_db: float
    """Sample peak minus loudness: what limiting this hard leaves."""


def _interpolate(a: _Drive, b: _Drive, crest: float) -> _Drive:
    """The drive between a and b that leaves `crest` (linear in between)."""
    t = 0.0 if a.crest_db == b.crest_db else min(1.0, max(0.0, (a.crest_db - crest) / (a.crest_db - b.crest_db)))
    return _Drive(a.drive_db + t * (b.drive_db - a.drive_db), a.loudness + t * (b.loudness - a.loudness), crest)


class _Limiting:
    """How the limiter changes one episode's loudness and crest, drive by drive.

    Measured on excerpts: what the limiter takes off there is taken off the
    whole episode's loudness (a voice has the same peaks throughout). Passes
    run only when a crest asks for drives not yet tried.
    """

    def __init__(self, ffmpeg: Ffmpeg, pcm: bytes, rate: int, loudness: float, peak: float) -> None:
        self.ffmpeg, self.rate = ffmpeg, rate
        self.excerpts = _excerpts(pcm, rate)
        self.loudness, self.peak = loudness, peak
        self.excerpt_loudness = loudness if len(self.excerpts) == len(pcm) else None
        self.tried: list[_Drive] = []

    def _try(self, drives: Sequence[float]) -> None:
        plans = [_Plan(0.0, d) for d in drives]
        if self.excerpt_loudness is None:
            plans.insert(0, _Plan(0.0))
        results = _measure_pcm(self.ffmpeg, self.excerpts, self.rate, plans)
        if self.excerpt_loudness is None:
            self.excerpt_loudness = results.pop(0)[0]
        for drive, (limited, peak) in zip(drives, results):
            taken = self.excerpt_loudness + drive - limited
            whole = self.loudness + drive - taken
            self.tried.append(_Drive(drive, whole, peak - whole))
        self.tried.sort(key=lambda d: d.drive_db)

    def for_crest(self, crest: float) -> tuple[_Drive, bool]:
        """The least drive that leaves at most `crest`, and whether it does (else the
        one that leaves the least, at most the last of DRIVE_STEPS_DB)."""
        # Limiting takes off at most what the drive pushes past the ceiling (peak + drive),
        # so no drive under this one can leave `crest`.
        least = -self.loudness - crest
        if not self.tried:
            self._try([least + step for step in DRIVE_STEPS_DB])
        tried = self.tried
        for lower, upper in zip(tried, tried[1:]):
            if lower.crest_db > crest >= upper.crest_db:
                if upper.drive_db - lower.drive_db > DRIVE_TOLERANCE_DB:
                    width = upper.drive_db - lower.drive_db
                    self._try([lower.drive_db + width * k / 4 for k in (1, 2, 3)])
                    return self.for_crest(crest)
                return _interpolate(lower, upper, crest), True
        if tried[0].crest_db <= crest:
            return tried[0], True
        return min(tried, key=lambda d: (round(d.crest_db, 1), d.drive_db)), False


def _normalize_and_encode(
    ffmpeg: Ffmpeg, pcm: bytes, rate: int, audio: AudioSettings, dest: Path
) -> tuple[float, float]:
    """Encode `pcm` (at `rate`) to `dest` at the target loudness under the true-peak ceiling.

    Returns the MP3's (integrated LUFS, true peak dBTP). The true peak is kept
    under the ceiling; the loudness reaches the target, or comes as close as
    the ceiling allows with the limiter driven at most DRIVE_STEPS_DB[-1] (a
    peaky voice). When the MP3 misses, the encode is redone with the level and
    the drive corrected by what it measured.
    """
    target, ceiling = audio.loudness_lufs, audio.true_peak_db
    ((loudness, peak),) = _measure_pcm(ffmpeg, pcm, rate)
    if loudness <= SILENT_LUFS:
        return _encode(ffmpeg, pcm, rate, audio, _Plan(0.0), dest)
    want = target - ENCODER_GAIN_DB
    crest = ceiling - LIMIT_MARGIN_DB - want  # the sample-peak crest the target allows
    limiting = _Limiting(ffmpeg, pcm, rate, loudness, peak)
    drive, exhausted = _Drive(-math.inf, loudness, peak - loudness), False
    if drive.crest_db > crest:
        drive, reached = limiting.for_crest(crest)
        exhausted = not reached
    # The target's gain, unless it would push the limiter's ceiling (the peaks) past the margin.
    plan = _Plan(min(want - drive.loudness, crest + want - drive.loudness - drive.crest_db), _drive_of(drive))
    for _ in range(MAX_ENCODES):
        got, true_peak = _encode(ffmpeg, pcm, rate, audio, plan, dest)
        if got <= SILENT_LUFS:
            return got, true_peak
        need = target - got  # the level change that meets the target
        room = ceiling - PEAK_SAFETY_DB - true_peak  # the most the level may rise
        if true_peak <= ceiling and (abs(need) <= TARGET_TOLERANCE_LU or (exhausted and room < PEAK_SAFETY_DB)):
            return got, true_peak
        if need <= room or exhausted:
            plan = _Plan(plan.gain_db + min(need, room), plan.drive_db)
            continue
        # Too peaky for the target at this drive: limit harder by what the MP3 showed.
        crest -= need - room
        before = drive.loudness
        drive, reached = limiting.for_crest(crest)
        exhausted = not reached
        plan = _Plan(plan.gain_db + need - (drive.loudness - before), _drive_of(drive))
    for _ in range(2):  # whatever else, the ceiling holds
        if true_peak <= ceiling:
            break
        plan = _Plan(plan.gain_db - (true_peak - ceiling) - PEAK_SAFETY_DB, plan.drive_db)
        got, true_peak = _encode(ffmpeg, pcm, rate, audio, plan, dest)
    if true_peak > ceiling:
        raise AudioError(f"the MP3's true peak stays above {ceiling:g} dBTP ({true_peak:.1f} dBTP)", dest)
    return got, true_peak


def _drive_of(drive: _Drive) -> float | None:
    return None if math.isinf(drive.drive_db) else drive.drive_db


# --- the stage ------------------------------------------------------------------


def render(script: Script, audio: AudioSettings, pauses: PauseSettings, dest: Path) -> Rendering:
    """Stitch the script's clips into one normalized MP3 at `dest`.

    Every sentence must have a clip. Writes only `dest` (removed again on
    failure). Returns the duration, a Chapter per part that has sentences
    ("ch0", "ch1", … tiling the whole file), a Cue per sentence, and the
    loudness and true peak measured on the encoded MP3, with a warning when a
    peaky voice kept it from the target (the true peak never passes the ceiling).
    Raises AudioError for a missing clip or when ffmpeg fails or lacks a
    feature, ConfigError when the ffmpeg named to use is missing.
    """
    dest = Path(dest)
    ffmpeg = find_ffmpeg(audio.ffmpeg)
    clips = _check_clips(script)
    rate = _working_rate(clips, audio.sample_rate)
    layout = _lay_out(script.parts, _resample(ffmpeg, clips, rate), pauses, rate)
    try:
        loudness, true_peak = _normalize_and_encode(ffmpeg, _assemble(layout), rate, audio, dest)
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    warning = ""
    if loudness > SILENT_LUFS and abs(loudness - audio.loudness_lufs) > TARGET_TOLERANCE_LU:
        warning = (
            f"the voice is too peaky for {audio.loudness_lufs:g} LUFS under {audio.true_peak_db:g} dBTP: "
            f"the episode measures {loudness:.1f} LUFS at {true_peak:.1f} dBTP"
        )

    def ms(samples: int) -> int:
        return round(samples * 1000 / rate)

    duration = ms(layout.length)
    starts = [ms(start) for start, _ in layout.chapters] + [duration]
    chapters = tuple(Chapter(f"ch{i}", title, starts[i], starts[i + 1]) for i, (_, title) in enumerate(layout.chapters))
    cues = tuple(
        Cue(ms(start), ms(end), text, tuple(Word(ms(start) + w.start_ms, w.text) for w in words))
        for start, end, text, words in layout.cues
    )
    return Rendering(duration, chapters, cues, loudness, true_peak, warning)
