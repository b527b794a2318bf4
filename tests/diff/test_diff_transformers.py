"""The transformers backend on tiny BERTs the tests build and save themselves, in the plain Hugging
Face layout and the sentence-transformers layout (nothing is downloaded)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from .conftest import make_sheet

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from speech_tasks.cli import main  # noqa: E402
from speech_tasks.diff.embeddings import POOLING_KEYS, TransformersBackend, pool, read_layout  # noqa: E402
from speech_tasks.diff.similarity import BackendError  # noqa: E402

TEXTS = [
    "严查重型货车超限超载和拖拉机违法载人。",
    "对商场市场等人员密集场所开展消防检查。",
    "排查餐饮场所液化石油气钢瓶和燃气报警装置。",
]


def save_bert(path, seed: int = 0):
    """A randomly initialised two-layer BERT over the characters of TEXTS, with its tokenizer."""
    path.mkdir(parents=True, exist_ok=True)
    chars = sorted({c for t in TEXTS for c in t})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizer(str(path / "vocab.txt"))
    torch.manual_seed(seed)
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128,
    )
    transformers.BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def save_sentence_transformers(path, modes: list[str], transformer_path: str = "", normalize: bool = True,
                               extra: list[dict] = ()):
    """The sentence-transformers layout: modules.json, the model at *transformer_path*, 1_Pooling."""
    save_bert(path / transformer_path)
    (path / transformer_path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64}))
    (path / "1_Pooling").mkdir(parents=True)
    (path / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": 32, **{key: mode in modes for mode, key in POOLING_KEYS.items()}}))
    modules = [
        {"idx": 0, "name": "0", "path": transformer_path, "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    if normalize:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
        (path / "2_Normalize").mkdir()
    (path / "modules.json").write_text(json.dumps([*modules, *extra]))
    return path


@pytest.fixture(scope="module")
def plain_model(tmp_path_factory):
    return save_bert(tmp_path_factory.mktemp("plain-bert"))


@pytest.fixture(scope="module")
def st_model(tmp_path_factory):
    """bge-small-zh's layout: CLS pooling, Normalize, the model files at the top."""
    return save_sentence_transformers(tmp_path_factory.mktemp("st-bert"), ["cls"])


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def reference(model_dir, text: str, mode: str):
    """The sentence vector by the definition of *mode*, from one unpadded text, normalised."""
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    model = transformers.AutoModel.from_pretrained(model_dir).eval()
    with torch.no_grad():
        h = model(**tok(text, return_tensors="pt")).last_hidden_state[0]
    w = torch.arange(1, len(h) + 1, dtype=h.dtype).unsqueeze(-1)
    vec = {
        "cls": h[0], "mean": h.mean(0), "max": h.max(0).values, "mean_sqrt_len": h.sum(0) / len(h) ** 0.5,
        "weightedmean": (h * w).sum(0) / w.sum(), "lasttoken": h[-1],
    }[mode]
    return torch.nn.functional.normalize(vec, dim=0).numpy()


@pytest.mark.parametrize(
    "layout, expected",
    [
        ({}, ("", ("mean",), "default", None)),  # plain Hugging Face directory (text2vec-style)
        ({"modes": ["cls"]}, ("", ("cls",), "1_Pooling/config.json", 64)),  # bge-small-zh
        ({"modes": ["mean"], "transformer_path": "0_Transformer", "normalize": False},
         ("0_Transformer", ("mean",), "1_Pooling/config.json", 64)),  # older sentence-transformers
        ({"modes": ["cls", "mean"]}, ("", ("cls", "mean"), "1_Pooling/config.json", 64)),
    ],
)
def test_layout_is_read_from_the_directory(tmp_path, layout, expected):
    if layout:
        save_sentence_transformers(tmp_path, **layout)
    else:
        (tmp_path / "config.json").write_text("{}")
    got = read_layout(tmp_path)
    model_dir, modes, source, max_length = expected
    assert got.model_dir == tmp_path / model_dir
    assert (got.pooling, got.max_length) == (modes, max_length)
    assert got.pooling_from == (str(tmp_path / source) if source != "default" else "default")
    assert read_layout(tmp_path, "max").pooling == ("max",)  # --pooling overrides


@pytest.mark.parametrize(
    "modules, pooling_config, message",
    [
        ([{"type": "sentence_transformers.models.Dense", "path": "2_Dense"}], None, "Dense is not supported"),
        ([], {"pooling_mode_cls_token": False}, "no pooling_mode_"),
        ("not json", None, "cannot read"),
        ([{"type": "sentence_transformers.models.Pooling", "path": "1_Pooling"}], {"pooling_mode_mean_tokens": True},
         "no Transformer module"),
    ],
)
def test_a_layout_that_cannot_be_used_is_one_clear_error(tmp_path, modules, pooling_config, message):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling_config or {"pooling_mode_mean_tokens": True}))
    if isinstance(modules, str):
        (tmp_path / "modules.json").write_text(modules)
    else:
        if not any(m["type"].endswith("Pooling") for m in modules):
            modules = [{"type": "sentence_transformers.models.Transformer", "path": ""},
                       {"type": "sentence_transformers.models.Pooling", "path": "1_Pooling"}, *modules]
        (tmp_path / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(BackendError, match=message):
        read_layout(tmp_path)


@pytest.mark.parametrize("mode", list(POOLING_KEYS))
def test_each_pooling_mode_matches_its_definition_in_both_layouts(tmp_path, plain_model, mode):
    st = save_sentence_transformers(tmp_path, [mode])
    for backend in (TransformersBackend(st), TransformersBackend(plain_model, pooling=mode)):
        assert backend.layout.pooling == (mode,)
        got = backend.embed(TEXTS[:2])
        for row, text in zip(got, TEXTS[:2]):
            assert row == pytest.approx(reference(backend.layout.model_dir, text, mode), abs=1e-5)


def test_the_plain_layout_mean_pools_by_default(plain_model):
    backend = TransformersBackend(plain_model)
    assert backend.layout.pooling_from == "default"
    assert backend.embed([TEXTS[0]])[0] == pytest.approx(reference(plain_model, TEXTS[0], "mean"), abs=1e-5)


@pytest.mark.parametrize("mode", list(POOLING_KEYS))
def test_padding_in_a_batch_changes_no_embedding(plain_model, mode):
    backend = TransformersBackend(plain_model, pooling=mode, batch_size=4)
    alone = [TransformersBackend(plain_model, pooling=mode).embed([t])[0] for t in (TEXTS[0][:5], TEXTS[1])]
    batched = backend.embed([TEXTS[0][:5], TEXTS[1]])  # the short text is padded in this batch
    assert batched == pytest.approx(np.stack(alone), abs=1e-5)


def test_pooling_ignores_padding_on_the_left_too():
    hidden = torch.arange(12, dtype=torch.float32).reshape(1, 4, 3).repeat(2, 1, 1)
    mask = torch.tensor([[1, 1, 0, 0], [0, 0, 1, 1]])
    out = pool(hidden, mask, ["lasttoken", "mean"])
    assert out[0].tolist() == [3, 4, 5, 1.5, 2.5, 3.5]
    assert out[1].tolist() == [9, 10, 11, 7.5, 8.5, 9.5]


def test_embeddings_are_normalised_and_batched_in_any_order(st_model):
    backend = TransformersBackend(st_model, batch_size=2)
    m = backend.matrix(TEXTS, TEXTS, [])
    assert m.shape == (3, 3)
    assert m.diagonal() == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    assert ((m >= 0) & (m <= 1)).all()
    assert backend.embed(TEXTS[::-1]) == pytest.approx(backend.embed(TEXTS)[::-1])
    assert backend.embed([]).shape == (0, 32)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is available here")
@pytest.mark.parametrize("device, message", [("cuda", "no CUDA device available"), ("tpu", "not a device|only cpu and cuda")])
def test_a_device_that_is_not_there_is_one_clear_line(plain_model, tmp_path, capsys, device, message):
    with pytest.raises(BackendError, match=message):
        TransformersBackend(plain_model, device=device)
    sheet = tmp_path / "s.json"
    sheet.write_text(make_sheet([{"text": TEXTS[0]}]).model_dump_json(), encoding="utf-8")
    code = main(["diff", str(sheet), str(sheet), "-o", str(tmp_path), "--backend", "transformers",
                 "--model", str(plain_model), "--device", device])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("layout", ["plain", "sentence-transformers"])
def test_diff_command_runs_with_the_transformers_backend(plain_model, st_model, tmp_path, capsys, layout):
    model = plain_model if layout == "plain" else st_model
    sheet = make_sheet([{"text": t} for t in TEXTS])
    for name in ("a", "b"):
        (tmp_path / f"{name}.json").write_text(sheet.model_dump_json(), encoding="utf-8")
    code = main(["diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-o", str(tmp_path / "out"),
                 "--format", "json", "--backend", "transformers", "--model", str(model)])
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


def test_an_unknown_pooling_mode_is_one_clear_line(plain_model, tmp_path, capsys):
    sheet = tmp_path / "s.json"
    sheet.write_text(make_sheet([{"text": TEXTS[0]}]).model_dump_json(), encoding="utf-8")
    code = main(["diff", str(sheet), str(sheet), "-o", str(tmp_path), "--backend", "transformers",
                 "--model", str(plain_model), "--pooling", "median"])
    err = capsys.readouterr().err
    assert code == 1 and "pooling 'median' unknown" in err and len(err.strip().splitlines()) == 1
