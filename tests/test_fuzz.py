"""Fuzz: any text through ingest, every stage and every writer gives readable files, spans that
point into the source, and no exception (issue 11).

Kept fast in CI (300 examples by default); ``benchmarks/fuzz.py`` runs it longer by setting
``SPEECH_TASKS_FUZZ_EXAMPLES``.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speech_tasks import export
from speech_tasks.ingest import IngestError, from_text
from speech_tasks.pipeline import extract_doc

EXAMPLES = int(os.environ.get("SPEECH_TASKS_FUZZ_EXAMPLES", "300"))

# pieces a speech is made of, plus what breaks writers and parsers
PIECES = [
    "一、", "二、", "三、", "（一）", "（二）", "一要", "二要", "三要", "一是", "二是", "第一，", "第二，", "1.", "2、", "①", "②",
    "首先，", "其次，", "最后，", "一方面，", "另一方面，", "燃气方面，", "道路交通安全。",
    "各地", "各有关部门", "市应急局", "市公安局", "县住建局", "各镇街", "**区", "牵头", "配合", "负责", "要", "必须",
    "由市应急局牵头，", "会同", "联合", "牵头单位：", "配合单位：", "等部门",
    "加强安全检查", "开展隐患排查整治", "落实主体责任", "今年以来，", "规定，",
    "年底前完成", "6月30日前", "春节前", "汛期", "每月", "立即", "2024年3月1日",
    "。", "，", "；", "：", "、", "！", "？", "“", "”", "（", "）", "\n", "\n\n", " ", "\u3000", "\t",
    "同志们，", "我就讲这些。", "谢谢大家",
    "=6*7", "+1", "-1", "@SUM(A1)", "<script>alert(1)</script>", "&amp;", "|", "*", "#", "{{ x }}",
    "\f", "\x0b", "\x01", "\x08", "\x0e", "\x1f", "\ufffe", "\uffff", "\r", "\r\n", "\x85", "\u2028", "\ufeff",
]

texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=40).map("".join),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_any_text_through_every_stage_and_writer(text):
    try:
        doc = from_text(text, name="fuzz.txt")
    except IngestError:
        assert not text.replace("\ufeff", "", 1).strip() or not doc_text_without_controls(text).strip()
        return
    sheet = extract_doc(doc)
    n = len(doc.source)
    assert sheet.source.chars == n
    ids = {t.id for t in sheet.tasks}
    for task in sheet.tasks:
        assert 0 <= task.span[0] <= task.span[1] <= n
        assert task.parent is None or task.parent in ids
        for unit in task.units:
            assert 0 <= unit.span[0] <= unit.span[1] <= n
    with tempfile.TemporaryDirectory() as tmp:
        paths = export.write(sheet, Path(tmp), export.FORMATS, source_text=doc.source)
        assert sorted(p.name for p in Path(tmp).iterdir()) == sorted(p.name for p in paths)
        assert export.read_sheet(Path(tmp) / "fuzz.json") == sheet
        # written a task at a time, yet exactly pydantic's own JSON
        assert (Path(tmp) / "fuzz.json").read_bytes() == (sheet.model_dump_json(indent=2) + "\n").encode()


def doc_text_without_controls(text: str) -> str:
    import re

    return re.sub("[\x00-\x08\x0e-\x1b\x1f\ufffe\uffff\ud800-\udfff\ufeff]", "", text)
