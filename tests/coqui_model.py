"""Tiny Coqui models built in code, so the coqui engine runs in tests without downloads.

Nothing here is trained: the models make noise-like audio, but they load and
run through exactly the code paths a real voice takes (a local VITS folder, a
catalogue name in TTS_HOME, an MMS checkpoint in fairseq's own layout).
Building a model needs the coqui extra (torch + coqui-tts); they are imported
when a model is built, not with this module, so that collecting the tests does
not load torch in every test worker (seconds each).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from TTS.tts.configs.vits_config import VitsConfig

LETTERS: Final = "".join(map(chr, range(0x0621, 0x063B))) + "".join(map(chr, range(0x0641, 0x064B)))
"""The Arabic letters hamza … yeh (U+0621–U+063A, U+0641–U+064A)."""
MARKS: Final = "".join(map(chr, range(0x064B, 0x0653)))
"""Tashkeel: fathatan … sukun (U+064B–U+0652)."""
PAUSES: Final = "،؛.؟! "
"""The pause punctuation the tiny VITS knows (space included)."""
SAMPLE_RATE: Final = 16000
SEED: Final = 1234


def tiny_vits_config(speakers: Sequence[str] = ()) -> VitsConfig:
    """A VITS of about 270k parameters whose vocabulary is Arabic letters, marks and pauses."""
    from TTS.tts.configs.shared_configs import CharactersConfig
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import VitsArgs

    args = VitsArgs(
        hidden_channels=16,
        hidden_channels_ffn_text_encoder=32,
        num_layers_text_encoder=1,
        num_layers_posterior_encoder=1,
        num_layers_flow=1,
        use_sdp=False,  # the stochastic predictor alone has ~1M parameters
        resblock_type_decoder="2",
        resblock_kernel_sizes_decoder=[3],
        resblock_dilation_sizes_decoder=[[1, 3]],
        upsample_rates_decoder=[8, 8, 4],  # hop length 256
        upsample_initial_channel_decoder=32,
        upsample_kernel_sizes_decoder=[16, 16, 8],
        init_discriminator=False,
        use_speaker_embedding=bool(speakers),
        speaker_embedding_channels=8,
    )
    config = VitsConfig(
        model_args=args,
        use_phonemes=False,
        text_cleaner=None,
        add_blank=True,
        languages=["ar"],
        characters=CharactersConfig(
            characters_class="TTS.tts.models.vits.VitsCharacters",
            characters=LETTERS + MARKS,
            punctuations=PAUSES,
            pad="_",
            eos=None,
            bos=None,
            blank="<BLNK>",
            phonemes=None,
            is_unique=True,
            is_sorted=True,
        ),
    )
    config.audio.sample_rate = SAMPLE_RATE
    if speakers:
        config.num_speakers = config.model_args.num_speakers = len(speakers)
    return config


def build_tiny_vits(folder: Path, speakers: Sequence[str] = ()) -> tuple[Path, Path]:
    """Write an untrained tiny VITS to `folder`: (model.pth, config.json).

    With `speakers`, the model is multi-speaker and `folder/speakers.json` maps
    the names to ids; config.json then names that file by a path that does not
    exist (as a model copied from its training machine does), so a voice
    profile must give `speakers_file`.
    """
    import torch
    from TTS.tts.models.vits import Vits

    folder.mkdir(parents=True, exist_ok=True)
    config = tiny_vits_config(speakers)
    torch.manual_seed(SEED)
    if speakers:
        speakers_file = folder / "speakers.json"
        speakers_file.write_text(json.dumps({name: i for i, name in enumerate(speakers)}), encoding="utf-8")
        config.speakers_file = config.model_args.speakers_file = str(speakers_file)
    model = Vits(config)
    if speakers:
        config.speakers_file = config.model_args.speakers_file = "/training/run-1/speakers.json"
    model_path, config_path = folder / "model.pth", folder / "config.json"
    torch.save({"model": model.state_dict()}, model_path)
    config.save_json(str(config_path))
    return model_path, config_path


# Coqui's names → fairseq's names, in the order Coqui's loader renames them back
# (TTS.tts.utils.fairseq.rehash_fairseq_vits_checkpoint): fairseq keeps its
# parameter-free Flip layers at the odd flow indices.
_FAIRSEQ_NAMES: Final = (
    ("text_encoder.", "enc_p."),
    ("waveform_decoder.", "dec."),
    ("posterior_encoder.", "enc_q."),
    ("flow.flows.1.", "flow.flows.2."),
    ("flow.flows.2.", "flow.flows.4."),
    ("flow.flows.3.", "flow.flows.6."),
    ("duration_predictor.flows.0.translation", "dp.flows.0.m"),
    ("duration_predictor.flows.0.log_scale", "dp.flows.0.logs"),
    ("duration_predictor.flows.1.", "dp.flows.1."),
    ("duration_predictor.flows.2.", "dp.flows.3."),
    ("duration_predictor.flows.3.", "dp.flows.5."),
    ("duration_predictor.flows.4.", "dp.flows.7."),
    ("duration_predictor.post_flows.0.translation", "dp.post_flows.0.m"),
    ("duration_predictor.post_flows.0.log_scale", "dp.post_flows.0.logs"),
    ("duration_predictor.post_flows.1.", "dp.post_flows.1."),
    ("duration_predictor.post_flows.2.", "dp.post_flows.3."),
    ("duration_predictor.post_flows.3.", "dp.post_flows.5."),
    ("duration_predictor.post_flows.4.", "dp.post_flows.7."),
    ("duration_predictor.", "dp."),
)


def build_fairseq_mms(folder: Path) -> Path:
    """Write an untrained MMS-TTS checkpoint in fairseq's layout to `folder`.

    The layout is what Coqui's model manager unpacks for a name like
    tts_models/ara/fairseq/vits: G_100000.pth, config.json and vocab.txt.
    Coqui loads these into its default-size VITS, so this one is full size
    (36M parameters, stored as float16: ~73 MB). Its vocabulary has Arabic
    letters and space only, like MMS's: no marks, digits or Arabic punctuation.
    Returns the checkpoint's path.
    """
    import torch
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import Vits, VitsArgs

    folder.mkdir(parents=True, exist_ok=True)
    vocab = ["_", " ", *LETTERS, "-", "'"]
    torch.manual_seed(SEED)
    model = Vits(VitsConfig(model_args=VitsArgs(init_discriminator=False)))
    state = {}
    for name, value in model.state_dict().items():
        for coqui, fairseq in _FAIRSEQ_NAMES:
            if name.startswith(coqui):
                name = fairseq + name[len(coqui) :]
                break
        state[name] = value.half()
    hidden = model.args.hidden_channels
    state["enc_p.emb.weight"] = (torch.randn(len(vocab), hidden) * hidden**-0.5).half()
    checkpoint = folder / "G_100000.pth"
    torch.save({"model": state}, checkpoint)
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    (folder / "config.json").write_text(
        json.dumps({"data": {"sampling_rate": SAMPLE_RATE, "training_files": "train.ltr", "add_blank": True}}),
        encoding="utf-8",
    )
    return checkpoint
