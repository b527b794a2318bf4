"""任务分解表 as a Word document, laid out to go out as a 督办通知 attachment.

Landscape A4: "附件" label, the title from the meeting (方正小标宋简体, as official documents
use; Word substitutes a Song face where it is missing), a line saying where the tasks come
from, then the table with the columns of every export. The header row repeats on each page;
page numbers in the footer.
"""
from __future__ import annotations

from pathlib import Path

from ..fsutil import atomic_path
from ..models import TaskSheet
from . import columns as C
from .cells import clean
from .frame import Row, cell_text, table, title

BODY_FONT = "宋体"
TITLE_FONT = "方正小标宋简体"
LABEL_FONT = "黑体"
SUBTITLE_FONT = "楷体"
TABLE_PT = 9
HEADER_SHADE = "D9E2F3"
INDENT_CM = 0.3
PAGE_CM = (29.7, 21.0)
MARGIN_CM = 1.3
CELL_PADDING_CM = 0.08  # Word's default 0.19 cm per side wastes 5 cm over 14 columns
SMALL_PT = 7.5  # columns.SMALL: 任务编号 and 原文位置


def _font(run, name: str, size_pt: float, bold: bool = False) -> None:
    """Set a run's Latin and East Asian font (Word keeps them separately)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(doc, text: str, font: str, size_pt: float, align=None, bold: bool = False, after_pt: float = 0):
    from docx.shared import Pt

    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(after_pt)
    _font(p.add_run(clean(text)), font, size_pt, bold)
    return p


def _cell_style(doc, name: str, font: str, size_pt: float, center: bool = False):
    """A paragraph style for table cells: one style per kind of cell instead of per-run fonts."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.name = font
    style.font.size = Pt(size_pt)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if center:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return style


def _shade(cell, color: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), color)
    cell._tc.get_or_add_tcPr().append(shd)


def _cell_padding(grid, cm: float) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(Cm(cm).twips)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr = grid._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))  # the schema wants tblCellMar before tblLook
    if look is None:
        tbl_pr.append(margins)
    else:
        look.addprevious(margins)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in *paragraph*, updated by Word when shown."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def _footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("第 ")
    _field(p, "PAGE")
    p.add_run(" 页，共 ")
    _field(p, "NUMPAGES")
    p.add_run(" 页")


def _subtitle(sheet: TaskSheet, rows: list[Row]) -> str:
    parts = []
    if sheet.meeting.date:
        d = sheet.meeting.date
        parts.append(f"会议日期：{d.year}年{d.month}月{d.day}日")
    parts.append(f"来源：{sheet.source.file}")
    parts.append(f"共{len(rows)}项任务")
    return "　".join(parts)


def build(sheet: TaskSheet, rows: list[Row] | None = None):
    """The document (a python-docx ``Document``), not yet saved."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm

    rows = table(sheet) if rows is None else rows
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.left_margin = section.right_margin = Cm(MARGIN_CM)
    section.top_margin = section.bottom_margin = Cm(MARGIN_CM + 0.5)
    _footer(section)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc_title = clean(title(sheet))
    doc.core_properties.title = doc_title
    doc.core_properties.author = "speech-tasks"

    _paragraph(doc, "附件", LABEL_FONT, 16, after_pt=6)
    _paragraph(doc, doc_title, TITLE_FONT, 22, WD_ALIGN_PARAGRAPH.CENTER, after_pt=6)
    _paragraph(doc, _subtitle(sheet, rows), SUBTITLE_FONT, 12, WD_ALIGN_PARAGRAPH.CENTER, after_pt=10)

    styles = {
        "head": _cell_style(doc, "任务表表头", LABEL_FONT, TABLE_PT, center=True),
        "left": _cell_style(doc, "任务表正文", BODY_FONT, TABLE_PT),
        "center": _cell_style(doc, "任务表居中", BODY_FONT, TABLE_PT, center=True),
        "small": _cell_style(doc, "任务表小字", BODY_FONT, SMALL_PT, center=True),
    }
    grid = doc.add_table(rows=1 + len(rows), cols=len(C.COLUMNS))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _cell_padding(grid, CELL_PADDING_CM)
    widths = [Cm(w) for w in C.DOCX_WIDTHS_CM]
    for column, width in zip(grid.columns, widths):
        column.width = width  # the table grid (LibreOffice reads it; Word reads cell widths)
    column_style = [
        (styles["small"] if c in C.SMALL else styles["center"] if c in C.CENTERED else styles["left"]).style_id
        for c in C.COLUMNS
    ]
    text_column = C.COLUMNS.index("工作任务")
    header, *body = grid.rows
    _repeat_header(header)
    for i, (cell, name) in enumerate(zip(header.cells, C.COLUMNS)):
        cell.width = widths[i]
        _shade(cell, HEADER_SHADE)
        p = cell.paragraphs[0]
        p._p.style = styles["head"].style_id  # Paragraph.style= searches all styles each time
        p.add_run(name)
    for row, table_row in zip(rows, body):
        for i, (cell, value) in enumerate(zip(table_row.cells, row.values)):
            cell.width = widths[i]
            p = cell.paragraphs[0]
            p._p.style = column_style[i]
            if i == text_column and row.depth:
                p.paragraph_format.left_indent = Cm(INDENT_CM * row.depth)
            text = cell_text(value)
            if text:
                run = p.add_run(text)
                if row.has_children and i in (0, text_column):
                    run.bold = True
    return doc


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None) -> Path:
    """Write the document to *path* atomically."""
    doc = build(sheet, rows)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)
