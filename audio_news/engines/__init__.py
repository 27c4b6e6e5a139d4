"""Speech engines: one small protocol and a registry of named factories.

An engine is made once per run from a VoiceProfile and then speaks one
sentence per call. Engines are imported lazily by name so that an optional
engine's heavy dependencies (coqui → torch) load only when a profile asks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ..errors import ConfigError
from ..models import Clip
from ..voices import VoiceProfile


@runtime_checkable
class Engine(Protocol):
    """Turns one sentence of (possibly diacritized) Arabic into audio."""

    sample_rate: int

    def synthesize(self, text: str) -> Clip:
        """Speak `text`; raise EngineError when the engine fails."""
        ...


EngineFactory = Callable[[VoiceProfile], Engine]

# name → "module:attribute", resolved on first use.
_REGISTRY: dict[str, str | EngineFactory] = {
    "espeak": "audio_news.engines.espeak:EspeakEngine",
    "coqui": "audio_news.engines.coqui:CoquiEngine",
    "tone": "audio_news.engines.tone:ToneEngine",  # sine bursts, for tests and dry runs
}


def register_engine(name: str, factory: str | EngineFactory) -> None:
    """Add an engine (a factory, or "module:attr" to import lazily)."""
    _REGISTRY[name] = factory


def engine_names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def load_engine(profile: VoiceProfile) -> Engine:
    """Build the engine a voice profile names."""
    try:
        factory = _REGISTRY[profile.engine]
    except KeyError:
        raise ConfigError(
            f"unknown engine {profile.engine!r}; known engines: {', '.join(engine_names())}",
            profile.path,
        ) from None
    if isinstance(factory, str):
        module_name, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module_name), attr)
    return factory(profile)
