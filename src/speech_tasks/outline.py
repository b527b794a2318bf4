"""Outline stage: the speech's level-1 sections.

The top level is the first style in rules/structure.yaml `outline_styles` that numbers at least
two paragraphs in sequence (一、 二、 …); a fallback style (一要 …) counts only when no other
style does. A section runs from its marker to the next section, the last one to the closing
remarks (同志们，… / 就讲这些).
"""
from __future__ import annotations

from . import structure
from .document import Doc, SectionDraft


def _sequence(doc: Doc, paras, regex) -> list[tuple[int, int, str]]:
    """(paragraph index, number, marker) of paragraphs numbered 1, 2, 3 … by *regex*."""
    out, expect = [], 1
    for i, (s, _) in enumerate(paras):
        m = regex.match(doc.text, s)
        if m and structure.number_of(m.group("num")) == expect:
            out.append((i, expect, m.group(0)))
            expect += 1
    return out


def body_end(doc: Doc, paras, first_para: int) -> int:
    """Where the closing remarks begin (the end of the text if there are none)."""
    c = structure.compiled()
    for s, e in paras[first_para + 1:]:
        if c.closing_starts.match(doc.text, s) or c.closing_contains.search(doc.text, s, e):
            return s
    return len(doc.text)


def find_sections(doc: Doc) -> list[SectionDraft]:
    c = structure.compiled()
    paras = structure.paragraphs(doc.text)
    ordered = [x for x in c.outline if not x[0].fallback] + [x for x in c.outline if x[0].fallback]
    seq: list[tuple[int, int, str]] = []
    for _, regex in ordered:
        seq = _sequence(doc, paras, regex)
        if len(seq) >= 2:
            break
    else:
        return []
    end_all = body_end(doc, paras, seq[-1][0])
    sections = []
    for k, (pi, number, marker) in enumerate(seq):
        ps, pe = paras[pi]
        title_span = structure.heading_title(doc.text, ps + len(marker), pe)
        after = title_span[1]
        while after < pe and doc.text[after] in "。．.，,；;：: \u3000":
            after += 1
        end = paras[seq[k + 1][0]][0] if k + 1 < len(seq) else end_all
        while end > ps and doc.text[end - 1] in "\n \t\u3000":
            end -= 1
        sections.append(
            SectionDraft(
                number=number,
                marker=marker,
                title=doc.text[title_span[0]:title_span[1]],
                start=ps,
                end=end,
                title_span=title_span,
                body_start=after,
            )
        )
    return sections


def run(doc: Doc) -> None:
    doc.sections = find_sections(doc)
