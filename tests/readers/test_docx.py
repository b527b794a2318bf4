"""The .docx reader: Word's numbering labels, tables, text boxes, and files it refuses."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from speech_tasks.ingest import IngestError, read_file
from speech_tasks.readers import config
from speech_tasks.readers.docx import format_number

from .conftest import W


@pytest.mark.parametrize(
    ("n", "fmt", "label"),
    [
        (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCounting", "十一"),
        (20, "chineseCounting", "二十"), (21, "chineseCounting", "二十一"), (105, "chineseCounting", "一百零五"),
        (110, "chineseCountingThousand", "一百一十"), (12, "chineseCountingThousand", "十二"),
        (1000, "chineseCountingThousand", "一千"), (2, "taiwaneseCountingThousand", "二"),
        (10, "chineseLegalSimplified", "壹拾"), (3, "chineseLegalSimplified", "叁"),
        (1, "ideographTraditional", "甲"), (10, "ideographTraditional", "癸"), (11, "ideographTraditional", "甲"),
        (1, "ideographZodiac", "子"), (2023, "ideographDigital", "二〇二三"),
        (1, "decimalEnclosedCircle", "①"), (20, "decimalEnclosedCircleChinese", "⑳"), (21, "decimalEnclosedCircle", "21"),
        (3, "decimalEnclosedParen", "⑶"), (2, "decimalEnclosedFullstop", "⒉"), (12, "decimalFullWidth", "１２"),
        (5, "decimalZero", "05"), (4, "upperRoman", "IV"), (14, "lowerRoman", "xiv"), (27, "lowerLetter", "aa"),
        (3, "upperLetter", "C"), (7, "decimal", "7"), (7, "someFutureFormat", "7"),
    ],
)
def test_number_formats(n, fmt, label):
    assert format_number(n, fmt) == label


def lvl(ilvl: int, fmt: str, text: str, start: int = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>'
    )


def num(num_id: int, abstract: int, overrides: str = "") -> str:
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>{overrides}</w:num>'


def restart(ilvl: int, start: int) -> str:
    return f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'


OUTLINE = (  # abstract 1: 一、 / （一） / 1.
    '<w:abstractNum w:abstractNumId="1">'
    + lvl(0, "chineseCounting", "%1、") + lvl(1, "chineseCounting", "（%2）") + lvl(2, "decimal", "%3.")
    + "</w:abstractNum>"
)


def build(path: Path, numbering: str, paragraphs: list[tuple], styles: str = "") -> Path:
    """A .docx with *numbering* (abstractNum and num elements) and paragraphs given as
    (text, numId, ilvl, style); None leaves the property out."""
    from docx import Document
    from docx.oxml import parse_xml

    document = Document()
    root = document.part.numbering_part.element
    for child in list(root):
        root.remove(child)
    for el in parse_xml(f'<w:numbering xmlns:w="{W}">{numbering}</w:numbering>'):
        root.append(el)
    if styles:
        for el in parse_xml(f'<w:styles xmlns:w="{W}">{styles}</w:styles>'):
            document.styles.element.append(el)
    for text, num_id, ilvl, style in paragraphs:
        props = f'<w:pStyle w:val="{style}"/>' if style else ""
        if num_id is not None:
            props += "<w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "")
            props += f'<w:numId w:val="{num_id}"/></w:numPr>'
        document.element.body.insert(
            len(document.element.body) - 1,
            parse_xml(f'<w:p xmlns:w="{W}"><w:pPr>{props}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'),
        )
    document.save(path)
    return path


def P(text: str, num_id: int | None = 1, ilvl: int | None = 0, style: str | None = None) -> tuple:
    return (text, num_id, ilvl, style)


NUMBERED_STYLES = (
    '<w:style w:type="paragraph" w:styleId="H1"><w:name w:val="H1"/>'
    '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="H1b"><w:name w:val="H1b"/><w:basedOn w:val="H1"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="H2"><w:name w:val="H2"/>'
    '<w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
)


@pytest.mark.parametrize(
    ("numbering", "paragraphs", "lines"),
    [
        pytest.param(
            OUTLINE + num(1, 1),
            [P("形势", 1, 0), P("燃气", 1, 1), P("排查", 1, 2), P("整治", 1, 2), P("消防", 1, 1), P("排查", 1, 2), P("责任", 1, 0), P("属地", 1, 1)],
            ["一、形势", "（一）燃气", "1.排查", "2.整治", "（二）消防", "1.排查", "二、责任", "（一）属地"],
            id="levels-restart-deeper-ones",
        ),
        pytest.param(
            OUTLINE + num(1, 1),
            [P("形势"), P("正文", None, None), P("责任"), P("", 1, 0), P("落实")],
            ["一、形势", "正文", "二、责任", "三、", "四、落实"],
            id="plain-paragraphs-between-and-empty-item",
        ),
        pytest.param(
            '<w:abstractNum w:abstractNumId="2">' + lvl(0, "decimal", "%1.", start=3)
            + lvl(1, "decimal", "%1.%2", extra='<w:suff w:val="space"/>') + "</w:abstractNum>" + num(1, 2),
            [P("甲"), P("乙", 1, 1), P("丙", 1, 1), P("丁")],
            ["3.甲", "3.1 乙", "3.2 丙", "4.丁"],
            id="start-and-two-levels-in-one-label",
        ),
        pytest.param(
            '<w:abstractNum w:abstractNumId="3">' + lvl(0, "chineseCounting", "%1要") + "</w:abstractNum>"
            + num(1, 3) + num(2, 3, restart(0, 1)) + num(3, 3),
            [P("压实", 1), P("排查", 1), P("执法", 2), P("宣传", 2), P("演练", 3)],
            ["一要压实", "二要排查", "一要执法", "二要宣传", "三要演练"],
            id="startOverride-restarts-a-list-others-continue",
        ),
        pytest.param(
            '<w:abstractNum w:abstractNumId="4">' + lvl(0, "decimal", "%1、")
            + lvl(1, "decimalEnclosedCircle", "%2", extra='<w:lvlRestart w:val="0"/>') + "</w:abstractNum>" + num(1, 4),
            [P("甲", 1, 0), P("乙", 1, 1), P("丙", 1, 0), P("丁", 1, 1)],
            ["1、甲", "①乙", "2、丙", "②丁"],
            id="lvlRestart-0-never-restarts",
        ),
        pytest.param(
            '<w:abstractNum w:abstractNumId="5">' + lvl(0, "chineseCounting", "%1、")
            + lvl(1, "chineseCounting", "%1.%2", extra="<w:isLgl/>") + "</w:abstractNum>" + num(1, 5),
            [P("甲", 1, 0), P("乙", 1, 1)],
            ["一、甲", "1.1 乙"],
            id="isLgl-writes-decimal",
        ),
        pytest.param(
            '<w:abstractNum w:abstractNumId="6">' + lvl(0, "bullet", "\uf0b7") + lvl(1, "none", "") + "</w:abstractNum>" + num(1, 6),
            [P("甲", 1, 0), P("乙", 1, 1)],
            ["甲", "乙"],
            id="bullets-and-none-draw-no-label",
        ),
        pytest.param(
            '<w:abstractNum w:abstractNumId="7">' + lvl(0, "chineseCounting", "第%1章") + lvl(1, "ideographTraditional", "%2.")
            + "</w:abstractNum>" + num(1, 7),
            [P("总则"), P("目标", 1, 1), P("任务", 1, 1)],
            ["第一章总则", "甲.目标", "乙.任务"],
            id="chinese-label-and-heavenly-stems",
        ),
        pytest.param(
            OUTLINE + num(1, 1),
            [P("形势", None, None, "H1"), P("燃气", None, None, "H2"), P("消防", None, None, "H2"),
             P("责任", None, None, "H1b"), P("不编号", 0, 0, "H1"), P("落实", None, None, "H1")],
            ["一、形势", "（一）燃气", "（二）消防", "二、责任", "不编号", "三、落实"],
            id="numbering-from-styles-basedOn-and-numId-0",
        ),
        pytest.param(
            OUTLINE.replace('<w:lvlText w:val="（%2）"/>', '<w:lvlText w:val="（%2）"/><w:pStyle w:val="H2b"/>') + num(1, 1),
            [P("形势", None, None, "H1"), P("燃气", None, None, "H2b")],
            ["一、形势", "（一）燃气"],
            id="level-named-by-its-paragraph-style",
        ),
        pytest.param(
            OUTLINE + num(1, 1) + num(2, 1, '<w:lvlOverride w:ilvl="0"><w:lvl w:ilvl="0"><w:start w:val="5"/>'
                                         '<w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl></w:lvlOverride>'),
            [P("甲", 2, 0), P("乙", 2, 0)],
            ["V.甲", "VI.乙"],
            id="level-overridden-by-the-list",
        ),
        pytest.param(
            OUTLINE + num(1, 1),
            [P("甲", 9), P("乙", 1, 7)],
            ["甲", "乙"],
            id="unknown-list-or-level-draws-nothing",
        ),
    ],
)
def test_word_numbering_is_drawn(tmp_path, numbering, paragraphs, lines):
    styles = NUMBERED_STYLES + (
        '<w:style w:type="paragraph" w:styleId="H2b"><w:name w:val="H2b"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
    )
    doc = read_file(build(tmp_path / "s.docx", numbering, paragraphs, styles))
    assert doc.source.split("\n") == lines
    assert doc.details["numbering_rendered"] == sum(a != b for a, b in zip(lines, (p[0] for p in paragraphs)))


def test_tables_row_by_row_and_text_boxes_once(tmp_path):
    from docx import Document
    from docx.oxml import parse_xml

    document = Document()
    document.add_paragraph("会前说明。")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "任务", "牵头单位"], ["1", "燃气整治", "市住建局"], ["2", "消防检查", ""]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(2, 1).merge(table.cell(2, 2))
    table.cell(2, 1).text = "消防检查"
    nested = table.cell(1, 2).add_table(rows=1, cols=1)
    nested.cell(0, 0).text = "市应急局配合"
    p = document.add_paragraph("正文段落。")
    box = (
        f'<w:r xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
        "<w:p><w:r><w:t>文本框里的要求。</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框里的要求。</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    p._p.append(parse_xml(box))
    document.add_paragraph("结束。")
    document.sections[0].footer.paragraphs[0].text = "页脚"
    path = tmp_path / "s.docx"
    document.save(path)
    doc = read_file(path)
    assert doc.source.split("\n") == [
        "会前说明。",
        "序号\t任务\t牵头单位",
        "1\t燃气整治\t市住建局 市应急局配合",
        "2\t消防检查",
        "正文段落。",
        "文本框里的要求。",
        "结束。",
    ]
    assert (doc.details["table_rows"], doc.details["text_boxes"]) == (3, 1)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _bomb(path: Path) -> None:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/padding.bin", b"\0" * (40 * 2**20))
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        pytest.param(
            lambda p: p.write_bytes(OLE + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 500),
            "password-protected (encrypted) .docx",
            id="encrypted",
        ),
        pytest.param(_bomb, "unpacks to", id="zip-bomb"),
        pytest.param(lambda p: p.write_bytes(b"PK\x03\x04 truncated"), "corrupt .docx", id="truncated"),
    ],
)
def test_files_refused_with_one_line(tmp_path, make, problem):
    path = tmp_path / "speech.docx"
    make(path)
    with pytest.raises(IngestError) as e:
        read_file(path)
    assert problem in str(e.value) and "\n" not in str(e.value)


def test_unpacked_size_limit_is_configurable(tmp_path, monkeypatch):
    from docx import Document

    path = tmp_path / "speech.docx"
    document = Document()
    document.add_paragraph("同志们：今天开会。")
    document.save(path)
    assert read_file(path).source == "同志们：今天开会。"
    small = config.ReadersRules(docx=config.DocxRules(max_unpacked_mb=0.01))
    monkeypatch.setattr(config, "load", lambda: small)
    with pytest.raises(IngestError, match=r"more than the limit of 0.01 MB \(docx.max_unpacked_mb in rules/readers.yaml\)"):
        read_file(path)
