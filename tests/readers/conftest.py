"""Build the same speech as each kind of file a clerk receives, and compare the sheets."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "speeches" / "000_742e7b63984abebe.txt"  # 一、 sections, 一要 items
STYLES = REPO / "tests" / "fixtures"
THREE_LEVELS = STYLES / "styles2" / "speeches" / "a_yi_paren_inline.txt"  # 一、 （一） 1.
CIRCLED = STYLES / "styles2" / "speeches" / "e_docx_circled.txt"  # 一、 （一） ①
PAREN_TOP = STYLES / "styles" / "speeches" / "a_paren_top.txt"  # （一） 1. （1）

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# typed marker → (list, level, Word number format, lvlText); list "items" is a list of its own
LEVELS = [
    (re.compile(r"([一二三四五六七八九十]+)、"), "outline", 0, "chineseCounting", "%1、"),
    (re.compile(r"（([一二三四五六七八九十]+)）"), "outline", 1, "chineseCounting", "（%2）"),
    (re.compile(r"(\d+)\."), "outline", 2, "decimal", "%3."),
    (re.compile(r"（(\d+)）"), "outline", 3, "decimal", "（%4）"),
    (re.compile(r"([①-⑳])"), "outline", 4, "decimalEnclosedCircle", "%5"),
    (re.compile(r"([一二三四五六七八九十]+)要"), "items", 0, "chineseCounting", "%1要"),
]
HEADING_STYLE = "SpeechHeading"  # level 0 of the outline list comes from this paragraph style


def _value(token: str) -> int:
    from speech_tasks.numerals import parse

    if "①" <= token <= "⑳":
        return ord(token) - ord("①") + 1
    return parse(token)


def marker_lines(text: str) -> int:
    """Lines of *text* that open with a list marker the numbered .docx draws from numbering."""
    return sum(1 for line in text.split("\n") if any(p.match(line) for p, *_ in LEVELS))


def plain_docx(path: Path, text: str) -> Path:
    """The speech as a .docx with its markers typed: one paragraph per line."""
    from docx import Document

    document = Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(path)
    return path


def numbered_docx(path: Path, text: str) -> Path:
    """The speech as a .docx whose list markers come from Word's numbering, not typed.

    Level 0 of the outline list is numbered through a paragraph style; the other levels through
    the paragraph's own numPr. A list that restarts where Word would continue (the 一要 items of
    each section) gets a new list instance with a startOverride, as Word makes it.
    """
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml

    document = Document()
    numbering = document.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    abstract_ids = {"outline": 10, "items": 11}
    for name, aid in abstract_ids.items():
        levels = "".join(
            f'<w:lvl w:ilvl="{lvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{lvl_text}"/><w:suff w:val="nothing"/></w:lvl>'
            for _, lst, lvl, fmt, lvl_text in LEVELS
            if lst == name
        )
        numbering.append(parse_xml(f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{aid}">{levels}</w:abstractNum>'))
    next_num = [1]

    def new_num(list_name: str, overrides: dict[int, int]) -> str:
        num_id = str(next_num[0])
        next_num[0] += 1
        over = "".join(
            f'<w:lvlOverride w:ilvl="{lvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            for lvl, start in overrides.items()
        )
        numbering.append(
            parse_xml(
                f'<w:num xmlns:w="{W}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_ids[list_name]}"/>{over}</w:num>'
            )
        )
        return num_id

    current = {name: new_num(name, {}) for name in abstract_ids}
    base_outline = current["outline"]
    style = document.styles.add_style(HEADING_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="0"/><w:numId w:val="{base_outline}"/></w:numPr>')
    )
    counters = {name: [0] * 9 for name in abstract_ids}  # what Word will draw, to know when to restart
    for line in text.split("\n"):
        for pattern, name, lvl, _, _ in LEVELS:
            m = pattern.match(line)
            if m:
                break
        else:
            document.add_paragraph(line)
            continue
        value = _value(m.group(1))
        c = counters[name]
        if c[lvl] + 1 != value:
            current[name] = new_num(name, {lvl: value})
        c[lvl] = value
        c[lvl + 1:] = [0] * (8 - lvl)
        body = line[m.end():]
        if name == "outline" and lvl == 0 and current[name] == base_outline:
            document.add_paragraph(body, style=HEADING_STYLE)
            continue
        p = document.add_paragraph(body)
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr xmlns:w="{W}"><w:ilvl w:val="{lvl}"/><w:numId w:val="{current[name]}"/></w:numPr>')
        )
    document.save(path)
    return path


def add_running_lines(docx_path: Path, header: str = "某市安全生产委员会办公室") -> Path:
    """Give every page of the .docx a running header and a "- N -" page-number footer."""
    from docx import Document
    from docx.oxml import parse_xml

    document = Document(docx_path)
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    footer.add_run("- ")
    footer._p.append(parse_xml(f'<w:fldSimple xmlns:w="{W}" w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer.add_run(" -")
    document.save(docx_path)
    return docx_path


def gongwen(docx_path: Path) -> Path:
    """Lay the .docx out as a 公文: 16 pt, justified, paragraphs indented by two characters."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = Document(docx_path)
    normal = document.styles["Normal"]
    normal.font.size = Pt(16)
    normal.paragraph_format.first_line_indent = Pt(32)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    document.save(docx_path)
    return docx_path


def soffice_convert(source: Path, fmt: str, out_dir: Path) -> Path:
    """*source* converted by LibreOffice to *fmt* (pdf, doc, rtf, odt) in *out_dir*."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = out_dir / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    return out_dir / f"{source.stem}.{fmt.split(':')[0]}"


def essentials(sheet) -> dict:
    """What must not depend on the file format: outline, tasks with markers, titles, units and
    deadlines. Texts are compared without whitespace (a PDF's line breaks), spans not at all."""
    def squeeze(s: str | None) -> str | None:
        return None if s is None else re.sub(r"\s+", "", s)

    return {
        "meeting": (squeeze(sheet.meeting.name), sheet.meeting.date),
        "outline": [(o.marker, squeeze(o.title)) for o in sheet.outline],
        "tasks": [
            {
                "number": t.number,
                "path": t.path,
                "kind": t.kind,
                "marker": t.marker,
                "title": squeeze(t.title),
                "text": squeeze(t.text),
                "units": [(u.name, u.role, u.generic, u.inherited) for u in t.units],
                "deadlines": [(squeeze(d.text), d.kind, d.due) for d in t.deadlines],
                "sectors": t.sectors,
            }
            for t in sheet.tasks
        ],
        "non_tasks": len(sheet.non_tasks),
    }
