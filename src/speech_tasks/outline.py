"""Outline stage: the speech's level-1 sections.

The top level is the first style in rules/structure.yaml `outline_styles` that numbers at least
two paragraphs in sequence (一、 二、 …); a fallback style (一要 …) counts only when no other
style does. A section runs from its marker to the next section, the last one to the closing
remarks (同志们，… / 就讲这些).
"""
from __future__ import annotations

from . import structure
from .document import Doc, Part, SectionDraft


def _sequence(doc: Doc, paras, style, regex) -> list[tuple[int, int, str]]:
    """(paragraph index, number, marker) of paragraphs numbered 1, 2, 3 … by *regex* (heading
    lines only, for a `heading_only` style)."""
    r = structure.compiled().rules
    out, expect = [], 1
    for i, (s, e) in enumerate(paras):
        m = regex.match(doc.text, s)
        if not m:
            continue
        token = m.group("num")
        following = expect > 1 and (token in r.next_ordinals or token in r.last_ordinals)  # 再一个, 最后一个
        if following or structure.number_of(token, r.ordinal_words) == expect:
            if style.heading_only and not structure.is_heading_line(doc.text, s, e):
                continue
            out.append((i, expect, m.group(0)))
            expect += 1
    return out


def _single_heading(doc: Doc, paras, c, styles=None) -> list[tuple[int, int, str]]:
    """The one heading line of a text whose top level shows a single part: numbered 1 (a text
    cut short after its first part, a speaker who names one point), or any number when the text
    starts in mid-sentence (a web copy that lost its opening: only 二、 is left)."""
    limit = c.rules.single_heading_chars
    cut_start = bool(paras) and doc.text[paras[0][0]] in c.rules.mid_sentence_starts
    for style, regex in c.outline if styles is None else styles:
        for i, (s, e) in enumerate(paras[:-1]):
            m = regex.match(doc.text, s)
            if not m:
                continue
            number = structure.number_of(m.group("num"), c.rules.ordinal_words)
            if number != 1 and not (cut_start and number):
                continue
            if (style.fallback and not style.heading_only) or e - m.end() > limit:
                continue
            if structure.is_heading_line(doc.text, s, e):
                return [(i, 1, m.group(0))]
    return []


def body_end(doc: Doc, paras, first_para: int, end: int | None = None) -> int:
    """Where the closing remarks begin among *paras* (*end*, default the end of the text, if
    there are none)."""
    c = structure.compiled()
    for s, e in paras[first_para + 1:]:
        if c.closing_starts.match(doc.text, s) or c.closing_contains.search(doc.text, s, e):
            return s
    return len(doc.text) if end is None else end


def find_sections(doc: Doc, start: int = 0, end: int | None = None, first_number: int = 1) -> list[SectionDraft]:
    """The level-1 sections of the speech in doc.text[start:end], numbered from *first_number*."""
    c = structure.compiled()
    end = len(doc.text) if end is None else end
    paras = structure.paragraphs(doc.text, start, end)
    ordered = [x for x in c.outline if not x[0].fallback] + [x for x in c.outline if x[0].fallback]
    seq: list[tuple[int, int, str]] = []
    for k, (style, regex) in enumerate(ordered):
        seq = _sequence(doc, paras, style, regex)
        if len(seq) >= 2:
            # 一、 heading line above （一）（二） or 一要/二要 paragraphs: the heading is the top level
            single = _single_heading(doc, paras, c, ordered[:k] if not style.fallback else c.outline)
            seq = single if single and single[0][0] < seq[0][0] else seq
            break
    else:
        seq = _single_heading(doc, paras, c)
        if not seq:
            return []
    end_all = body_end(doc, paras, seq[-1][0], end)
    sections = []
    for k, (pi, number, marker) in enumerate(seq):
        ps, pe = paras[pi]
        title_span = structure.heading_title(doc.text, ps + len(marker), pe)
        after = title_span[1]
        while after < pe and doc.text[after] in "。．.，,；;：: \u3000":
            after += 1
        section_end = paras[seq[k + 1][0]][0] if k + 1 < len(seq) else end_all
        while section_end > ps and doc.text[section_end - 1] in "\n \t\u3000":
            section_end -= 1
        sections.append(
            SectionDraft(
                number=first_number + number - 1,
                marker=doc.shown((ps, ps + len(marker))),  # as written: 一方面, (一)
                title=doc.text[title_span[0]:title_span[1]],
                start=ps,
                end=section_end,
                title_span=title_span,
                body_start=after,
            )
        )
    return sections


def run(doc: Doc) -> None:
    doc.sections = []
    for part in doc.parts or [Part(0, len(doc.text), "speech")]:
        if part.kind == "speech":
            doc.sections += find_sections(doc, part.start, part.end, len(doc.sections) + 1)
