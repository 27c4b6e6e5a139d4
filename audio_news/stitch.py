"""Stage: each sentence's clip, as synthesis makes it → one loudness-normalized MP3.

Sits after synthesize and before tag. The clips come one at a time (a
generator: synthesis streams into this stage) and are laid end to end with the
pauses the settings ask for, into a spool file: nothing holds the whole
episode's audio, so memory does not grow with the article. Every sentence
becomes a Cue and every Part a Chapter at its exact offset (from sample counts
and, in the MP3, from frame counts, so the times are where the audio really
is). The spool is at the first clip's rate (one engine: every clip's); a clip
at another rate is resampled on its own. A build uses every core:

    measure   ebur128 (integrated loudness, sample peak) fed the same PCM as
              the spool, on another core while synthesis goes on      (1 pass)
    limit     only when the target's gain would push peaks past the ceiling
              (a peaky voice): volume + alimiter + ebur128 on excerpts at six
              drives, shared out over the cores, to find how hard to limit so
              that the crest left fits between target and ceiling (1, maybe 2)
    encode    the episode cut in the middle of pauses into one stretch per
              core (or per chapter, for section files); each stretch through
              (volume + alimiter) + volume → resample → libmp3lame CBR in its
              own ffmpeg, whose loopback decoder measures what it encoded
              (true peak, and the loudness of every 400 ms block). The
              stretches' frames are joined under one Info frame (frames,
              bytes, delay, padding, CRCs rewritten); each later stretch's
              encoder delay and the previous one's end padding stay in as
              silence inside the pause, and every time counts them. The true
              peak is the stretches' highest, the loudness is gated over all
              their blocks (a cut is put in a long pause where one is near, so
              no block straddling it holds speech): within 0.02 LU of the
              whole file's for speech. ffmpeg before 7 (no loopback decoders)
              measures the joined file instead.

The plan is made from the PCM's loudness, which is the MP3's (plus
ENCODER_GAIN_DB) within 0.05 LU for speech on 17 articles
(bench/pcm_vs_mp3_loudness.py); the true peak is not (the MP3 overshoots the
PCM's by up to 0.4 dB), so the MP3 itself is measured, and its loudness comes
with it. Only when the MP3 misses the target (±0.5 LU) or the true-peak
ceiling is the encode redone with the level and the drive corrected by what
it measured. A voice too peaky for the target even when limited hard ends as
loud as the ceiling allows, with a warning in the Rendering; loudness never
fails a build.

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
import queue
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import IO, Final

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
"""Silence put around a clip resampled on its own, so filter ringing stays inside."""

CHUNK_MIN_S: Final = 20.0
"""The shortest stretch encoded by an ffmpeg of its own: below it, starting a process costs more than it saves."""

_CUT_PAUSE_S: Final = 0.2
"""The shortest pause the episode is cut in (in its middle): half of it is silence on each side."""

_QUIET_CUT_S: Final = 0.8
"""A pause this long, cut in its middle, leaves a 400 ms loudness block on either side
of the cut nothing but silence: the stretches' blocks then gate as the whole file's."""

_DECODER_DELAY: Final = 529
"""Samples an MP3 decoder's filter bank lags by: every decoder drops them at the start."""

_SPOOL_QUEUE: Final = 64
"""Clips waiting for the loudness meter before synthesis waits for it (bounds memory)."""

_FEED_SAMPLES: Final = 1 << 18
"""Samples read from the spool and written to an encoder at a time."""


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
    cmd = [ffmpeg.path, "-hide_banner", "-nostdin", *_QUIET, *args]
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True)
    except OSError as exc:
        raise AudioError(f"{what}: cannot run ffmpeg: {exc}", path) from exc
    if proc.returncode != 0:
        raise _failure(proc.returncode, proc.stderr, what, path)
    return proc


_QUIET: Final = ("-nostats", "-loglevel", "info")
"""No progress line; messages and the meters' summaries at the info level."""


def _popen(ffmpeg: Ffmpeg, args: Sequence[str], log: IO[bytes], what: str, path: Path | None = None) -> Popen[bytes]:
    """Start ffmpeg with `args`, reading its stdin from a pipe, its messages to `log` (a
    file: a pipe nobody reads while it runs would fill); AudioError(`what` …) when it cannot run."""
    cmd = [ffmpeg.path, "-hide_banner", *_QUIET, *args]
    try:
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
    except OSError as exc:
        raise AudioError(f"{what}: cannot run ffmpeg: {exc}", path) from exc


def _failure(code: int, stderr: bytes, what: str, path: Path | None) -> AudioError:
    """The AudioError for an ffmpeg that exited with `code`: a full disk said plainly, else its last messages."""
    full = next((m for m in _DISK_FULL if m.encode() in stderr), None)
    if code == -getattr(signal, "SIGXFSZ", 0):  # killed at the file size limit (ulimit -f)
        full = f"{os.strerror(errno.EFBIG)} (the file size limit, ulimit -f)"
    if full:  # a full disk, said plainly rather than as ffmpeg's muxer noise
        return AudioError(f"{what}: {full}", path)
    return AudioError(f"{what}: ffmpeg failed: {_stderr_tail(stderr)}", path)


def _write_failure(exc: OSError, what: str, path: Path) -> AudioError:
    """A file this module writes could not be written: said as ffmpeg's failures are."""
    if exc.errno == errno.EFBIG:
        return AudioError(f"{what}: {os.strerror(errno.EFBIG)} (the file size limit, ulimit -f)", path)
    return AudioError(f"{what}: {exc.strerror or exc}", path)


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
    """Where everything falls in the laid-out PCM, in samples at its rate (the PCM itself went to a sink)."""

    rate: int
    cues: tuple[tuple[int, int, str, tuple[Word, ...]], ...]
    chapters: tuple[tuple[int, str], ...]
    pauses: tuple[tuple[int, int], ...]
    """(start, length) of every pause between sentences: where the episode may be cut."""
    length: int


def _pause_after(block: Block, pauses: PauseSettings) -> int:
    """The pause after a block when another block of the same part follows."""
    if block.kind is BlockKind.TITLE:
        return pauses.after_title_ms
    if block.kind is BlockKind.HEADING:
        return pauses.after_heading_ms
    return pauses.between_paragraphs_ms


def _lay_out(
    parts: Sequence[Part],
    audio: Iterable[tuple[bytes, Sequence[Word]]],
    pauses: PauseSettings,
    rate: int,
    write: Callable[[bytes], object],
) -> _Layout:
    """Place each sentence's audio (`audio`: PCM at `rate` and word times, in script
    order) with the pauses between them, handing the PCM to `write` as it goes.

    No silence before the first or after the last sentence. The pause before a
    sentence depends on what precedes it: another sentence of its block, a block
    of its part (after a title, a heading, or a paragraph), or another part (the
    section pause, instead of the block pause). Sentences with empty audio take
    no room and no pauses: a zero-length cue where they fall, if they have text.
    Parts without audio get no chapter.
    """

    def silence(ms: int) -> int:
        return round(ms * rate / 1000)

    sentences = iter(audio)
    cues: list[tuple[int, int, str, tuple[Word, ...]]] = []
    chapters: list[tuple[int, str]] = []
    gaps: list[tuple[int, int]] = []
    pos = 0
    for part in parts:
        previous: Block | None = None  # the last block of this part that had audio
        for block in part.blocks:
            voiced = False
            for sentence in block.sentences:
                pcm, words = next(sentences)
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
                    write(bytes(2 * gap))
                    gaps.append((pos, gap))
                    pos += gap
                write(pcm)
                cues.append((pos, pos + len(pcm) // 2, sentence.text, tuple(words)))
                pos += len(pcm) // 2
                voiced = True
            if voiced:
                previous = block
    return _Layout(rate, tuple(cues), tuple(chapters), tuple(gaps), pos)


def _script_clips(script: Script) -> Iterator[Clip]:
    """The clips attached to the script's sentences; AudioError for a sentence without one."""
    for n, sentence in enumerate(script.sentences, 1):
        if sentence.clip is None:
            raise AudioError(f"sentence {n} has no audio clip: {sentence.text[:40]!r}")
        yield sentence.clip


def _at_one_rate(ffmpeg: Ffmpeg, clips: Iterator[Clip]) -> tuple[int, Iterator[tuple[bytes, Sequence[Word]]]]:
    """The rate the episode is assembled and measured at, and each clip's samples at it.

    The rate is the first clip's with sound (one engine: every clip's, and the
    encode resamples the whole episode once on its way to the MP3). Empty clips
    before it are held until it is known; a clip at another rate is resampled
    on its own (one ffmpeg pass: mixed rates only come from mixed engines).
    """
    held: list[Clip] = []
    for n, clip in enumerate(clips, 1):
        _check_clip(n, clip)
        held.append(clip)
        if clip.samples:
            break
    else:
        raise AudioError("the script has no audio to render")
    rate = held[-1].sample_rate

    def converted() -> Iterator[tuple[bytes, Sequence[Word]]]:
        for clip in held:
            yield clip.samples, clip.words
        for n, clip in enumerate(clips, len(held) + 1):
            _check_clip(n, clip)
            samples = clip.samples if clip.sample_rate == rate or not clip.samples else _resample(ffmpeg, clip, rate)
            yield samples, clip.words

    return rate, converted()


def _check_clip(n: int, clip: Clip) -> None:
    if clip.sample_rate <= 0 or len(clip.samples) % 2:
        raise AudioError(f"sentence {n} has a malformed clip ({clip.sample_rate} Hz, {len(clip.samples)} bytes)")


def _resample(ffmpeg: Ffmpeg, clip: Clip, rate: int) -> bytes:
    """A clip's samples at `rate`: n samples become round(n * rate / its rate).

    Short silences around it keep the filter's ringing inside what is cut back out.
    """
    source = clip.sample_rate
    guard = b"\0\0" * math.ceil(source * _RESAMPLE_GUARD_S)
    proc = _run(
        ffmpeg,
        [*_raw_input(source), "-af", f"aresample={rate}", "-f", "s16le", "-ac", "1", "pipe:1"],
        f"cannot resample {source} Hz audio to {rate} Hz",
        stdin=guard + clip.samples + guard,
    )
    begin = round(len(guard) // 2 * rate / source)
    count = round(len(clip.samples) // 2 * rate / source)
    piece = proc.stdout[2 * begin : 2 * (begin + count)]
    return piece + b"\0\0" * (count - len(piece) // 2)


WORK_PREFIX: Final = "audio-news-work-"
"""A render's scratch folder in the system temp folder: WORK_PREFIX + pid + "-" + random. It
holds the stretches' MP3s while they are joined; a render killed with -9 leaves it behind."""


def sweep_work_folders(alive: Callable[[int], bool]) -> int:
    """Remove the scratch folders of renders whose process is gone (`alive(pid)` false);
    returns how many. Never raises: a folder that cannot be removed stays for the next sweep."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*-*"):
        pid = folder.name[len(WORK_PREFIX) :].split("-", 1)[0]
        if folder.is_dir() and not folder.is_symlink() and pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += not folder.exists()
    return removed


_MEASURE_WHAT: Final = "cannot measure the episode's loudness"


class _Spool:
    """The laid-out episode: PCM written to an unnamed temporary file as it comes,
    and fed at the same time to an ebur128 meter (integrated loudness, sample peak)
    on another core, so measuring overlaps synthesis and nothing holds the whole
    episode in memory."""

    def __init__(self, ffmpeg: Ffmpeg, folder: Path, rate: int) -> None:
        self.ffmpeg, self.folder, self.rate, self.length = ffmpeg, folder, rate, 0
        self.file = tempfile.TemporaryFile(dir=folder)
        self._log = tempfile.TemporaryFile(dir=folder)
        args = [*_raw_input(rate), "-af", f"ebur128={_METER_SAMPLE}", "-f", "null", "-"]
        self._meter = _popen(ffmpeg, args, self._log, _MEASURE_WHAT)
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=_SPOOL_QUEUE)
        self._feeder = threading.Thread(target=self._feed, daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        stdin = self._meter.stdin
        assert stdin is not None
        broken = False
        while (pcm := self._queue.get()) is not None:
            if not broken:
                try:
                    stdin.write(pcm)
                except OSError:  # the meter died: said when its result is asked for
                    broken = True
        try:
            stdin.close()
        except OSError:
            pass

    def write(self, pcm: bytes) -> None:
        self.file.write(pcm)
        self.length += len(pcm) // 2
        self._queue.put(pcm)

    def measured(self) -> tuple[float, float]:
        """(integrated LUFS, sample peak dB) of everything written."""
        self.file.flush()
        self._queue.put(None)
        self._feeder.join()
        code = self._meter.wait()
        self._log.seek(0)
        log = self._log.read()
        if code != 0:
            raise _failure(code, log, _MEASURE_WHAT, None)
        return _parse_ebur128(log.decode("utf-8", "replace"), _MEASURE_WHAT)

    def read(self, start: int, count: int) -> bytes:
        """`count` samples from sample `start`."""
        return os.pread(self.file.fileno(), 2 * count, 2 * start)

    def close(self) -> None:
        if self._meter.poll() is None:
            self._meter.kill()
        self._meter.wait()
        if self._feeder.is_alive():
            self._queue.put(None)
        self._feeder.join()
        self.file.close()
        self._log.close()


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
        _MEASURE_WHAT,
        stdin=pcm,
    )
    log = _log(proc)
    return [_parse_ebur128(_log_of(log, f"ebur128@p{i}"), _MEASURE_WHAT) for i in range(len(plans))]


def _log_of(text: str, name: str) -> str:
    """The lines one named filter logged (a line and its unprefixed continuations)."""
    lines, mine = [], False
    for line in text.splitlines():
        if line.startswith("["):
            mine = line.startswith(f"[{name} @")
        if mine:
            lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class _Chunk:
    """One stretch of the episode encoded by its own ffmpeg, as its MP3 says."""

    start: int
    end: int
    """Where it lies in the spool, in samples at the working rate."""
    path: Path
    info: bytes
    """Its first frame: the Info (CBR Xing) frame with the LAME tag, no audio."""
    frames: int
    """Audio frames after the Info frame (the count its Xing tag gives)."""
    frame_samples: int
    """Samples per frame: 1152 (MPEG-1) or 576 (MPEG-2)."""
    delay: int
    padding: int
    """Encoder delay and end padding from the LAME tag (what gapless decoders trim)."""
    blocks: tuple[float, ...] = ()
    """Momentary loudness of the encoded stretch every 100 ms (the BS.1770 gating blocks),
    from its loopback meter (ffmpeg 7 and later)."""
    true_peak: float = -math.inf

    @property
    def span(self) -> int:
        """Samples its frames hold once decoded, delay and padding included."""
        return self.frames * self.frame_samples


@dataclass(frozen=True)
class _Encoded:
    """The MP3 as written: its loudness and true peak, and the chunks it was joined from."""

    loudness: float
    true_peak: float
    chunks: tuple[_Chunk, ...]

    @property
    def samples(self) -> int:
        """The decoded length at the episode's rate: every frame, less the first delay and the last padding."""
        return sum(c.span for c in self.chunks) - self.chunks[0].delay - self.chunks[-1].padding

    def position(self, sample: int, rate: int, out_rate: int) -> float:
        """Where sample `sample` of the spool (at `rate`) is in the decoded MP3 (at `out_rate`).

        A chunk's audio starts after its own encoder delay, behind all the frames
        before it; the decoder trims only the first chunk's delay."""
        before = -self.chunks[0].delay
        for chunk in self.chunks:
            if sample < chunk.end or chunk is self.chunks[-1]:
                return before + chunk.delay + (sample - chunk.start) * out_rate / rate
            before += chunk.span
        raise AssertionError("unreachable")


_XING_SIDE_INFO: Final = {(True, True): 17, (True, False): 32, (False, True): 9, (False, False): 17}
"""Bytes of side information after the frame header, by (MPEG-1, mono): the Info tag follows."""


def _frame_layout(header: bytes, path: Path) -> tuple[int, int, int]:
    """(frame length in bytes, samples per frame, Info tag offset) of a CBR layer III frame."""
    h = int.from_bytes(header[:4], "big")
    if h >> 21 != 0x7FF or (h >> 17) & 3 != 1:
        raise AudioError("the encoder wrote no MPEG layer III frame", path)
    mpeg1 = (h >> 19) & 3 == 3
    rates = (44100, 48000, 32000) if mpeg1 else (22050, 24000, 16000)
    bitrates = (
        (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
        if mpeg1
        else (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
    )
    rate, kbps = rates[(h >> 10) & 3], bitrates[(h >> 12) & 15]
    size = (144 if mpeg1 else 72) * kbps * 1000 // rate + ((h >> 9) & 1)
    return size, 1152 if mpeg1 else 576, 4 + _XING_SIDE_INFO[(mpeg1, (h >> 6) & 3 == 3)]


def _read_info(path: Path) -> tuple[bytes, int, int, int, int]:
    """(Info frame, audio frames, samples per frame, encoder delay, end padding) of an MP3 stitch wrote."""
    with path.open("rb") as f:
        head = f.read(4096)
    size, spf, at = _frame_layout(head, path)
    if head[at : at + 4] not in (b"Info", b"Xing") or len(head) < size:
        raise AudioError("the encoder wrote no Info frame (gapless header)", path)
    frames = int.from_bytes(head[at + 8 : at + 12], "big")
    delay_padding = int.from_bytes(head[at + 141 : at + 144], "big")
    return head[:size], frames, spf, delay_padding >> 12, delay_padding & 0xFFF


def _crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC (the LAME tag's, as ffmpeg computes it)."""
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _crc16_join(first: int, second: int, second_length: int) -> int:
    """The CRC-16/ARC of A+B from crc(A), crc(B) and len(B): the CRC is linear, so crc(A)
    is carried through len(B) zero bytes (a 16×16 bit matrix raised to that power)."""

    def apply(matrix: list[int], value: int) -> int:
        out = 0
        for bit in range(16):
            if value >> bit & 1:
                out ^= matrix[bit]
        return out

    step = [_crc16(b"\0", 1 << bit) for bit in range(16)]  # one zero byte
    n, crc = second_length, first
    while n:
        if n & 1:
            crc = apply(step, crc)
        step = [apply(step, column) for column in step]
        n >>= 1
    return crc ^ second


def _with_tag(info: bytes, frames: int, size: int, crc: int, delay: int, padding: int) -> bytes:
    """An Info frame with the LAME tag rewritten for other audio: frame count, byte count
    (Info frame included), TOC (CBR: linear), delay and padding, music length and CRC,
    and the tag's own CRC (over the frame's first 190 bytes, as ffmpeg does)."""
    _, _, at = _frame_layout(info, Path())
    out = bytearray(info)
    out[at + 8 : at + 12] = frames.to_bytes(4, "big")
    out[at + 12 : at + 16] = size.to_bytes(4, "big")
    out[at + 16 : at + 116] = bytes(min(255, i * 256 // 100) for i in range(100))
    out[at + 141 : at + 144] = ((delay << 12) | padding).to_bytes(3, "big")
    out[at + 148 : at + 152] = size.to_bytes(4, "big")
    out[at + 152 : at + 154] = crc.to_bytes(2, "big")
    out[at + 154 : at + 156] = b"\0\0"
    out[at + 154 : at + 156] = _crc16(bytes(out[:190])).to_bytes(2, "big")
    return bytes(out)


def _music_crc(info: bytes) -> int:
    _, _, at = _frame_layout(info, Path())
    return int.from_bytes(info[at + 152 : at + 154], "big")


def _join(chunks: Sequence[_Chunk], dest: Path) -> None:
    """Write the chunks' audio frames one after another under one Info frame for the whole.

    Each chunk starts with a fresh bit reservoir (its first frame refers to no
    earlier one), so its frames play on after the last chunk's; the decoder
    trims the first chunk's delay and the last one's padding, and the other
    delays and paddings stay in as silence (the chunks meet in a pause)."""
    first = chunks[0].info
    crc, audio = 0, 0
    for chunk in chunks:
        size = chunk.path.stat().st_size - len(chunk.info)
        crc, audio = _crc16_join(crc, _music_crc(chunk.info), size), audio + size
    frames = sum(c.frames for c in chunks)
    header = _with_tag(first, frames, len(first) + audio, crc, chunks[0].delay, chunks[-1].padding)
    with dest.open("wb") as out:
        out.write(header)
        for chunk in chunks:
            _copy_frames(chunk, out)


def _copy_frames(chunk: _Chunk, out: IO[bytes]) -> None:
    """The chunk's audio frames (all but its Info frame) onto the end of `out`."""
    with chunk.path.open("rb") as f:
        f.seek(len(chunk.info))
        shutil.copyfileobj(f, out, 1 << 20)


def _write_section(chunk: _Chunk, first: bool, last: bool, dest: Path) -> None:
    """One chunk as an MP3 of its own whose decoded length is its share of the joined
    episode: the delay is trimmed only in the first, the padding (down to the
    decoder's own delay, 529 samples, which every decoder keeps) only in the last."""
    size = chunk.path.stat().st_size
    header = _with_tag(
        chunk.info,
        chunk.frames,
        size,
        _music_crc(chunk.info),
        chunk.delay if first else 0,
        chunk.padding if last else min(chunk.padding, _DECODER_DELAY),
    )
    with dest.open("wb") as out:
        out.write(header)
        _copy_frames(chunk, out)


def _encode_chunk(
    ffmpeg: Ffmpeg, spool: _Spool, start: int, end: int, chain: Sequence[str], audio: AudioSettings, dest: Path
) -> _Chunk:
    """Encode spool[start:end] through `chain` to its own MP3 (its own ffmpeg, fed from the
    spool on this thread) and, with loopback decoders, measure the encoded stream: its
    true peak and the momentary loudness of every block."""
    path = spool.folder / f"chunk-{start}.mp3"
    args = [*_raw_input(spool.rate), "-map", "0:a"]
    if chain:
        args += ["-af", ",".join(chain)]
    args += ["-c:a", "libmp3lame", "-b:a", f"{audio.bitrate_kbps}k", "-ar", str(audio.sample_rate), "-ac", "1"]
    args += ["-map_metadata", "-1", "-id3v2_version", "0", "-write_xing", "1", "-f", "mp3", "-y", str(path)]
    blocks_log = spool.folder / f"chunk-{start}.r128"
    if ffmpeg.loopback:
        meter = f"[dec:0]ebur128={_METER_TRUE},ametadata=mode=print:key=lavfi.r128.M:file={blocks_log}[m]"
        args += ["-dec", "0:0", "-filter_complex", meter, "-map", "[m]", "-f", "null", "-"]
    stderr = _pipe_spool(ffmpeg, args, spool, start, end, "cannot encode the MP3", dest)
    info, frames, spf, delay, padding = _read_info(path)
    if not ffmpeg.loopback:
        return _Chunk(start, end, path, info, frames, spf, delay, padding)
    _, true_peak = _parse_ebur128(stderr.decode("utf-8", "replace"), "cannot measure the encoded MP3", dest)
    blocks = tuple(float(m) for m in _MOMENTARY.findall(blocks_log.read_bytes()))
    blocks_log.unlink()
    return _Chunk(start, end, path, info, frames, spf, delay, padding, blocks, true_peak)


_MOMENTARY = re.compile(rb"lavfi\.r128\.M=([-+]?(?:\d+(?:\.\d+)?|inf|nan))")


def _gated_loudness(blocks: Sequence[float]) -> float:
    """BS.1770 integrated loudness from the momentary loudness of its 400 ms blocks (one
    every 100 ms, as ebur128 gates them): the absolute gate at -70 LUFS, then the
    relative one 10 LU under what passed it. -70 when nothing passes."""
    loud = [b for b in blocks if b > -70.0]

    def mean(values: Sequence[float]) -> float:
        return -0.691 + 10 * math.log10(sum(10 ** ((v + 0.691) / 10) for v in values) / len(values))

    if not loud:
        return -70.0
    gate = mean(loud) - 10.0
    kept = [b for b in loud if b > gate]
    return mean(kept) if kept else -70.0


def _pipe_spool(
    ffmpeg: Ffmpeg, args: Sequence[str], spool: _Spool, start: int, end: int, what: str, dest: Path
) -> bytes:
    """Run ffmpeg with spool[start:end] on its stdin, fed from this thread; its stderr.
    Raises AudioError(`what` …) when it fails."""
    with tempfile.TemporaryFile(dir=spool.folder) as log:
        proc = _popen(ffmpeg, args, log, what, dest)
        assert proc.stdin is not None
        try:
            for at in range(start, end, _FEED_SAMPLES):
                proc.stdin.write(spool.read(at, min(_FEED_SAMPLES, end - at)))
            proc.stdin.close()
        except OSError:
            pass  # ffmpeg stopped reading: its exit status and messages say why
        code = proc.wait()
        log.seek(0)
        stderr = log.read()
    if code != 0:
        raise _failure(code, stderr, what, dest)
    return stderr


def _encode(
    ffmpeg: Ffmpeg, spool: _Spool, cuts: Sequence[int], audio: AudioSettings, plan: _Plan, dest: Path
) -> _Encoded:
    """Apply the plan, resample to the episode's rate and encode the MP3 to `dest`:
    one ffmpeg per stretch between `cuts` (as many at once as there are cores),
    joined into one file; then measure the MP3.

    Each stretch's loopback meter measured what it encoded: the true peak is the
    highest of theirs (they meet in silence), the loudness is gated over all
    their blocks together (the few that would straddle a cut hold the silence
    of a pause). ffmpeg before 7 (no loopback decoders) measures the joined file.
    """
    chain = plan.filters()
    if spool.rate != audio.sample_rate:
        chain.append(f"aresample={audio.sample_rate}")
    bounds = [0, *cuts, spool.length]
    stretches = list(zip(bounds, bounds[1:]))
    with ThreadPoolExecutor(max_workers=max(1, min(len(stretches), os.cpu_count() or 1))) as pool:
        futures = [pool.submit(_encode_chunk, ffmpeg, spool, a, b, chain, audio, dest) for a, b in stretches]
        chunks = tuple(f.result() for f in futures)
    _join(chunks, dest)
    if not ffmpeg.loopback:
        return _Encoded(*measure_loudness(dest, ffmpeg), chunks)
    loudness = _gated_loudness([b for c in chunks for b in c.blocks])
    return _Encoded(loudness, max(c.true_peak for c in chunks), chunks)


def _cuts(layout: _Layout, count: int, at_chapters: bool) -> list[int]:
    """Where to cut the episode into stretches encoded apart: the middle of a pause,
    so that encoder delay and padding only add silence where there was silence.

    At every chapter start (the section pause before it) for section files;
    else `count` stretches of about equal length, each at least CHUNK_MIN_S long, cut in a
    pause long enough that no loudness block straddling the cut holds speech (a section
    or title pause) when one is near, else in the nearest pause."""
    if at_chapters:  # in the section pause before each chapter (at its start when there is none)
        ends = {start + length: start + length // 2 for start, length in layout.pauses}
        return [ends.get(start, start) for start, _ in layout.chapters[1:]]
    count = min(count, int(layout.length / (CHUNK_MIN_S * layout.rate)))
    long = [s + n // 2 for s, n in layout.pauses if n >= _QUIET_CUT_S * layout.rate]
    short = [s + n // 2 for s, n in layout.pauses if n >= _CUT_PAUSE_S * layout.rate]
    cuts: list[int] = []
    for k in range(1, count):
        want = k * layout.length // count
        slack = layout.length // count // 4
        best = min(long, key=lambda m: abs(m - want), default=None)
        if best is None or abs(best - want) > slack:  # no long pause near: the nearest pause
            best = min(short, key=lambda m: abs(m - want), default=None)
        if best is not None and (not cuts or best > cuts[-1]):
            cuts.append(best)
    return cuts


def _excerpts(spool: _Spool) -> bytes:
    """Evenly spaced excerpts of the episode (all of it when short) to try the limiter on."""
    size = int(PROBE_EXCERPT_S * spool.rate)
    if spool.length <= 2 * PROBE_EXCERPTS * size:
        return spool.read(0, spool.length)
    stride = (spool.length - size) // (PROBE_EXCERPTS - 1)
    return b"".join(spool.read(i * stride, size) for i in range(PROBE_EXCERPTS))


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

    def __init__(self, ffmpeg: Ffmpeg, spool: _Spool, loudness: float, peak: float) -> None:
        self.ffmpeg, self.rate = ffmpeg, spool.rate
        self.excerpts = _excerpts(spool)
        self.loudness, self.peak = loudness, peak
        self.excerpt_loudness = loudness if len(self.excerpts) == 2 * spool.length else None
        self.tried: list[_Drive] = []

    def _try(self, drives: Sequence[float]) -> None:
        plans = [_Plan(0.0, d) for d in drives]
        if self.excerpt_loudness is None:
            plans.insert(0, _Plan(0.0))
        # The plans shared out over the cores: one ffmpeg pass each, at once.
        shares = [plans[i :: os.cpu_count() or 1] for i in range(min(len(plans), os.cpu_count() or 1))]
        with ThreadPoolExecutor(max_workers=len(shares)) as pool:
            measured = list(pool.map(lambda share: _measure_pcm(self.ffmpeg, self.excerpts, self.rate, share), shares))
        by_plan = {id(plan): result for share, found in zip(shares, measured) for plan, result in zip(share, found)}
        results = [by_plan[id(plan)] for plan in plans]
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
    ffmpeg: Ffmpeg, spool: _Spool, cuts: Sequence[int], audio: AudioSettings, dest: Path
) -> _Encoded:
    """Encode the spool to `dest` at the target loudness under the true-peak ceiling.

    Returns the MP3 as measured. The true peak is kept under the ceiling; the
    loudness reaches the target, or comes as close as the ceiling allows with
    the limiter driven at most DRIVE_STEPS_DB[-1] (a peaky voice). When the MP3
    misses, the encode is redone with the level and the drive corrected by what
    it measured.
    """
    target, ceiling = audio.loudness_lufs, audio.true_peak_db
    loudness, peak = spool.measured()
    if loudness <= SILENT_LUFS:
        return _encode(ffmpeg, spool, cuts, audio, _Plan(0.0), dest)
    want = target - ENCODER_GAIN_DB
    crest = ceiling - LIMIT_MARGIN_DB - want  # the sample-peak crest the target allows
    limiting = _Limiting(ffmpeg, spool, loudness, peak)
    drive, exhausted = _Drive(-math.inf, loudness, peak - loudness), False
    if drive.crest_db > crest:
        drive, reached = limiting.for_crest(crest)
        exhausted = not reached
    # The target's gain, unless it would push the limiter's ceiling (the peaks) past the margin.
    plan = _Plan(min(want - drive.loudness, crest + want - drive.loudness - drive.crest_db), _drive_of(drive))
    for _ in range(MAX_ENCODES):
        encoded = _encode(ffmpeg, spool, cuts, audio, plan, dest)
        got, true_peak = encoded.loudness, encoded.true_peak
        if got <= SILENT_LUFS:
            return encoded
        need = target - got  # the level change that meets the target
        room = ceiling - PEAK_SAFETY_DB - true_peak  # the most the level may rise
        if true_peak <= ceiling and (abs(need) <= TARGET_TOLERANCE_LU or (exhausted and room < PEAK_SAFETY_DB)):
            return encoded
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
        if encoded.true_peak <= ceiling:
            break
        plan = _Plan(plan.gain_db - (encoded.true_peak - ceiling) - PEAK_SAFETY_DB, plan.drive_db)
        encoded = _encode(ffmpeg, spool, cuts, audio, plan, dest)
    if encoded.true_peak > ceiling:
        raise AudioError(f"the MP3's true peak stays above {ceiling:g} dBTP ({encoded.true_peak:.1f} dBTP)", dest)
    return encoded


def _drive_of(drive: _Drive) -> float | None:
    return None if math.isinf(drive.drive_db) else drive.drive_db


# --- the stage ------------------------------------------------------------------


def render(
    script: Script,
    audio: AudioSettings,
    pauses: PauseSettings,
    dest: Path,
    clips: Iterable[Clip] | None = None,
    sections: Callable[[int], Path] | None = None,
) -> Rendering:
    """Stitch the script's audio into one normalized MP3 at `dest`.

    `clips` gives each sentence's clip in script order as it is made (a
    generator: synthesis streams into the spool); without it every sentence
    must have its clip attached. With `sections`, chapter n (from 1) is also
    written as an MP3 of its own at sections(n), cut where the chaptered episode
    is (their decoded lengths add up to the episode's, less 12 ms per cut).
    Writes only `dest` and those (removed again on failure). Returns the
    duration, a Chapter per part that has sentences ("ch0", "ch1", … tiling the
    whole file), a Cue per sentence, and the loudness and true peak measured on
    the encoded MP3, with a warning when a peaky voice kept it from the target
    (the true peak never passes the ceiling). Raises AudioError for a missing
    clip or when ffmpeg fails or lacks a feature, ConfigError when the ffmpeg
    named to use is missing.
    """
    dest = Path(dest)
    ffmpeg = find_ffmpeg(audio.ffmpeg)
    written: list[Path] = []
    try:
        with tempfile.TemporaryDirectory(prefix=f"{WORK_PREFIX}{os.getpid()}-") as work:
            rate, pcm = _at_one_rate(ffmpeg, iter(clips) if clips is not None else _script_clips(script))
            spool = _Spool(ffmpeg, Path(work), rate)
            try:
                layout = _lay_out(script.parts, pcm, pauses, rate, spool.write)
                if next(pcm, None) is not None:
                    raise AudioError("more clips than sentences in the script")
                cuts = _cuts(layout, os.cpu_count() or 1, sections is not None)
                written.append(dest)
                encoded = _normalize_and_encode(ffmpeg, spool, cuts, audio, dest)
                if sections is not None:
                    for n, chunk in enumerate(encoded.chunks, 1):
                        path = Path(sections(n))
                        written.append(path)
                        _write_section(chunk, n == 1, n == len(encoded.chunks), path)
            finally:
                spool.close()
    except BaseException as exc:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):  # the spool or the MP3 could not be written
            raise _write_failure(exc, "cannot encode the MP3", dest) from exc
        raise
    loudness, true_peak = encoded.loudness, encoded.true_peak
    warning = ""
    if loudness > SILENT_LUFS and abs(loudness - audio.loudness_lufs) > TARGET_TOLERANCE_LU:
        warning = (
            f"the voice is too peaky for {audio.loudness_lufs:g} LUFS under {audio.true_peak_db:g} dBTP: "
            f"the episode measures {loudness:.1f} LUFS at {true_peak:.1f} dBTP"
        )
    out_rate = audio.sample_rate

    def ms(samples: int) -> int:
        return round(encoded.position(samples, rate, out_rate) * 1000 / out_rate)

    duration = round(encoded.samples * 1000 / out_rate)
    starts = [ms(start) for start, _ in layout.chapters] + [duration]
    starts[0] = 0
    chapters = tuple(Chapter(f"ch{i}", title, starts[i], starts[i + 1]) for i, (_, title) in enumerate(layout.chapters))
    cues = tuple(
        Cue(ms(start), ms(end), text, tuple(Word(ms(start) + w.start_ms, w.text) for w in words))
        for start, end, text, words in layout.cues
    )
    return Rendering(duration, chapters, cues, loudness, true_peak, warning)
