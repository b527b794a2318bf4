"""Tasks stage: the tree of directives in each section (GUIDELINE.md §2).

Three kinds of task:
- numbered items (一要, 一是, （一）, 1、, ①, 第一, 首先/其次/最后, 一方面/另一方面) at any depth;
- domain blocks ("道路交通安全。由公安部门牵头…", "燃气方面，要…"), and a closing "其他…也要" sibling;
- directive sentences that stand alone in a section and name the body they address.

Items are read in text order with a stack of open items: item *n* of a style continues the list
whose last item was *n-1*; item 1 opens a list under the innermost open item. An item whose
marker sits inside a paragraph ends with that paragraph; one that opens a paragraph runs on until
its next sibling or an ancestor's. Lists that turn out to be problem or situation enumerations
are set aside as non-tasks; one-item lists are dropped as not being enumerations at all.
"""
from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from . import parts, structure
from .document import Doc, TaskDraft
from .models import NonTask, Span


_NON_SPACE = re.compile(r"\S")


@dataclass
class _Item:
    start: int
    marker: str | None
    style: str  # item style name, "domain", or "closing"
    num: int
    inline: bool
    head: Span | None = None  # domain head or title span
    end: int = -1
    lead_in: Span | None = None  # the text that introduces this item's list
    parent: _Item | None = None
    list_id: int = 0
    children: list[_Item] = field(default_factory=list)
    last_child: tuple[str, int, int] | None = None  # (style, num, list_id) of the latest child
    kind: str = "numbered"


@dataclass
class _Root:
    children: list[_Item] = field(default_factory=list)
    last_child: tuple[str, int, int] | None = None


@dataclass
class _Region:
    start: int
    end: int
    section: int | None
    path: str
    numbered: bool = True  # False: only stand-alone directives are read here


class _TreeBuilder:
    """Reads the markers of one region into a tree of _Items."""

    def __init__(self, text: str, region: _Region, skip_styles: set[str], list_ids: itertools.count,
                 carried: tuple[str, int, int] | None = None) -> None:
        self.text = text
        self.region = region
        self.c = structure.compiled()
        styles = frozenset(self.c.styles) - skip_styles
        self.markers = self.c.markers(styles)
        self.comma_markers = self.c.markers(styles & self.c.comma_styles) if self.c.comma_styles & styles else None
        self.root = _Root(last_child=carried)  # numbering that goes on from the previous section
        self.stack: list[_Item] = []
        self.list_ids = list_ids
        self.agenda: list[Span] = []
        self.block_opener = parts.compiled().minutes_cue

    # -- reading markers --------------------------------------------------------------------
    def _marker_at(self, pos: int, after_comma: bool = False) -> tuple[str, str, int] | None:
        """(style, marker text, number) of an enumeration marker at *pos*."""
        m = (self.comma_markers if after_comma else self.markers).match(self.text, pos)
        if not m:
            return None
        style = m.lastgroup
        token = m.group(f"n_{style}")
        r = self.c.rules
        bullet = style in self.c.bullet_styles  # ◆ and ▲ are lists of their own; each bullet the next item
        if bullet or token in r.next_ordinals:  # 再一个: the next item of the list open in that style
            style = f"{style}:{token}" if bullet else style
            last = next((c.last_child for c in reversed([self.root, *self.stack])
                         if c.last_child and c.last_child[0] == style), None)
            if last:
                return style, m.group(0), last[1] + 1
            return (style, m.group(0), 1) if bullet else None
        if token in r.last_ordinals:
            return style, m.group(0), -1
        n = structure.number_of(token, r.ordinal_words)
        return (style, m.group(0), n) if n else None

    def _domain_at(self, pos: int, para_end: int) -> Span | None:
        head = domain_head(self.c, self.text, pos, para_end)
        if head is None:
            return None
        rules = self.c.rules.domain_block
        after = head[1] + 1
        window = self.text[after:min(para_end, after + rules.cue_window)]
        if not (self.c.domain_cue.search(window) or self._marker_at(after)):
            return None
        return head

    def _is_closing_sibling(self, pos: int, para_end: int) -> bool:
        """The paragraph's last sentence closes a run of items ("同时，其他各行业领域要…")."""
        if _NON_SPACE.search(self.text, self._sentence_end(pos, para_end), para_end):
            return False  # another sentence follows (found without copying the rest of the paragraph)
        sentence = self.text[pos:para_end]
        return any(p.search(sentence) for p in self.c.closing_sibling)

    # -- the stack --------------------------------------------------------------------------
    def _container(self):
        return self.stack[-1] if self.stack else self.root

    def _close_to(self, depth: int, at: int) -> None:
        """Close open items until *depth* remain."""
        while len(self.stack) > depth:
            self.stack.pop().end = at

    def _push(self, item: _Item, parent, list_id: int | None = None) -> None:
        if list_id is None:
            list_id = next(self.list_ids)
        item.list_id = list_id
        item.parent = parent if isinstance(parent, _Item) else None
        parent.children.append(item)
        parent.last_child = (item.style, item.num, list_id)
        self.stack.append(item)

    def _numbered(self, pos: int, style: str, marker: str, n: int, inline: bool) -> None:
        item = _Item(start=pos, marker=marker, style=style, num=n, inline=inline)
        if n == 1:
            # a new list; an open item of the same style is a finished list at this level
            for depth in range(len(self.stack) - 1, -1, -1):
                if self.stack[depth].style == style:
                    self._close_to(depth, pos)
                    break
            self._push(item, self._container())
            return
        containers = [self.root, *self.stack]
        for depth in range(len(containers) - 1, -1, -1):
            last = containers[depth].last_child
            if last and last[0] == style and (last[1] == n - 1 or (n == -1 and last[1] >= 1)):
                self._close_to(depth, pos)
                item.num = last[1] + 1 if n == -1 else n
                self._push(item, containers[depth], last[2])
                return
        if n == -1:  # 第一，第二，…最后，: the last item of the innermost list of a style it may close
            for depth in range(len(containers) - 1, -1, -1):
                last = containers[depth].last_child
                if last and last[0] in self.c.rules.last_ordinal_closes and last[1] >= 2:
                    self._close_to(depth, pos)
                    item.style, item.num = last[0], last[1] + 1
                    self._push(item, containers[depth], last[2])
                    return
        # not a continuation of any list: an ordinary word that looks like a marker

    def _domain(self, pos: int, head: Span, inline: bool) -> None:
        item = _Item(start=pos, marker=None, style="domain", num=0, inline=inline, head=head, kind="domain")
        containers = [self.root, *self.stack]
        for depth in range(len(containers) - 1, 0, -1):
            if containers[depth].style == "domain":
                self._close_to(depth - 1, pos)
                self._push(item, containers[depth - 1], containers[depth].list_id)
                return
        container = self._container()
        last = container.last_child
        same_list = last[2] if last and last[0] == "domain" else None
        self._push(item, container, same_list)

    def _closing(self, pos: int, inline: bool) -> bool:
        container = self._container()
        if self.stack:
            top = self.stack[-1]
            self._close_to(len(self.stack) - 1, pos)
            parent, list_id, style = self._container(), top.list_id, top.style
        elif container.last_child:
            parent, list_id, style = container, container.last_child[2], container.last_child[0]
        else:
            return False
        kind = "domain" if style == "domain" else "directive"
        item = _Item(start=pos, marker=None, style="closing", num=0, inline=inline, kind=kind)
        self._push(item, parent, list_id)
        return True

    # -- driver -----------------------------------------------------------------------------
    def build(self) -> _Root:
        reg = self.region
        for ps, pe in structure.paragraphs(self.text, reg.start, reg.end):
            ps = max(ps, reg.start)
            starts = [(p, False) for p in structure.clause_starts(self.text, ps, pe)]
            if self.comma_markers is not None:
                starts += [(p, True) for p in structure.comma_starts(self.text, ps, pe)]
                starts.sort()
            if self.block_opener.match(self.text, ps):  # 会议强调，…: minutes go on with a new block
                self._close_to(0, ps)
            for pos, after_comma in starts:
                inline = pos != ps
                if after_comma:
                    found = self._marker_at(pos, after_comma=True)
                    if found:
                        self._numbered(pos, found[0], found[1], found[2], inline)
                    continue
                if self.c.agenda.search(self.text, pos, self._sentence_end(pos, pe)):
                    self.agenda.append((pos, self._sentence_end(pos, pe)))
                    continue
                found = self._marker_at(pos)
                if found:
                    self._numbered(pos, found[0], found[1], found[2], inline)
                    continue
                head = self._domain_at(pos, pe)
                if head:
                    self._domain(pos, head, inline)
                    continue
                if self._is_closing_sibling(pos, pe) and self._closing(pos, inline):
                    continue
            # inline items end with their paragraph
            while self.stack and self.stack[-1].inline:
                self.stack.pop().end = pe
        self._close_to(0, reg.end)
        return self.root

    def _sentence_end(self, pos: int, para_end: int) -> int:
        m = structure.SENTENCE_END.search(self.text, pos, para_end)
        return m.end() if m else para_end


def domain_head(c: structure.Compiled, text: str, pos: int, end: int) -> Span | None:
    """Span of a domain head ("道路交通安全", "燃气方面") opening a sentence at *pos*."""
    if not c.domain_nouns.search(text, pos, min(end, pos + c.domain_window)):
        return None
    rules = c.rules.domain_block
    for pattern in c.domain:
        m = pattern.match(text, pos, end)
        if not m:
            continue
        head = m.group("head")
        if (head.startswith(c.head_excluded_starts) or any(x in head for x in rules.head_excluded_contains)
                or head.endswith(c.head_excluded_ends)):
            continue
        if c.domain_nouns.search(head):
            return (m.start("head"), m.end("head"))
    return None


class _Extractor:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self.c = structure.compiled()
        self.body_end = len(doc.text)  # where the closing remarks begin

    def regions(self) -> list[_Region]:
        """What the stage reads, part by part (parts.py): a speech's opening before its first
        section (stand-alone directives only) and its sections, or the whole body of a speech
        without sections up to its closing remarks; a speaker's turn; minutes."""
        from .document import Part
        from .outline import body_end

        doc = self.doc
        out: list[_Region] = []
        for part in doc.parts or [Part(0, len(self.text), "speech")]:
            paras = structure.paragraphs(self.text, part.start, part.end)
            if not paras:
                continue
            sections = [s for s in doc.sections if part.start <= s.start < part.end]
            if sections:
                out.append(_Region(paras[0][0], sections[0].start, None, "", numbered=False))
                out += [_Region(s.body_start, s.end, s.number, s.marker.rstrip("、，,：:．. ")) for s in sections]
                self._warn_after_closing(sections[-1].end, part.end)
            elif part.kind == "speech":
                end = body_end(doc, paras, 0, part.end)
                out.append(_Region(paras[0][0], end, None, ""))
                self._warn_after_closing(end, part.end)
            else:
                out.append(_Region(paras[0][0], part.end, None, ""))
        self.body_end = max((r.end for r in out), default=len(self.text))
        return out

    def _warn_after_closing(self, body_end: int, part_end: int) -> None:
        """Say so when more than a closing paragraph follows the end of a speech's body."""
        from .units import find_units

        paras = structure.paragraphs(self.text, body_end, part_end)[1:]  # the first is the closing itself
        chars = sum(e - s for s, e in paras)
        long_text = chars > parts.compiled().rules.after_closing_chars  # then no need to look for directives
        if paras and (long_text or any(find_units(self.text, s, e) for s, e in paras)):
            s = paras[0][0]
            self.doc.warnings.append(
                f"结束语之后还有{chars}字未作任务识别（第{self.doc.src_span((s, s + 1))[0]}字起："
                f"“{self.doc.shown((s, min(s + 12, paras[0][1])))}”），请核对"
            )

    # -- list-level decisions ---------------------------------------------------------------
    def _head_clause(self, item: _Item) -> str:
        s = item.start + len(item.marker or "")
        n = len(self.text)
        while s < n and self.text[s] in "，,：: \u3000":  # 一个是，有些企业…: the head follows the comma
            s += 1
        e = s
        while e < n and self.text[e] not in "，,。；;：:\n":
            e += 1
        return self.text[s:e].strip()

    def _lead_in(self, first: _Item, container_start: int) -> Span:
        """The text that introduces a list: its first item's paragraph up to the item, or, when
        the item opens its paragraph, the paragraph before (never before *container_start*).

        Read backwards from the item, line by line, so the cost does not grow with the distance
        to *container_start*."""
        text = self.text
        if first.start < container_start:
            return (container_start, first.start)
        line = max(container_start, text.rfind("\n", container_start, first.start) + 1)
        start = structure.skip_paragraph_indent(text, line)
        if start == first.start:
            while line > container_start:  # the nearest non-blank line before
                end = line - 1
                line = max(container_start, text.rfind("\n", container_start, end) + 1)
                s = structure.skip_paragraph_indent(text, line)
                if text[s:end].rstrip(" \t\u3000\xa0"):
                    start = s
                    break
        return (max(start, container_start), first.start)

    def _is_non_task_list(self, items: list[_Item], lead_in: Span) -> bool:
        """Problem, situation or achievement enumeration rather than directives."""
        heads = [self._head_clause(i) for i in items]
        flagged = sum(  # "排查防洪薄弱环节" opens with a directive verb: no problem statement
            1 for h in heads
            if self.c.non_task_head_past.search(h)
            or (self.c.non_task_head_end.search(h) and not self.c.directive_head.search(h))
        )
        if flagged * 2 >= len(items):
            return True
        lead = self.text[lead_in[0]:lead_in[1]].rstrip().rstrip("，,")
        cut = max(lead.rstrip("。；：:").rfind(sep) for sep in "。；，,")
        if not self.c.non_task_lead_in.search(lead[cut + 1:]):
            return False
        directive = sum(1 for h in heads if self.c.directive_head.search(h))
        return directive * 2 <= len(items)

    def _cut_short_after(self, item: _Item) -> bool:
        """*item* opens its paragraph and runs to the end of a text that stops there without
        closing remarks: a list cut short after its first item (a web excerpt, a page of a copy)."""
        return not item.inline and item.end >= self.body_end and self.body_end >= len(self.text.rstrip())

    def _prune(self, node, container_start: int, kept_lead_ins: list[Span]) -> None:
        """Drop one-item lists and problem lists below *node*; record lead-ins of kept lists."""
        groups: dict[int, list[_Item]] = {}
        for ch in node.children:
            groups.setdefault(ch.list_id, []).append(ch)
        new_children: list[_Item] = []
        for items in groups.values():
            lead_in = self._lead_in(items[0], container_start)
            numbered = [i for i in items if i.style not in ("domain", "closing")]
            drop_reason = None
            single = len(numbered) == 1 and numbered[0].num == 1
            if single and not (numbered[0].style.split(":")[0] in self.c.single_ok or self._cut_short_after(numbered[0])):
                drop_reason = "single"
            elif numbered and self._is_non_task_list(numbered, lead_in):
                drop_reason = "problem, situation or achievement list"
            for it in items:
                if drop_reason and it.style not in ("domain", "closing"):
                    if drop_reason != "single":
                        self.doc.non_tasks.append(NonTask(marker=it.marker, why=drop_reason, span=(it.start, it.end)))
                    # its children (already pruned below) take its place
                    self._prune(it, it.start, kept_lead_ins)
                    for ch in it.children:
                        ch.parent = node if isinstance(node, _Item) else None
                        new_children.append(ch)
                    continue
                it.lead_in = lead_in
                self._prune(it, it.head[1] if it.head else it.start, kept_lead_ins)
                new_children.append(it)
            if not drop_reason:
                kept_lead_ins.append(lead_in)
        new_children.sort(key=lambda i: i.start)
        node.children = new_children

    # -- free directive sentences ---------------------------------------------------------------
    def _free_directives(self, region: _Region, covered: list[Span], lead_ins: list[Span], agenda: list[Span]):
        from .units import find_units

        def index(spans: list[Span]) -> tuple[list[int], list[int]]:
            """Starts in order and the furthest end reached so far, for bisecting."""
            spans = sorted(spans)
            return [s for s, _ in spans], list(itertools.accumulate((e for _, e in spans), max))

        def inside(pos: int, spans: tuple[list[int], list[int]]) -> bool:
            starts, reach = spans
            k = bisect_right(starts, pos)
            return k > 0 and reach[k - 1] > pos

        open_lead_ins = sorted(li for li in lead_ins if self._opens_paragraph(li))
        covered, agenda, lead_ins = index(covered), index(agenda), index(lead_ins)

        out: list[list] = []
        current: list | None = None  # [start, end, unit texts] of the directive being read
        for ps, pe in structure.paragraphs(self.text, region.start, region.end):
            if current is not None and not self.c.field_label.match(self.text, ps):
                current = None  # a directive ends with its paragraph, unless label lines follow
            for s, e in structure.sentences(self.text, ps, pe):
                if inside(s, covered) or inside(s, agenda):
                    current = None
                    continue
                if current is not None and self.c.field_label.match(self.text, s):
                    current[1] = e  # "牵头单位：…；配合单位：…" belongs to the directive before it
                    continue
                lead_in = inside(s, lead_ins)
                if lead_in and not self._may_stand_alone(s, e, open_lead_ins):
                    current = None  # introduces a list: not a task of its own
                    continue
                units = find_units(self.text, s, e)
                if lead_in and not any(not u.generic for u in units):
                    current = None
                    continue
                if units:
                    key = tuple(sorted(u.text for u in units))
                    # the task opens with the clause that names its body ("对此，大家必须…，各镇街区要…");
                    # after a colon, with the list the colon announces ("下面我提三点要求：一是…")
                    first = min(u.span[0] for u in units)
                    clause = max(self.text.rfind(sep, s, first) for sep in "，,：:") + 1
                    if clause > s and self.text[clause - 1] in "：:" and inside(clause, covered):
                        current = None
                        continue
                    if current is not None and current[2] == key:
                        current[1] = e
                    else:
                        clause = max(self.text.rfind(sep, s, first) for sep in "，,") + 1
                        current = [max(s, clause), e, key]
                        out.append(current)  # type: ignore[arg-type]
                elif current is not None and not units:
                    current[1] = e
                else:
                    current = None
        return [(s, e) for s, e, _ in out]

    # -- assembling drafts ------------------------------------------------------------------------
    def run(self) -> None:
        doc = self.doc
        top_style = None
        if doc.sections:
            for style, regex in self.c.outline:
                if regex.match(self.text, doc.sections[0].start):
                    top_style = style.name
                    break
        skip = {top_style} if top_style else set()
        list_ids = itertools.count(1)
        carried = None
        for region in self.regions():
            if not region.numbered:
                needs_domain = self.c.rules.opening_directive_needs_domain
                if needs_domain and not self.c.domain_nouns.search(self.text, region.start, region.end):
                    free = []  # no directive of an opening without a domain would be kept
                else:
                    free = self._free_directives(region, [], [], [])
                if needs_domain:
                    free = [(s, e) for s, e in free if self.c.domain_nouns.search(self.text, s, e)]
                self._emit(region, _Root(), free)
                continue
            builder = _TreeBuilder(self.text, region, skip, list_ids, carried)
            root = builder.build()
            carried = root.last_child
            for a in builder.agenda:
                doc.non_tasks.append(NonTask(marker=None, why="agenda line", span=a))
            lead_ins: list[Span] = []
            self._prune(root, region.start, lead_ins)
            self._end_before_new_subjects(root)
            covered = [(i.start, i.end) for i in root.children]
            if region.section is None:
                # no sections to hold them: a directive that opens its paragraph's list
                # ("市公安局要…。首先，交警部门要…；其次，…") is a task, the list its items
                lead_ins = [li for li in lead_ins if self._opens_paragraph(li)]
            free = self._free_directives(region, covered, lead_ins, builder.agenda)
            self._emit(region, root, free)

    def _end_before_new_subjects(self, root: _Root) -> None:
        """The last item of a top-level list ends before a later paragraph that opens with a body
        of its own (…5．做好应急准备。…\n各企业，要严格落实…): that paragraph is a directive of its own."""
        from .units import find_units

        last: dict[int, _Item] = {}
        for item in root.children:
            last[item.list_id] = item
        for item in last.values():
            if item.inline or item.kind == "domain":
                continue
            paras = structure.paragraphs(self.text, item.start, item.end)
            if not paras or structure.is_heading_line(self.text, *paras[0]):
                continue  # a heading line: the paragraphs after it are its body
            for ps, pe in paras[1:]:
                if any(ch.start <= ps < ch.end for ch in item.children):
                    continue
                first = self._sentence_end(ps, pe)
                units = find_units(self.text, ps, first)
                # in a speech, only a named body starts a new directive (各地要… may sum the item up);
                # minutes and records go from one addressee to the next
                named = any(not u.generic for u in units) or self.doc.kind in ("minutes", "record")
                if units and named and units[0].span[0] - ps <= self.c.rules.subject_opening_chars:
                    item.end = ps
                    item.children = [ch for ch in item.children if ch.start < ps]
                    break

    def _sentence_end(self, pos: int, para_end: int) -> int:
        m = structure.SENTENCE_END.search(self.text, pos, para_end)
        return m.end() if m else para_end

    def _may_stand_alone(self, start: int, end: int, open_lead_ins: list[Span]) -> bool:
        """A sentence of a lead-in paragraph that does not announce the list below it (the paragraph
        ends in 。, the items open paragraphs of their own: "…防汛形势不容乐观。县自然资源局要对…开展汛前
        排查。" before "一是…") is a directive of its own when it assigns work to a named body."""
        k = bisect_right(open_lead_ins, (start, len(self.text))) - 1  # lead-ins do not overlap
        if k < 0 or not open_lead_ins[k][0] <= start < open_lead_ins[k][1]:
            return False
        lead_start, i = open_lead_ins[k][0], open_lead_ins[k][1] - 1
        while i >= lead_start and self.text[i].isspace():  # the lead-in's last character, read backwards
            i -= 1
        return i >= lead_start and self.text[i] in "。！!" and self.text.find("\n", start, end) == -1

    def _opens_paragraph(self, lead_in: Span) -> bool:
        """The lead-in is a paragraph of its own (not the start of its list's paragraph)."""
        return self.text.find("\n", *lead_in) != -1 or lead_in[0] == lead_in[1]

    def _emit(self, region: _Region, root: _Root, free: list[Span]) -> None:
        doc = self.doc
        items = list(root.children)  # in text order
        starts = [i.start for i in items]
        taken = [False] * len(items)
        taken_to = 0  # items before this index (and after the current directive) are taken
        entries: list[tuple[int, object]] = []
        searched_from = para_end = -1  # the paragraph end found last, looked for from searched_from
        for s, e in free:  # in text order
            # items that follow a directive within its paragraph are its items
            if not searched_from <= e <= para_end:  # else the same paragraph: no second scan of it
                searched_from, para_end = e, self.text.find("\n", e)
                para_end = len(self.text) if para_end == -1 else para_end
            lo, hi = max(bisect_right(starts, s), taken_to), bisect_left(starts, para_end)
            inner = items[lo:hi]
            taken[lo:hi] = [True] * len(inner)
            taken_to = max(taken_to, hi)
            entries.append((s, (s, max([e, *(i.end for i in inner)]), inner)))
        entries.extend((i.start, i) for i, t in zip(items, taken) if not t)
        entries.sort(key=lambda x: x[0])
        for _, entry in entries:
            if isinstance(entry, _Item):
                self._emit_item(region, entry, None, region.path)
                continue
            s, e, inner = entry
            end = _trim(self.text, s, e)
            path = f"{region.path}/{self.text[s:e][:8]}".lstrip("/")
            doc.tasks.append(
                TaskDraft(start=s, end=end, kind="directive", marker=None, title=None, parent=None,
                          section=region.section, path=path)
            )
            index = len(doc.tasks) - 1
            for ch in inner:
                self._emit_item(region, ch, index, path)
            doc.tasks[index].own = _subtract((s, end), [(ch.start, _trim(self.text, ch.start, ch.end)) for ch in inner])

    def _emit_item(self, region: _Region, item: _Item, parent: int | None, parent_path: str) -> None:
        doc = self.doc
        end = _trim(self.text, item.start, item.end)
        after_marker = structure.skip_spaces(self.text, item.start + len(item.marker or ""), end)
        line_end = self.text.find("\n", after_marker, end)
        head_end = end if line_end == -1 else line_end
        if item.style == "domain":
            title_span = item.head
        elif item.style == "closing":
            title_span = None
        else:  # "①道路交通方面，要…" is titled by its domain
            title_span = (domain_head(self.c, self.text, after_marker, head_end)
                          or structure.item_title(self.c, self.text, after_marker, head_end))
        title = self.text[title_span[0]:title_span[1]] if title_span else None
        marker = doc.shown((item.start, item.start + len(item.marker))) if item.marker else None  # as written
        label = (marker or "").rstrip("、，,：:．. ") or title or self.text[item.start:item.start + 8]
        path = f"{parent_path}/{label}".lstrip("/")
        draft = TaskDraft(
            start=item.start, end=end, kind=item.kind, marker=marker, title=title, parent=parent,
            section=region.section, path=path, lead_in=item.lead_in, title_span=title_span,
        )
        doc.tasks.append(draft)
        index = len(doc.tasks) - 1
        child_spans = []
        for ch in item.children:
            child_spans.append((ch.start, _trim(self.text, ch.start, ch.end)))
            self._emit_item(region, ch, index, path)
        draft.own = _subtract((item.start, end), child_spans)


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t\n\u3000":
        end -= 1
    return end


def _subtract(span: Span, holes: list[Span]) -> list[Span]:
    out, pos = [], span[0]
    for s, e in sorted(holes):
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < span[1]:
        out.append((pos, span[1]))
    return out


def run(doc: Doc) -> None:
    _Extractor(doc).run()
