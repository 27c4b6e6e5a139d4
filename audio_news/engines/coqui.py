"""The coqui engine: neural voices through Coqui TTS (XTTS-v2, MMS VITS, local models).

Synthesize makes one engine per run; the engine loads its model once, then
speaks one sentence per `synthesize` call. This is the only module that imports
TTS, torch and numpy, and only inside the engine, so `import audio_news` works
without the `coqui` extra. Errors from Coqui are translated here, at the
boundary:

    ConfigError          the profile's [settings] are wrong (unknown key, bad
                         value, unknown model name, speaker/language mismatch,
                         a licence that needs `agree_tos`)
    EngineMissingError   the extra is not installed
    EngineError          the model cannot be found, downloaded or loaded, or a
                         sentence cannot be spoken

Settings (under [settings] in the voice profile):

    model_name     a Coqui model id, e.g. "tts_models/multilingual/multi-dataset/xtts_v2"
                   or "tts_models/ara/fairseq/vits", fetched on first use into Coqui's
                   cache (TTS_HOME) or, for Hub-hosted models like XTTS-v2, the
                   Hugging Face cache
    model_path     or: a local model file or folder (relative to the profile file)
    config_path    its config.json (default: config.json beside the model)
    speakers_file  a multi-speaker model's speaker-id file, when its config names a
                   path that is not on this machine
    gpu            true, false or "auto" (default: CUDA when available)
    language       for multilingual models (XTTS): e.g. "ar"
    speaker        a built-in speaker's name
    speaker_wav    a reference clip (or list of clips) to clone, for XTTS
    vocab_filter   drop characters the model's vocabulary lacks before speaking
    offline        never reach the network: the model must be in the cache already
    agree_tos      agree to the licence terms of models that ask (XTTS's CPML)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ..errors import AudioNewsError, ConfigError, EngineError, EngineMissingError
from ..models import Clip
from ..voices import VoiceProfile

INSTALL_HINT: Final = "pip install 'audio-news[coqui]'"
DEFAULT_TTS_CACHE: Final = "~/.local/share/tts"
DEFAULT_HUB_CACHE: Final = "~/.cache/huggingface/hub"

_KEYS: Final = frozenset(
    {
        "model_name",
        "model_path",
        "config_path",
        "speakers_file",
        "gpu",
        "language",
        "speaker",
        "speaker_wav",
        "vocab_filter",
        "offline",
        "agree_tos",
    }
)
_MODEL_FILES: Final = ("*.pth", "*.pth.tar", "*.pt")
_CHECKPOINT_NAMES: Final = ("model.pth", "model_file.pth", "model_file.pth.tar", "best_model.pth", "checkpoint.pth")
_SPACES: Final = re.compile(r"\s+")


@dataclass(frozen=True)
class CoquiSettings:
    """A coqui profile's [settings], checked; paths resolved against the profile file."""

    model_name: str | None = None
    model_path: Path | None = None
    config_path: Path | None = None
    speakers_file: Path | None = None
    gpu: bool | None = None
    """None means "auto": CUDA when torch sees a GPU."""
    language: str | None = None
    speaker: str | None = None
    speaker_wav: tuple[Path, ...] = ()
    vocab_filter: bool = False
    offline: bool = False
    agree_tos: bool = False

    @classmethod
    def from_profile(cls, profile: VoiceProfile) -> CoquiSettings:
        """Check `profile.settings`; raise ConfigError naming the profile file."""
        data: Mapping[str, Any] = profile.settings

        def fail(message: str) -> ConfigError:
            return ConfigError(f"coqui voice {profile.name!r}: {message}", profile.path or None)

        unknown = set(data) - _KEYS
        if unknown:
            raise fail(f"unknown [settings] keys: {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KEYS))})")

        def text(key: str) -> str | None:
            value = data.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise fail(f"{key} must be a non-empty string")
            return value

        def flag(key: str) -> bool:
            value = data.get(key, False)
            if not isinstance(value, bool):
                raise fail(f"{key} must be true or false")
            return value

        def path(key: str) -> Path | None:
            value = text(key)
            return None if value is None else profile.resolve(value)

        model_name = text("model_name")
        model_path = path("model_path")
        if (model_name is None) == (model_path is None):
            raise fail("give either model_name (a Coqui model id) or model_path (a local model)")
        if model_name is not None and len(model_name.split("/")) != 4:
            raise fail(
                f"model_name {model_name!r} is not a Coqui model id like 'tts_models/<language>/<dataset>/<model>'"
            )
        if model_name is not None and ("config_path" in data or "speakers_file" in data):
            raise fail("config_path and speakers_file go with model_path, not model_name")

        gpu = data.get("gpu", "auto")
        if gpu not in (True, False, "auto"):
            raise fail('gpu must be true, false or "auto"')

        wav = data.get("speaker_wav")
        if wav is None:
            wavs: tuple[Path, ...] = ()
        elif isinstance(wav, str) and wav:
            wavs = (profile.resolve(wav),)
        elif isinstance(wav, list) and wav and all(isinstance(w, str) and w for w in wav):
            wavs = tuple(profile.resolve(w) for w in wav)
        else:
            raise fail("speaker_wav must be a path or a list of paths")
        for clip in wavs:
            if not clip.is_file():
                raise fail(f"speaker_wav {clip} does not exist")

        return cls(
            model_name=model_name,
            model_path=model_path,
            config_path=path("config_path"),
            speakers_file=path("speakers_file"),
            gpu=None if gpu == "auto" else gpu,
            language=text("language"),
            speaker=text("speaker"),
            speaker_wav=wavs,
            vocab_filter=flag("vocab_filter"),
            offline=flag("offline"),
            agree_tos=flag("agree_tos"),
        )


class CoquiEngine:
    """A Coqui TTS model, loaded once, speaking one sentence per call."""

    def __init__(self, profile: VoiceProfile) -> None:
        """Load the profile's model.

        Raises ConfigError (bad settings), EngineMissingError (no coqui extra) or
        EngineError (model not found, not downloadable, or not loadable).
        """
        self.profile = profile
        self.settings = CoquiSettings.from_profile(profile)
        self._torch, tts_class = _import_coqui(profile)
        self._tts = _load(tts_class, self.settings, profile, _device(self._torch, self.settings.gpu, profile))
        self.sample_rate: int = int(self._tts.synthesizer.output_sample_rate)
        _check_voice(self._tts, self.settings, profile)
        self._letters: frozenset[str] | None = None
        self._cleaner = None
        if self.settings.vocab_filter:
            self._letters, self._cleaner = _vocabulary(self._tts, profile)
        from TTS.utils import synthesizer

        self._pad = int(getattr(synthesizer, "PAD_SILENCE_SAMPLES", 0))

    @property
    def vocabulary(self) -> frozenset[str] | None:
        """The characters the model can read, when vocab_filter is on."""
        return self._letters

    def speakable(self, text: str) -> str:
        """`text` as it will be sent to the model: with vocab_filter, only characters it knows.

        Letters and marks the model lacks are dropped (a mark outside the
        vocabulary belongs to the word it sits on); other characters it lacks
        (digits, punctuation, symbols) become spaces, so words stay apart.
        """
        if self._letters is None:
            return _SPACES.sub(" ", text).strip()
        if self._cleaner is not None:
            # The model's own cleaner runs first (it may lower-case or romanize),
            # so the filter sees what the tokenizer will see.
            text = self._cleaner(text)
        kept = []
        for char in text:
            if char in self._letters:
                kept.append(char)
            elif char.isspace() or unicodedata.category(char)[0] not in "LMC":
                kept.append(" ")
        spaced = _SPACES.sub(" ", "".join(kept)).strip()
        return spaced if " " in self._letters else spaced.replace(" ", "")

    def synthesize(self, text: str) -> Clip:
        """Speak one sentence; empty text (or nothing speakable) gives a zero-length clip.

        Raises EngineError when the model fails.
        """
        spoken = self.speakable(text)
        if not spoken:
            return Clip(b"", self.sample_rate)
        options: dict[str, Any] = {}
        if self.settings.speaker:
            options["speaker"] = self.settings.speaker
        if self.settings.speaker_wav:
            wavs = [str(p) for p in self.settings.speaker_wav]
            options["speaker_wav"] = wavs[0] if len(wavs) == 1 else wavs
        if self.settings.language:
            options["language"] = self.settings.language
        try:
            with self._torch.inference_mode():
                wav = self._tts.tts(text=spoken, split_sentences=False, **options)
        except Exception as exc:
            hint = ""
            if "torchcodec" in str(exc) and self.settings.speaker_wav:
                hint = " (reading speaker_wav needs FFmpeg's shared libraries, e.g. apt install ffmpeg)"
            raise EngineError(
                f"coqui voice {self.profile.name!r} could not speak {_excerpt(spoken)!r}: {exc}{hint}",
                self.profile.path or None,
            ) from exc
        return Clip(pcm16(wav, trailing_pad=self._pad, what=_excerpt(spoken)), self.sample_rate)


def pcm16(wav: Any, *, trailing_pad: int = 0, what: str = "") -> bytes:
    """Float audio in [-1, 1] → 16-bit signed little-endian PCM bytes.

    `trailing_pad` zero samples at the end are cut: Coqui pads every sentence
    with silence, and the pauses are stitch's to decide. Values past full scale
    are clipped. Raises EngineError for NaN or infinite samples.
    """
    import numpy as np

    audio = np.asarray(wav, dtype=np.float32).reshape(-1)
    if trailing_pad and audio.size >= trailing_pad and not audio[-trailing_pad:].any():
        audio = audio[:-trailing_pad]
    if not np.isfinite(audio).all():
        raise EngineError(f"the coqui model produced NaN or infinite samples for {what!r}")
    return np.round(np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


# --- loading ---------------------------------------------------------------


def _import_coqui(profile: VoiceProfile) -> tuple[Any, Any]:
    try:
        import torch
        from TTS.api import TTS
    except ImportError as exc:
        raise EngineMissingError(
            f"the coqui engine needs the coqui extra: {INSTALL_HINT} ({exc})",
            profile.path or None,
        ) from exc
    return torch, TTS


def _device(torch: Any, gpu: bool | None, profile: VoiceProfile) -> str:
    available = bool(torch.cuda.is_available())
    if gpu and not available:
        raise EngineError(
            'gpu = true but torch sees no CUDA device (set gpu = "auto" or false, or install a CUDA build of torch)',
            profile.path or None,
        )
    return "cuda" if (available if gpu is None else gpu) else "cpu"


def _load(tts_class: Any, settings: CoquiSettings, profile: VoiceProfile, device: str) -> Any:
    with _environ(COQUI_TOS_AGREED="1" if settings.agree_tos else None):
        if settings.model_path is not None:
            tts = _load_local(tts_class, settings, profile)
        else:
            tts = _load_named(tts_class, settings, profile)
    try:
        return tts.to(device)
    except Exception as exc:
        raise EngineError(f"cannot move the coqui model to {device}: {exc}", profile.path or None) from exc


def _load_local(tts_class: Any, settings: CoquiSettings, profile: VoiceProfile) -> Any:
    model = settings.model_path
    assert model is not None
    where = profile.path or None
    if not model.exists():
        raise EngineError(f"model_path {model} does not exist", where)
    folder = model if model.is_dir() else model.parent
    if model.is_dir():
        model = _checkpoint_in(model, where)
    config = settings.config_path or folder / "config.json"
    if not config.is_file():
        raise EngineError(f"no model config at {config} (set config_path)", where)
    if settings.speakers_file is not None and not settings.speakers_file.is_file():
        raise EngineError(f"speakers_file {settings.speakers_file} does not exist", where)
    with _config_with_speakers(config, settings.speakers_file) as config_used:
        try:
            return tts_class(model_path=str(model), config_path=str(config_used), progress_bar=False)
        except Exception as exc:
            raise EngineError(f"cannot load a coqui model from {model}: {exc}", where) from exc


def _checkpoint_in(folder: Path, where: str | None) -> Path:
    """The checkpoint file in a model folder (Coqui's loaders want the file, not the folder)."""
    for name in _CHECKPOINT_NAMES:
        if (folder / name).is_file():
            return folder / name
    found = sorted(f for pattern in _MODEL_FILES for f in folder.glob(pattern))
    if len(found) == 1:
        return found[0]
    if not found:
        raise EngineError(f"model_path {folder} holds no model file ({', '.join(_MODEL_FILES)})", where)
    raise EngineError(
        f"model_path {folder} holds several checkpoints ({', '.join(f.name for f in found[:5])}): "
        "set model_path to the one to use",
        where,
    )


@contextlib.contextmanager
def _config_with_speakers(config: Path, speakers_file: Path | None) -> Iterator[Path]:
    """`config`, or a temporary copy naming `speakers_file` where the model looks for it.

    Coqui 0.28 takes `speakers_file_path` but does not use it; a model's config
    names its speaker-id file itself, often by a path from its training machine.
    """
    if speakers_file is None:
        yield config
        return
    data = json.loads(config.read_text(encoding="utf-8"))
    data["speakers_file"] = str(speakers_file)
    if isinstance(data.get("model_args"), dict):
        data["model_args"]["speakers_file"] = str(speakers_file)
    with tempfile.TemporaryDirectory(prefix="audio-news-coqui-") as tmp:
        copy = Path(tmp) / "config.json"
        copy.write_text(json.dumps(data), encoding="utf-8")
        yield copy


def _load_named(tts_class: Any, settings: CoquiSettings, profile: VoiceProfile) -> Any:
    from TTS.utils.manage import ModelManager

    name = settings.model_name
    assert name is not None
    where = profile.path or None
    manager = ModelManager(progress_bar=False)
    entry = _catalogue_entry(manager, name)
    if entry is None:
        raise ConfigError(
            f"coqui voice {profile.name!r}: {name!r} is not in Coqui's model list "
            "(see `tts --list_models`; MMS voices are tts_models/<iso-639-3>/fairseq/vits)",
            where,
        )
    folder = Path(manager.output_prefix) / name.replace("/", "--")
    if "repo_id" in entry:
        # Coqui keeps models from the Hugging Face Hub (XTTS-v2 among them) in the Hub's cache.
        cache = _hub_cache()
        cached = cache / f"models--{entry['repo_id'].replace('/', '--')}"
        where_cache = f"the Hugging Face cache {cache} (HF_HUB_CACHE, or HF_HOME/hub; default {DEFAULT_HUB_CACHE})"
    else:
        cached = folder
        where_cache = f"Coqui's cache {folder.parent} (TTS_HOME/tts; default {DEFAULT_TTS_CACHE})"
    missing = _not_cached(name, cached, where_cache)
    if entry.get("tos_required") and not (
        settings.agree_tos or os.environ.get("COQUI_TOS_AGREED") == "1" or (folder / "tos_agreed.txt").is_file()
    ):
        licence = entry.get("license", "its licence")
        raise ConfigError(
            f"coqui voice {profile.name!r}: {name} is released under {licence} "
            "(non-commercial; https://tts-hub.github.io/cpml). Read it, then set agree_tos = true "
            "in the profile's [settings] (or export COQUI_TOS_AGREED=1)",
            where,
        )
    try:
        if settings.offline and "repo_id" in entry:
            from huggingface_hub import snapshot_download
            from huggingface_hub.errors import LocalEntryNotFoundError

            try:
                snapshot = Path(
                    snapshot_download(
                        entry["repo_id"],
                        allow_patterns=entry.get("allow"),
                        ignore_patterns=entry.get("ignore"),
                        local_files_only=True,
                    )
                )
            except LocalEntryNotFoundError:
                raise EngineError(f"{missing} and offline = true. {_fetch_hint(name, cached)}", where) from None
            checkpoint = _checkpoint_in(snapshot, where)
            tts = tts_class(model_path=str(checkpoint), config_path=str(snapshot / "config.json"), progress_bar=False)
            # As if loaded by name: cloned voices are cached in TTS_HOME, not in the Hub's snapshot.
            tts.model_name = name
            tts.voice_dir = tts.synthesizer.voice_dir = Path(manager.output_prefix) / name / "voices"
            return tts
        if settings.offline and not folder.is_dir():
            raise EngineError(f"{missing} and offline = true. {_fetch_hint(name, cached)}", where)
        return tts_class(name, progress_bar=False)
    except AudioNewsError:
        raise
    except Exception as exc:
        raise EngineError(
            f"coqui model {name} could not be downloaded or loaded ({exc}). "
            f"It is kept in {where_cache}. {_fetch_hint(name, cached)}",
            where,
        ) from exc


def _catalogue_entry(manager: Any, name: str) -> dict[str, Any] | None:
    """The model's entry in Coqui's list; MMS (fairseq) models are not listed but always known."""
    kind, language, dataset, model = name.split("/")
    if dataset == "fairseq":
        return {"model_name": name, "license": "CC BY-NC 4.0"}
    try:
        return dict(manager.models_dict[kind][language][dataset][model])
    except (KeyError, TypeError):
        return None


def _hub_cache() -> Path:
    try:
        from huggingface_hub import constants
    except ImportError:
        return Path(DEFAULT_HUB_CACHE).expanduser()
    return Path(constants.HF_HUB_CACHE)


def _not_cached(name: str, cached: Path, where_cache: str) -> str:
    return f"coqui model {name} is not in {where_cache}: no {cached}"


def _fetch_hint(name: str, cached: Path) -> str:
    return (
        f"Download it on a machine with network: python -c \"from TTS.api import TTS; TTS('{name}')\" "
        f"and copy the folder {cached.name} into the same cache here "
        "(delete a half-downloaded folder first)"
    )


@contextlib.contextmanager
def _environ(**values: str | None) -> Iterator[None]:
    """Set the environment variables whose value is not None, for the block only."""
    saved = {key: os.environ.get(key) for key, value in values.items() if value is not None}
    os.environ.update({key: value for key, value in values.items() if value is not None})
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


# --- checks on the loaded model ---------------------------------------------


def _check_voice(tts: Any, settings: CoquiSettings, profile: VoiceProfile) -> None:
    """Speaker and language settings against what the model has; ConfigError when they miss."""

    def fail(message: str) -> ConfigError:
        return ConfigError(f"coqui voice {profile.name!r}: {message}", profile.path or None)

    multilingual, multispeaker = bool(tts.is_multi_lingual), bool(tts.is_multi_speaker)
    if settings.language and not multilingual:
        raise fail("language is for multilingual models (XTTS); this model speaks one language: remove it")
    if multilingual:
        if not settings.language:
            raise fail('this model is multilingual: set language (e.g. "ar")')
        languages = _safely(lambda: tts.languages)
        if languages and settings.language not in languages:
            raise fail(f"the model has no language {settings.language!r} (it has: {', '.join(languages)})")
    if (settings.speaker or settings.speaker_wav) and not multispeaker:
        raise fail("speaker and speaker_wav are for multi-speaker models: remove them")
    if multispeaker and not (settings.speaker or settings.speaker_wav):
        names = _safely(lambda: tts.speakers) or []
        raise fail(f"this model has several speakers: set speaker (one of: {_some(names)}) or speaker_wav")
    if settings.speaker and not settings.speaker_wav:
        names = _safely(lambda: tts.speakers)
        if names and settings.speaker not in names:
            raise fail(f"the model has no speaker {settings.speaker!r} (it has: {_some(names)})")


def _vocabulary(tts: Any, profile: VoiceProfile) -> tuple[frozenset[str], Any]:
    """The single characters the model's tokenizer knows (less its special tokens), and its cleaner."""
    tokenizer = getattr(tts.synthesizer.tts_model, "tokenizer", None)
    characters = getattr(tokenizer, "characters", None)
    vocab = getattr(characters, "vocab", None)
    if not vocab:
        raise ConfigError(
            f"coqui voice {profile.name!r}: vocab_filter needs a model with a character vocabulary "
            "(VITS, MMS); this model's tokenizer has none: remove vocab_filter",
            profile.path or None,
        )
    special = {getattr(characters, name, None) for name in ("pad", "blank", "bos", "eos")} - {" "}
    letters = frozenset(c for c in vocab if len(c) == 1 and c not in special)
    return letters, getattr(tokenizer, "text_cleaner", None)


def _safely(read: Any) -> Any:
    try:
        return read()
    except Exception:
        return None


def _some(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(names[:limit])
    return f"{shown}, … ({len(names)} in all)" if len(names) > limit else shown or "none listed"


def _excerpt(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
