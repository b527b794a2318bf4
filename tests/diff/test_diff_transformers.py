"""The transformers backend, on a tiny BERT the test builds and saves itself (nothing is downloaded)."""
from __future__ import annotations

import json

import pytest
from .conftest import make_sheet

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from speech_tasks.cli import main  # noqa: E402
from speech_tasks.diff.similarity import BackendError, TransformersBackend  # noqa: E402

TEXTS = [
    "严查重型货车超限超载和拖拉机违法载人。",
    "对商场市场等人员密集场所开展消防检查。",
    "排查餐饮场所液化石油气钢瓶和燃气报警装置。",
]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A randomly initialised two-layer BERT over the characters of TEXTS, saved as a model directory."""
    path = tmp_path_factory.mktemp("tiny-bert")
    chars = sorted({c for t in TEXTS for c in t})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(str(path / "vocab.txt"))
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128,
    )
    transformers.BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def test_embeddings_are_mean_pooled_over_real_tokens_only(tiny_model):
    backend = TransformersBackend(str(tiny_model))
    alone = backend.embed([TEXTS[0][:5]])
    backend._cache.clear()
    batched = backend.embed([TEXTS[0][:5], TEXTS[1]])  # the short text is padded in this batch
    assert batched[0] == pytest.approx(alone[0], abs=1e-5)
    m = backend.matrix(TEXTS, TEXTS, [])
    assert m.shape == (3, 3)
    assert m.diagonal() == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    assert ((m >= 0) & (m <= 1)).all()


def test_diff_command_runs_with_the_transformers_backend(tiny_model, tmp_path, capsys):
    sheet = make_sheet([{"text": t} for t in TEXTS])
    for name in ("a", "b"):
        (tmp_path / f"{name}.json").write_text(sheet.model_dump_json(), encoding="utf-8")
    code = main(["diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-o", str(tmp_path / "out"),
                 "--format", "json", "--backend", "transformers", "--model", str(tiny_model)])
    assert code == 0
    data = json.loads((tmp_path / "out" / "a__b.json").read_text(encoding="utf-8"))
    assert data["backend"] == "transformers"
    assert [(p["a"]["id"], p["b"]["id"], p["status"]) for p in data["pairs"]] == [(f"T{k}", f"T{k}", "same") for k in (1, 2, 3)]


def test_a_folder_without_a_model_is_one_clear_line(tmp_path, capsys):
    with pytest.raises(BackendError, match="cannot load a Hugging Face model"):
        TransformersBackend(str(tmp_path))
    sheet = tmp_path / "s.json"
    sheet.write_text(make_sheet([{"text": TEXTS[0]}]).model_dump_json(), encoding="utf-8")
    code = main(["diff", str(sheet), str(sheet), "-o", str(tmp_path), "--backend", "transformers", "--model", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
