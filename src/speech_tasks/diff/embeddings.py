"""The ``transformers`` similarity backend: sentence embeddings from a local model directory.

Two directory layouts are read, as Chinese sentence-embedding models are published:
- **sentence-transformers** (bge-small-zh-v1.5, text2vec-base-chinese, m3e-base …): a
  ``modules.json`` naming a Transformer module (the model files at its path, often the directory
  itself, with ``sentence_bert_config.json`` giving ``max_seq_length``), a Pooling module whose
  ``config.json`` sets the ``pooling_mode_*`` flags, and optionally Normalize;
- **plain Hugging Face** (``config.json`` + weights + tokenizer files, no ``modules.json``):
  mean pooling, unless ``pooling`` says otherwise (bge models are trained for ``cls``).

Embeddings are always L2-normalised (the diff compares them by cosine), computed in batches of
texts of similar length, on the CPU unless a CUDA device is asked for. Nothing is downloaded:
the model is loaded with ``local_files_only``.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .similarity import BackendError

if TYPE_CHECKING:
    import numpy as np

# sentence-transformers' Pooling config keys, by our name for the mode (in its concatenation order)
POOLING_KEYS = {
    "cls": "pooling_mode_cls_token",
    "max": "pooling_mode_max_tokens",
    "mean": "pooling_mode_mean_tokens",
    "mean_sqrt_len": "pooling_mode_mean_sqrt_len_tokens",
    "weightedmean": "pooling_mode_weightedmean_tokens",
    "lasttoken": "pooling_mode_lasttoken",
}
POOLING_MODES = tuple(POOLING_KEYS)
DEFAULT_POOLING = ("mean",)
# sentence-transformers modules that add nothing to a cosine similarity of normalised embeddings
_NEUTRAL_MODULES = ("Normalize",)


@dataclass(frozen=True)
class ModelLayout:
    """What a model directory says about producing one embedding per text."""

    model_dir: Path  # where config.json, the weights and the tokenizer are
    pooling: tuple[str, ...]
    pooling_from: str  # where *pooling* comes from: a file, "--pooling" or "default"
    max_length: int | None = None  # sentence_bert_config.json's max_seq_length


def _read_json(path: Path) -> dict | list:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise BackendError(f"{path}: cannot read ({type(e).__name__}: {e})") from None


def read_layout(root: str | os.PathLike, pooling: str | None = None) -> ModelLayout:
    """The layout of model directory *root*; *pooling* (a mode of :data:`POOLING_MODES`)
    overrides what the directory says."""
    root = Path(root)
    if pooling is not None and pooling not in POOLING_MODES:
        raise BackendError(f"pooling {pooling!r} unknown (known: {', '.join(POOLING_MODES)})")
    override = (pooling,) if pooling else None
    modules_file = root / "modules.json"
    if not modules_file.is_file():
        return ModelLayout(root, override or DEFAULT_POOLING, "--pooling" if override else "default")
    modules = _read_json(modules_file)
    if not isinstance(modules, list) or not all(isinstance(m, dict) and "type" in m for m in modules):
        raise BackendError(f"{modules_file}: expected a list of modules with a 'type' each")
    model_dir, modes, modes_from, max_length = None, None, None, None
    for m in modules:
        kind = str(m["type"]).rsplit(".", 1)[-1]
        folder = root / str(m.get("path", ""))
        if kind == "Transformer":
            model_dir = folder
            bert_config = folder / "sentence_bert_config.json"
            if bert_config.is_file():
                max_length = _read_json(bert_config).get("max_seq_length")
        elif kind == "Pooling":
            config_file = folder / "config.json"
            config = _read_json(config_file)
            modes = tuple(mode for mode, key in POOLING_KEYS.items() if config.get(key))
            modes_from = str(config_file)
            if not modes:
                raise BackendError(f"{config_file}: no pooling_mode_* is true")
        elif kind not in _NEUTRAL_MODULES:
            raise BackendError(
                f"{modules_file}: module {m['type']} is not supported (Transformer, Pooling and Normalize are)"
            )
    if model_dir is None:
        raise BackendError(f"{modules_file}: no Transformer module")
    if override:
        modes, modes_from = override, "--pooling"
    return ModelLayout(model_dir, modes or DEFAULT_POOLING, modes_from or "default", max_length)


def pool(hidden, mask, modes: Sequence[str]):
    """Sentence vectors from token vectors *hidden* (batch × tokens × dim) and the attention
    *mask* (batch × tokens), padding ignored; several modes are concatenated."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    counts = m.sum(1).clamp(min=1.0)
    positions = torch.arange(1, mask.shape[1] + 1, device=mask.device).unsqueeze(0) * mask  # 0 on padding
    parts = []
    for mode in modes:
        if mode == "cls":
            parts.append(hidden[:, 0])
        elif mode == "max":
            parts.append(hidden.masked_fill(m == 0, torch.finfo(hidden.dtype).min).max(1).values)
        elif mode == "mean":
            parts.append((hidden * m).sum(1) / counts)
        elif mode == "mean_sqrt_len":
            parts.append((hidden * m).sum(1) / counts.sqrt())
        elif mode == "weightedmean":
            w = positions.unsqueeze(-1).to(hidden.dtype)
            parts.append((hidden * w).sum(1) / w.sum(1).clamp(min=1.0))
        elif mode == "lasttoken":
            last = positions.argmax(1)  # the last real token, with padding on either side
            parts.append(hidden[torch.arange(hidden.shape[0], device=hidden.device), last])
        else:
            raise ValueError(f"unknown pooling mode {mode!r}")
    return torch.cat(parts, dim=-1)


class TransformersBackend:
    """Cosine similarity, clipped to [0, 1], of the normalised sentence embeddings of a local model."""

    name = "transformers"

    def __init__(
        self,
        model_dir: str | os.PathLike,
        *,
        pooling: str | None = None,
        device: str = "cpu",
        batch_size: int = 32,
        max_length: int = 512,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError:
            raise BackendError(
                "the transformers backend needs the optional extra: pip install torch==2.13.0 && "
                "pip install 'speech-tasks[transformers]'"
            ) from None
        self.device = _device(torch, device)
        self.layout = read_layout(model_dir, pooling)
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.layout.model_dir, local_files_only=True)
            self.model = AutoModel.from_pretrained(self.layout.model_dir, local_files_only=True)
        except (OSError, ValueError) as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise BackendError(f"{model_dir}: cannot load a Hugging Face model ({first})") from None
        self.model.eval().to(self.device)
        self.torch = torch
        self.batch_size = batch_size
        limits = [max_length, self.layout.max_length, getattr(self.tokenizer, "model_max_length", None)]
        limits += [getattr(self.model.config, "max_position_embeddings", None)]
        self.max_length = min(n for n in limits if isinstance(n, int) and n > 0)
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised embedding per text (rows in the order of *texts*)."""
        import numpy as np

        torch = self.torch
        todo = sorted((t for t in dict.fromkeys(texts) if t not in self._cache), key=len)  # little padding per batch
        with torch.inference_mode():
            for k in range(0, len(todo), self.batch_size):
                batch = todo[k: k + self.batch_size]
                enc = self.tokenizer(
                    [t or " " for t in batch], padding=True, truncation=True,
                    max_length=self.max_length, return_tensors="pt",
                ).to(self.device)
                hidden = self.model(**enc).last_hidden_state
                vectors = pool(hidden, enc["attention_mask"], self.layout.pooling)
                vectors = torch.nn.functional.normalize(vectors.float(), dim=-1)
                for text, vec in zip(batch, vectors.cpu().numpy()):
                    self._cache[text] = vec
        if not texts:
            dim = self.model.config.hidden_size * len(self.layout.pooling)
            return np.zeros((0, dim))
        return np.stack([self._cache[t] for t in texts])

    def matrix(self, a: Sequence[str], b: Sequence[str], corpus: Sequence[str]) -> np.ndarray:
        import numpy as np

        return np.clip(self.embed(a) @ self.embed(b).T, 0.0, 1.0)


def _device(torch, name: str):
    """The torch device called *name*; a CUDA device only when torch sees one."""
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise BackendError(f"--device {name}: not a device (cpu, cuda, cuda:1 …)") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise BackendError(f"--device {name}: no CUDA device available to torch here (use --device cpu)")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise BackendError(f"--device {name}: only {torch.cuda.device_count()} CUDA device(s)")
    elif device.type != "cpu":
        raise BackendError(f"--device {name}: only cpu and cuda are supported")
    return device
