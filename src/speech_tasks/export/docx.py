"""任务分解表 as a Word document in the layout of a 公文 attachment (附件).

Landscape A4: "附件" at the top left (黑体 三号), the title centred (黑体 二号), a line saying where
the tasks come from, then the table of the printed columns (序号 … 备注, from
:data:`columns.SHEET_COLUMNS`) in 仿宋 五号 with a 黑体 header row repeated on each page and
each section of the speech as a group row; 第 X 页 共 Y 页 in the footer. The internal columns
(任务编号, 原文位置 …) stay in the xlsx, csv and JSON. Fonts are named as Windows names them;
Word and LibreOffice substitute a face of the same kind where one is missing.
"""
from __future__ import annotations

from pathlib import Path

from ..fsutil import atomic_path
from ..models import TaskSheet
from . import columns as C
from .cells import clean
from .frame import Row, cell_text, subtitle, table, title, with_sections

BODY_FONT = "仿宋"
TITLE_FONT = "黑体"
LABEL_FONT = "黑体"
LATIN_FONT = "Times New Roman"  # digits and Latin letters, as official documents set them
TITLE_PT = 22  # 二号
LABEL_PT = 16  # 三号
SUBTITLE_PT = 12
TABLE_PT = 10.5  # 五号
FOOTER_PT = 10.5
HEADER_SHADE = "D9E2F3"
GROUP_SHADE = "F2F2F2"
INDENT_CM = 0.3
MAX_INDENT = 3
PAGE_CM = (29.7, 21.0)
SIDE_MARGIN_CM = 1.8
TOP_MARGIN_CM = 2.2
BOTTOM_MARGIN_CM = 2.0
CELL_PADDING_CM = 0.1


def _font(run, name: str, size_pt: float, bold: bool = False) -> None:
    """Set a run's Latin and East Asian font (Word keeps them separately)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = LATIN_FONT
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
    style.font.name = LATIN_FONT
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


def _row_flag(row, name: str) -> None:
    """Set a row property: ``tblHeader`` (repeat on each page), ``cantSplit`` (keep on one page)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement(f"w:{name}")
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


# Windows names of the fonts with their English names and GB2312 charset: Word, WPS and
# LibreOffice use these to find the face under its other name, or a Chinese face of the same
# kind (Song, Hei, FangSong), where the named one is missing.
FONT_TABLE = {
    BODY_FONT: ("FangSong", "modern", "02010609060101010101"),
    LABEL_FONT: ("SimHei", "modern", "02010609060101010101"),
}


def _declare_fonts(doc) -> None:
    """Add :data:`FONT_TABLE`'s fonts, with alternative names, to the document's font table."""
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{panose}"/>'
        f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="fixed"/></w:font>'
        for name, (alt, family, panose) in FONT_TABLE.items()
    )
    part._blob = part.blob.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")  # Part has no setter


def _footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("第 ", "PAGE"), (" 页  共 ", "NUMPAGES"), (" 页", None)):
        _font(p.add_run(text), BODY_FONT, FOOTER_PT)
        if field:
            _field(p, field)


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
    _declare_fonts(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.left_margin = section.right_margin = Cm(SIDE_MARGIN_CM)
    section.top_margin, section.bottom_margin = Cm(TOP_MARGIN_CM), Cm(BOTTOM_MARGIN_CM)
    _footer(section)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc_title = clean(title(sheet))
    doc.core_properties.title = doc_title
    doc.core_properties.author = "speech-tasks"

    _paragraph(doc, "附件", LABEL_FONT, LABEL_PT, after_pt=6)
    _paragraph(doc, doc_title, TITLE_FONT, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER, after_pt=6)
    _paragraph(doc, subtitle(sheet, rows), BODY_FONT, SUBTITLE_PT, WD_ALIGN_PARAGRAPH.CENTER, after_pt=8)

    styles = {
        "head": _cell_style(doc, "任务表表头", LABEL_FONT, TABLE_PT, center=True),
        "left": _cell_style(doc, "任务表正文", BODY_FONT, TABLE_PT),
        "center": _cell_style(doc, "任务表居中", BODY_FONT, TABLE_PT, center=True),
        "group": _cell_style(doc, "任务表分组", LABEL_FONT, TABLE_PT),
    }
    items = list(with_sections(sheet, rows))
    grid = doc.add_table(rows=1 + len(items), cols=len(C.PRINTED))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _cell_padding(grid, CELL_PADDING_CM)
    widths = [Cm(c.docx_cm) for c in C.PRINTED]
    for column, width in zip(grid.columns, widths):
        column.width = width  # the table grid (LibreOffice reads it; Word reads cell widths)
    column_style = [(styles["center"] if c.centered else styles["left"]).style_id for c in C.PRINTED]
    key = C.PRINTED_COLUMNS.index("重点任务")
    header, *body = grid.rows
    _row_flag(header, "tblHeader")
    for i, (cell, column) in enumerate(zip(header.cells, C.PRINTED)):
        cell.width = widths[i]
        _shade(cell, HEADER_SHADE)
        p = cell.paragraphs[0]
        p._p.style = styles["head"].style_id  # Paragraph.style= searches all styles each time
        p.add_run(column.name)
    for item, table_row in zip(items, body):
        _row_flag(table_row, "cantSplit")  # a row taller than a page still breaks
        cells = table_row.cells
        for cell, width in zip(cells, widths):
            cell.width = width
        if isinstance(item, str):  # a section of the speech: one shaded cell across the table
            merged = cells[0].merge(cells[-1])
            _shade(merged, GROUP_SHADE)
            p = merged.paragraphs[0]
            p._p.style = styles["group"].style_id
            p.add_run(item)
            continue
        for i, (cell, name) in enumerate(zip(cells, C.PRINTED_COLUMNS)):
            p = cell.paragraphs[0]
            p._p.style = column_style[i]
            if i == key and item.depth:
                p.paragraph_format.left_indent = Cm(INDENT_CM * min(item.depth, MAX_INDENT))
            text = cell_text(item[name])
            if text:
                run = p.add_run(text)
                if item.has_children and i in (0, key):
                    run.bold = True
    return doc


def write(sheet: TaskSheet, path: Path, rows: list[Row] | None = None) -> Path:
    """Write the document to *path* atomically."""
    doc = build(sheet, rows)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)
