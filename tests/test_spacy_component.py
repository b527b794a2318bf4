"""The spaCy component: span groups and attributes agree with the task sheet, with the character
and the jieba tokenizer, across processes, pickling and Doc serialisation."""
from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import MINI_SPEECH, SHIPPED_RULES, SPEECHES

spacy = pytest.importorskip("spacy")

from spacy import displacy  # noqa: E402
from spacy.tokens import Doc, DocBin  # noqa: E402

from speech_tasks import rules  # noqa: E402
from speech_tasks.models import TaskSheet  # noqa: E402
from speech_tasks.pipeline import extract_text  # noqa: E402
from speech_tasks.spacy_component import SPAN_KEYS, SpeechTasks  # noqa: E402

SAMPLES = sorted(SPEECHES.glob("*.txt"))
SEGMENTERS = ["char", pytest.param("jieba", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("jieba") is None, reason="jieba not installed"))]


def pipeline(**config) -> spacy.Language:
    nlp = spacy.blank("zh")
    nlp.add_pipe("speech_tasks", config=config)
    return nlp


@pytest.fixture(scope="module")
def char_nlp():
    return pipeline(meeting_date="2026-03-02")


def expected_groups(sheet: TaskSheet) -> dict[str, set]:
    """What each span group must hold, straight from the sheet: (span, label, kb_id)."""
    return {
        "tasks": {(tuple(t.span), t.kind, "") for t in sheet.tasks},
        "units": {(tuple(u.span), u.role, u.name) for t in sheet.tasks for u in t.units},
        "deadlines": {(tuple(d.span), d.kind, "") for t in sheet.tasks for d in t.deadlines},
        "sectors": {(tuple(m.span), m.sector, "") for t in sheet.tasks for m in t.sector_mentions},
    }


def owners(sheet: TaskSheet) -> dict[str, dict[str, set]]:
    """The ids of the tasks that list each mention, per group (a span's id must be one of them)."""
    out: dict[str, dict] = {k: {} for k in SPAN_KEYS}
    for t in sheet.tasks:
        out["tasks"].setdefault((tuple(t.span), t.kind, ""), set()).add(t.id)
        for u in t.units:
            out["units"].setdefault((tuple(u.span), u.role, u.name), set()).add(t.id)
        for d in t.deadlines:
            out["deadlines"].setdefault((tuple(d.span), d.kind, ""), set()).add(t.id)
        for m in t.sector_mentions:
            out["sectors"].setdefault((tuple(m.span), m.sector, ""), set()).add(t.id)
    return out


def test_the_factory_is_found_through_the_entry_point_in_a_fresh_process():
    code = textwrap.dedent("""
        import spacy
        nlp = spacy.blank("zh")
        nlp.add_pipe("speech_tasks")
        doc = nlp(open(SPEECH, encoding="utf-8").read())
        print(nlp.pipe_names, len(doc._.task_sheet.tasks), len(doc.spans["units"]))
    """).replace("SPEECH", repr(str(SAMPLES[0])))
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    sheet = extract_text(SAMPLES[0].read_text(encoding="utf-8"))
    units = {(tuple(u.span), u.role, u.name) for t in sheet.tasks for u in t.units}
    assert run.stdout.split() == ["['speech_tasks']", str(len(sheet.tasks)), str(len(units))]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem[:3])
def test_span_groups_are_the_sheet_with_the_character_tokenizer(char_nlp, path):
    text = path.read_text(encoding="utf-8")
    doc = char_nlp(text)
    sheet = doc._.task_sheet
    assert sheet == extract_text(text, meeting_date=sheet.meeting.date)
    expected, owning = expected_groups(sheet), owners(sheet)
    for key in SPAN_KEYS:
        spans = doc.spans[key]
        got = {((s.start_char, s.end_char), s.label_, s.kb_id_) for s in spans}
        assert got == expected[key], key
        assert len(spans) == len(got)  # one span per mention
        assert all(s.id_ in owning[key][((s.start_char, s.end_char), s.label_, s.kb_id_)] for s in spans)
        assert all(s._.task.id == s.id_ for s in spans)


def test_span_attributes(char_nlp):
    doc = char_nlp(MINI_SPEECH)
    sheet = doc._.task_sheet
    units = {(u.text, u.role): u for t in sheet.tasks for u in t.units}
    for s in doc.spans["units"]:
        u = units[(s.text, s.label_)]
        assert (s.kb_id_, s._.generic, s._.known, s._.inherited) == (u.name, u.generic, u.known, u.inherited)
    dues = [(s.text, s.label_, s._.due, s._.approx) for s in doc.spans["deadlines"]]
    assert dues == [("年底前", "date", "2026-12-31", True)]
    assert [(s.label_, s._.task.number) for s in doc.spans["tasks"]] == [(t.kind, t.number) for t in sheet.tasks]


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_spans_expand_to_token_boundaries(segmenter):
    nlp = pipeline(segmenter=segmenter)
    text = SAMPLES[3].read_text(encoding="utf-8")
    doc = nlp(text)
    expected = expected_groups(doc._.task_sheet)
    for key in SPAN_KEYS:
        spans = doc.spans[key]
        assert spans, key
        for s in spans:
            # every span covers a mention of the sheet and ends on token boundaries
            assert any(s.start_char <= a and b <= s.end_char and s.label_ == label and s.kb_id_ == kb
                       for (a, b), label, kb in expected[key])
            assert s.start_char == doc[s.start].idx and s.end_char == doc[s.end - 1].idx + len(doc[s.end - 1])


@pytest.mark.skipif(__import__("importlib").util.find_spec("jieba") is None, reason="jieba not installed")
@pytest.mark.parametrize("word", ["市安委办", "融媒体中心", "宣传部"])
def test_jieba_segmenter_loads_the_shipped_user_dictionary(word):
    nlp = pipeline(segmenter="jieba")
    assert type(nlp.tokenizer).__name__ == "JiebaTokenizer"
    assert word in [t.text for t in nlp(f"请{word}抓好落实。")]


def test_displacy_highlights_a_span_group(char_nlp):
    doc = char_nlp(MINI_SPEECH)
    html = displacy.render(doc, style="span", options={"spans_key": "units"})
    for s in doc.spans["units"]:
        assert s.label_ in html and s.kb_id_ in html


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_pipe_on_two_processes_gives_what_one_process_gives(segmenter):
    nlp = pipeline(segmenter=segmenter, meeting_date="2026-03-02")
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES[:3]] + ["  \n"]

    def view(doc: Doc):
        spans = {k: [(s.start, s.end, s.label_, s.id_, s.kb_id_, s._.due, s._.generic) for s in doc.spans[k]] for k in SPAN_KEYS}
        return doc._.task_sheet, spans

    many = [view(d) for d in nlp.pipe(texts, n_process=2, batch_size=1)]
    assert many == [view(d) for d in nlp.pipe(texts)]
    assert many[-1] == (None, {k: [] for k in SPAN_KEYS})  # whitespace only: no sheet, no spans


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_the_pipeline_and_the_component_pickle(segmenter):
    nlp = pipeline(segmenter=segmenter, meeting_date="2026-03-02")
    again = pickle.loads(pickle.dumps(nlp))
    assert [t.text for t in again("市安委办要抓好落实")] == [t.text for t in nlp("市安委办要抓好落实")]
    component = pickle.loads(pickle.dumps(nlp.get_pipe("speech_tasks")))
    assert isinstance(component, SpeechTasks) and component.meeting_date == nlp.get_pipe("speech_tasks").meeting_date
    assert again(MINI_SPEECH)._.task_sheet == nlp(MINI_SPEECH)._.task_sheet


@pytest.mark.parametrize("how", ["to_bytes", "DocBin"])
def test_serialised_docs_keep_the_sheet_and_the_spans(char_nlp, how):
    doc = char_nlp(MINI_SPEECH)
    if how == "to_bytes":
        back = Doc(char_nlp.vocab).from_bytes(doc.to_bytes())
    else:
        data = DocBin(docs=[doc], store_user_data=True).to_bytes()
        (back,) = DocBin().from_bytes(data).get_docs(spacy.blank("zh").vocab)
    assert back._.task_sheet == doc._.task_sheet
    for key in SPAN_KEYS:
        assert [(s.text, s.label_, s.id_, s.kb_id_, s._.due, s._.generic) for s in back.spans[key]] == \
               [(s.text, s.label_, s.id_, s.kb_id_, s._.due, s._.generic) for s in doc.spans[key]]


@pytest.mark.parametrize("prefix, newline", [("", "\r\n"), ("\ufeff", "\n"), ("\ufeff", "\r")])
def test_spans_point_into_the_doc_when_the_text_has_a_bom_or_crlf(char_nlp, prefix, newline):
    doc = char_nlp(prefix + MINI_SPEECH.replace("\n", newline))
    plain = char_nlp(MINI_SPEECH)
    for key in SPAN_KEYS:
        assert [s.text for s in doc.spans[key]] == [s.text.replace("\n", newline) for s in plain.spans[key]]


@pytest.mark.parametrize(
    "config, message",
    [
        ({"segmenter": "pkuseg"}, "segmenter 'pkuseg' unknown"),
        ({"meeting_date": "2026-13-01"}, "meeting_date '2026-13-01' is not an ISO date"),
        ({"rules": "/no/such/rules"}, "rules folder /no/such/rules not found"),
    ],
)
def test_bad_config_is_one_clear_error(config, message):
    with pytest.raises(ValueError, match=message):
        pipeline(**config)


def test_a_rules_folder_in_the_config_is_used(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, folder)
    units = folder / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8").replace("  - name: 住房和城乡建设局\n", "  - name: 住房城乡建设委\n"), encoding="utf-8")
    try:
        doc = pipeline(rules=str(folder))(MINI_SPEECH)
        assert rules.rules_dir() == folder
        assert "市住房城乡建设委" in [s.kb_id_ for s in doc.spans["units"]]
    finally:
        rules.use_directory(None)


@pytest.mark.parametrize("segmenter", SEGMENTERS)
def test_a_saved_pipeline_loads_with_its_component_and_tokenizer(tmp_path, segmenter):
    nlp = pipeline(segmenter=segmenter, meeting_date="2026-03-02")
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == ["speech_tasks"]
    assert type(loaded.tokenizer) is type(nlp.tokenizer)
    doc, expected = loaded(MINI_SPEECH), nlp(MINI_SPEECH)
    assert [t.text for t in doc] == [t.text for t in expected]
    assert doc._.task_sheet == expected._.task_sheet


def test_annotate_with_a_changed_sheet_changes_the_doc(char_nlp):
    from speech_tasks.spacy_component import annotate

    doc = char_nlp(MINI_SPEECH)
    assert doc._.task_sheet is doc._.task_sheet  # parsed once
    kept = doc._.task_sheet.model_copy(update={"tasks": doc._.task_sheet.tasks[:1]})
    annotate(doc, kept)
    assert doc._.task_sheet == kept
    assert [s.id_ for s in doc.spans["tasks"]] == [kept.tasks[0].id]
    assert {s.id_ for k in SPAN_KEYS for s in doc.spans[k]} == {kept.tasks[0].id}
