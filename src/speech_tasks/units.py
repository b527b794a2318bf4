"""units stage: the bodies each task is assigned to, with their role (lead / owner / assist).

A body counts only where the speech assigns it work, never where it is merely mentioned:
- the subject of a modal: ``各地、各有关部门要…``, ``各镇街区主要负责同志近期都要…``,
  ``各执法部门在执法检查中要…``, ``供水、供电、供气等部门，也要…``; at the head of a sentence whose
  modal follows (``各有关部门承担着…责任，必须…``);
- a body declared the responsible party (``各乡镇是本辖区…的责任主体，一方面要…``, ``X负主体责任``: owner;
  ``X对…负总责``: lead), which the items that follow inherit;
- a role frame: ``由公安部门牵头`` / ``请X牵头`` (lead), ``X牵头抓总`` / ``X要牵头…`` / ``X负责…`` /
  ``X：负责…`` (lead), ``X配合`` / ``联合公安、交通等部门`` / ``会同X`` (assist), ``牵头单位：X；配合单位：Y``,
  ``市住建局（牵头）、市城管局``.

Not assigned: bodies narrated in the past (``今年以来，X牵头开展了…``), a law cited (``…规定，X负责``), the
body that reports a requirement (``省应急厅要求各地…``; ``市委要求各地要…`` assigns 各地). Time words before
the subject (``汛期各级各部门要…``) and the people who act for a body (``企业主要负责人`` → 企业) are dropped.

Names come from the gazetteer in ``rules/units.yaml`` (aliases, stems, pre-2018 names, level
prefixes such as 市/县/全市 handled by rule; party-committee bodies keep 委: 县委宣传部); bodies missing
from it are recognised by their form (``清洁能源产业服务中心``, ``各包靠督导组``, ``城东镇``). A unit is
generic when it addresses every body of a general kind (``各执法部门``, ``镇直各单位``, ``中省驻市企业``),
specific when it names a body or narrows the kind to a domain, role or place (``燃气企业``,
``危险化学品企业``, ``施工单位``, ``沿海镇街``). Coordinated lists split into one unit per body
(``应急、自规等部门`` → 应急, 自规; ``各地各有关部门`` → 各地, 各有关部门).

The same gazetteer feeds jieba's user dictionary (``python -m speech_tasks.units userdict``), which
otherwise splits 市安委办 or 融媒体中心 and tags 宣传部 as a person.
"""
from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import rules
from .document import Doc
from .models import Role, Unit

USER_DICTIONARY = Path(__file__).resolve().parent / "data" / "userdict.txt"
# jieba frequency given to every gazetteer word: high enough to keep 住建部门 or 市安委办 whole.
USER_DICTIONARY_FREQ = 20000
_DICT_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")  # jieba's dictionary words: no brackets, no spaces


# ---------------------------------------------------------------------------------------------
# rules/units.yaml


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Prefix(_Rules):
    text: str = Field(min_length=1)
    level: str = Field(description="what the canonical name keeps: 市, 县 … or nothing")


class Body(_Rules):
    name: str = Field(min_length=1, description="canonical name")
    kind: Literal["coordination", "government", "party", "institution", "company", "judicial", "military"]
    aliases: list[str] = Field(default_factory=list)
    former: list[str] = Field(default_factory=list, description="names from before the 2018 reform")
    stems: list[str] = Field(default_factory=list, description="bare domain words (应急, 住建)")
    needs_prefix: bool = False
    several: bool = Field(False, description="the aliases name several bodies of one kind (高新区, 经开区)")
    level_name: str | None = Field(None, description="the name after a level in the canonical form (委宣传部)")

    @property
    def names(self) -> list[str]:
        """The canonical name, the aliases and the former names, each once."""
        return list(dict.fromkeys([self.name, *self.aliases, *self.former]))


class GenericBody(_Rules):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(min_length=1)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys([self.name, *self.aliases]))


class Forms(_Rules):
    suffixes: list[str] = Field(min_length=1)
    deny_endings: list[str] = Field(default_factory=list)
    deny_starts: list[str] = Field(default_factory=list)
    deny_inside: list[str] = Field(default_factory=list, description="的, 在, 把: never inside a name found by its form")
    generic_prefixes: list[str] = Field(default_factory=list)
    general_nouns: list[str] = Field(default_factory=list, description="部门, 企业, 乡镇: a general kind of body")
    broad_modifiers: list[str] = Field(default_factory=list, description="行业, 执法, 国有: keep a kind general")
    distributive_prefixes: list[str] = Field(default_factory=list, description="各, 各级: the kind stays general however narrowed")


class Subject(_Rules):
    modals: list[str] = Field(min_length=1)
    persons: list[str] = Field(default_factory=list)
    adverbs: list[str] = Field(default_factory=list)
    manner: list[str] = Field(default_factory=list, description="按照…, 根据… before the predicate")
    continuations: list[str] = Field(default_factory=list)
    appositions: list[str] = Field(default_factory=list, description="作为: X作为行业主管部门，要…")
    self_words: list[str] = Field(default_factory=list, description="本, 该: 本单位 is the subject itself")
    object_openers: list[str] = Field(default_factory=list, description="对, 把: 对…的X is an object")
    declared: list[str] = Field(default_factory=list, description="责任主体 in X是…的责任主体: X owns the work")
    duties: list[str] = Field(default_factory=list, description="负主体责任: X负主体责任 owns the work")
    openers: list[str] = Field(default_factory=list)
    time_words: list[str] = Field(default_factory=list, description="汛期, 春节 … opening a clause")
    time_suffixes: list[str] = Field(default_factory=list, description="期间, 前后 … after a time word")
    time_endings: list[str] = Field(default_factory=list, description="how any other time phrase ends")
    reporting: list[str] = Field(default_factory=list)
    addressing: list[str] = Field(default_factory=list, description="希望, 要求: a lead-in's addressees follow")
    topic_particles: list[str] = Field(default_factory=list, description="呢, 啊: 文旅局啊，…要…")
    not_modals: list[str] = Field(default_factory=list, description="要求, 要点: not the modal 要")
    still_modals: list[str] = Field(default_factory=list, description="要求真务实: 要 + 求真务实")
    past: list[str] = Field(default_factory=list)
    past_times: list[str] = Field(default_factory=list, description="以来, 去年: the sentence tells the past")
    citing: list[str] = Field(default_factory=list, description="规定: the sentence cites a law")
    past_exceptions: list[str] = Field(default_factory=list, description="了解, 通过: no past marker")


class Roles(_Rules):
    by_frames: list[str] = Field(min_length=1)
    lead_verbs: list[str] = Field(min_length=1)
    assist_verbs: list[str] = Field(min_length=1)
    join_words: list[str] = Field(default_factory=list)
    role_adverbs: list[str] = Field(default_factory=list, description="积极 in 要积极配合")
    labels: dict[str, Role] = Field(default_factory=dict)


class UnitRules(_Rules):
    prefixes: list[Prefix] = Field(default_factory=list)
    place_endings: list[str] = Field(default_factory=list)
    stem_suffixes: list[str] = Field(default_factory=list)
    closer_nouns: list[str] = Field(default_factory=list, description="what closes a list after 等")
    separators: list[str] = Field(min_length=1, description="what joins the bodies of a list: 、, 和, 以及")
    bodies: list[Body] = Field(min_length=1)
    generic_tails: list[str] = Field(default_factory=list, description="党委、政府 after 各乡镇: the same places")
    generic: list[GenericBody] = Field(default_factory=list)
    forms: Forms
    subject: Subject
    roles: Roles

    @model_validator(mode="after")
    def _one_entry_per_word(self) -> UnitRules:
        """A word names one body only; an empty word would match everywhere."""
        seen: dict[str, str] = {}
        entries = [(f"bodies.{i}", b.name, _body_words(b)) for i, b in enumerate(self.bodies)]
        entries += [(f"generic.{i}", g.name, g.names) for i, g in enumerate(self.generic)]
        for key, name, words in entries:
            for w in words:
                if not w.strip():
                    raise ValueError(f"{key} ({name}): empty alias")
                where = f"{key} ({name})"
                if w in seen and seen[w] != where:
                    raise ValueError(f"{key} ({name}): {w!r} is already listed under {seen[w]}")
                seen[w] = where
        return self


def _body_words(body: Body) -> list[str]:
    return list(dict.fromkeys([*body.names, *body.stems]))


def load_rules() -> UnitRules:
    return rules.load("units", UnitRules)


# ---------------------------------------------------------------------------------------------
# the compiled gazetteer


@dataclass(frozen=True)
class _Entry:
    name: str
    generic: bool
    stem: bool = False
    needs_prefix: bool = False
    level_name: str | None = None


@dataclass(frozen=True)
class _Item:
    """One body inside a list; start and end in the text the chunk was cut from (its offset added)."""

    start: int
    end: int
    text: str
    name: str
    generic: bool
    known: bool
    stem: bool


_CJK_NAME = re.compile(r"[\u4e00-\u9fff*＊×xX（）()、]+")
# an adverbial before the subject, with no comma: 在此基础上各地要… / 节日期间各镇街要…
_LEADING = r"在[^在，,。；;：:]{1,15}?(?:上|中|时|期间|前|后|以来)|[^，,。；;：:的]{1,8}?(?:期间|前后|之前|以后)"
_MASK = re.compile(r"[*＊×]+|[xX]{2,}")  # a masked place name: **海关, XX应急局
# Bounds that keep every search local, so the stage stays linear in the text: no list of bodies
# (a subject, a 联合/牵头单位 list) is longer than _MAX_LIST characters, no body's name than
# _MAX_NAME; a past or citing cue further than _MAX_LIST characters from a frame is not read.
_MAX_LIST = 300
_MAX_NAME = 40
_MAX_SUBJECT_CLAUSE = 40  # a clause that is only a list of bodies (各乡镇、城区，…要) is no longer
_NOTE = re.compile(r"[（(][^（）()，,。]{1,20}[）)]")


def _marker_re() -> re.Pattern[str]:
    """An enumeration marker of any style in rules/structure.yaml (一要, （一）, ①, ◆ …)."""
    from . import structure

    return structure.compiled().any_marker


def _word_pattern(words: list[str], not_words: list[str], still_words: Sequence[str] = ()) -> str:
    """The words, each barred from the longer words that start or end with it but are none (the
    modal 要 but not 要求, 主要; the verb 负责 but not 负责人), unless such a word goes on as the
    word does (要求真务实)."""
    out = []
    for m in sorted(set(words), key=lambda w: (-len(w), w)):
        tails = []
        for w in (w for w in not_words if w.startswith(m) and len(w) > len(m)):
            keep = [x[len(w):] for x in still_words if x.startswith(w) and len(x) > len(w)]
            tails.append(re.escape(w[len(m):]) + (f"(?!{rules.alternation(keep)})" if keep else ""))
        ends = [w for w in not_words if w.endswith(m) and len(w) > len(m)]
        behind = "".join(f"(?<!{rules.alternation(w for w in ends if len(w) == n)})" for n in sorted({len(w) for w in ends}))
        out.append(re.escape(m) + behind + (f"(?!{'|'.join(tails)})" if tails else ""))
    return "|".join(out)


class Lexicon:
    """Everything find_units needs, compiled once per rules object."""

    def __init__(self, r: UnitRules) -> None:
        self.rules = r
        self.levels = {p.text: p.level for p in r.prefixes}
        entries: dict[str, _Entry] = {}
        for b in r.bodies:
            for w in b.names:
                entries[w] = _Entry(b.name, False, needs_prefix=b.needs_prefix, level_name=b.level_name)
                level = self._level_inside(w) if b.level_name else None
                if level:  # 市委办 names the 市 level itself: 市委办公室
                    entries[w] = _Entry(level + b.level_name, False)
            for w in b.stems:
                entries[w] = _Entry(b.name, False, stem=True)
        for g in r.generic:
            for w in g.names:
                entries[w] = _Entry(g.name, True)
        self.entries = entries
        self.several = tuple(b.name for b in r.bodies if b.several)
        pre = rules.alternation(self.levels)
        suf = rules.alternation(r.stem_suffixes)
        names = rules.word_trie(entries)  # hundreds of names: matched by prefix, not one by one
        self.alias_re = re.compile(f"(?P<pre>{pre})?(?P<alias>{names})(?P<suf>{suf})?")
        self.bare_re = re.compile(f"(?P<pre>(?!))?(?P<alias>{names})(?P<suf>{suf})?")
        self.place_endings = tuple(r.place_endings)
        self.separator_re = re.compile(rules.alternation(r.separators))
        f = r.forms
        self.suffixes = tuple(f.suffixes)
        self.suffix_re = re.compile(rules.alternation(f.suffixes))
        self.deny_endings = tuple(f.deny_endings)
        self.deny_starts = tuple(f.deny_starts)
        self.deny_inside_re = re.compile(rules.alternation(f.deny_inside) or "(?!)")
        self.generic_prefixes = tuple(f.generic_prefixes)
        generic_words = [w for w, e in entries.items() if e.generic]
        self.general_re = re.compile(
            f"(?:{rules.alternation(f.generic_prefixes) or '(?!)'})?(?:{rules.alternation(f.broad_modifiers) or '(?!)'})*"
            f"(?:{rules.alternation([*f.general_nouns, *generic_words])})"
        )
        self.distributive = tuple(f.distributive_prefixes)
        self.general_nouns = tuple(f.general_nouns)
        self.bare_general_re = re.compile(rules.alternation(f.general_nouns))
        self.appositions = tuple(r.subject.appositions)
        self.self_words = tuple(r.subject.self_words)
        self.object_openers = tuple(r.subject.object_openers)
        self.duties = frozenset(r.subject.duties)
        s, ro = r.subject, r.roles
        modal = _word_pattern(s.modals, s.not_modals, s.still_modals)
        time = f"(?:{rules.alternation(s.time_words)})(?:{rules.alternation(s.time_suffixes) or '(?!)'})?" if s.time_words else "(?!)"
        openers = f"{rules.alternation(s.openers) or '(?!)'}|{time}"
        people = f"(?:的)?(?:{rules.alternation(s.persons)})" if s.persons else "(?!)"
        self.gap_re = re.compile(
            f"(?:{people}|{rules.alternation(s.adverbs) or '(?!)'}|在[^在，,。；;：:]{{1,20}}?(?:中|上|时|期间|过程中|方面)"
            f"|对[^对，,。；;：:]{{1,20}}|(?:{rules.alternation(s.manner) or '(?!)'})[^，,。；;：:]{{1,15}})$"
        )
        self.leading_re = re.compile(f"{_LEADING}|(?:{openers})+")
        # any short phrase that ends like a time (防汛关键期): before a gazetteer body only
        self.time_phrase_re = re.compile(f"[^，,。；;：:的]{{1,6}}(?:{rules.alternation(s.time_endings) or '(?!)'})")
        self.time_phrase_max = 6 + max(map(len, s.time_endings), default=0)  # no such phrase is longer
        lead = rules.alternation(ro.lead_verbs)
        assist = rules.alternation(ro.assist_verbs)
        declared = rules.alternation(s.declared) or "(?!)"
        duties = rules.alternation(s.duties) or "(?!)"
        # where a subject's predicate may start: a modal, a role verb with no modal before it (负责
        # but not 负责人, a person), or a declaration of responsibility (X是…的责任主体, X负主体责任)
        self.predicate_re = re.compile(
            f"{modal}|{_word_pattern(ro.lead_verbs, s.persons)}|{assist}|{rules.alternation(ro.join_words) or '(?!)'}"
            f"|是(?=[^，,。；;：:！？]{{0,30}}?(?:{declared}))|{duties}"
        )
        self.modal_re = re.compile(modal)
        manner = f"(?:{rules.alternation(ro.role_adverbs)})?" if ro.role_adverbs else ""
        self.lead_re = re.compile(f"{manner}(?:{lead})(?!同志|人)")
        self.assist_re = re.compile(f"{manner}(?:{assist})")
        self.lead_verbs = set(ro.lead_verbs)
        self.assist_verbs = set(ro.assist_verbs)
        self.join_verbs = set(ro.join_words)
        self.opener_re = re.compile(f"(?:{openers})+")
        self.continuation_re = re.compile(f"(?:{rules.alternation(s.continuations)})" if s.continuations else "(?!)")
        self.reporting_re = re.compile(rules.alternation(s.reporting) or "(?!)")
        self.addressing_re = re.compile(f"(?:{rules.alternation(s.addressing) or '(?!)'})[，,：:]?")
        self.topic_particles = tuple(s.topic_particles)
        self.reported_re = re.compile(rules.alternation([*s.past_times, *s.citing]) or "(?!)")
        tails = rules.alternation(r.generic_tails) or "(?!)"
        self.tail_re = re.compile(f"(?:{tails})(?:[、和](?:{tails}))?")
        self.past_re = re.compile(f"(?:{rules.alternation(s.past_exceptions) or '(?!)'})|(?P<past>{rules.alternation(s.past) or '(?!)'})")
        self.note_roles: dict[str, Role] = {v: "lead" for v in ro.lead_verbs}
        self.note_roles |= {v: "assist" for v in ro.assist_verbs}
        self.note_roles |= {k: v for k, v in ro.labels.items() if v != "owner"}
        self.by_re = re.compile(f"(?:{rules.alternation(ro.by_frames)})(?P<who>[^，,。；;：:！？\n]{{1,40}}?)(?P<verb>{lead}|会同)")
        self.join_re = re.compile(rules.alternation(ro.join_words) or "(?!)")
        self.label_re = re.compile(f"(?P<label>{rules.alternation(ro.labels)})[：:]" if ro.labels else "(?!)")
        self.labels = dict(ro.labels)
        self.label_stop_re = re.compile(r"[；;。\n]|" + self.label_re.pattern)
        self.as_label_re = re.compile(f"(?:作为|为)(?P<label>{rules.alternation(ro.labels)})" if ro.labels else "(?!)")
        self.closer_re = re.compile(
            f"等(?:[\\d一二三四五六七八九十]+个)?(?:相关|有关|其他|各)?(?:{rules.alternation(r.closer_nouns) or '(?!)'})?"
        )
        # cheap filters: the characters a body name can end with, and start with
        self.final_chars = frozenset(w[-1] for w in (*entries, *f.suffixes, *r.stem_suffixes, *r.closer_nouns))
        self.initial_chars = frozenset(w[0] for w in (*entries, *self.levels))
        # the characters a place (see _is_place) can end with: a place ending's, a mask's, a name's
        self.place_final_chars = frozenset(
            [w[-1] for w in (*self.place_endings, *(w for w, e in entries.items() if not e.stem))] + list("*＊×xX")
        )
        self.trigger_re = re.compile(
            "|".join(x for x in (modal, lead, assist, rules.alternation(ro.join_words), rules.alternation(ro.labels), rules.alternation(s.declared), rules.alternation(s.duties)) if x)
        )
        # a sentence with none of these assigns nothing: every way of finding a unit needs a
        # trigger or (供水、供电等部门，也要…) a continuation in the sentence
        self.sentence_trigger_re = re.compile(f"{self.trigger_re.pattern}|{self.continuation_re.pattern}")
        # none of the frames (由X牵头, 会同X, 联合X, X为牵头单位, 牵头单位：X) without one of these words
        self.frame_cue_re = re.compile(
            "|".join(x for x in (lead, "会同", rules.alternation(ro.join_words), rules.alternation(ro.labels)) if x)
        )

    # -- items ------------------------------------------------------------------------------

    def _level_inside(self, alias: str) -> str | None:
        """The level an alias begins with (市 in 市委办), if any."""
        for p, level in self.levels.items():
            if level and len(alias) > len(p) and alias.startswith(p):
                return level
        return None

    def _canonical(self, entry: _Entry, prefix: str | None) -> str:
        if entry.generic or not prefix:
            return entry.name
        level = self.levels.get(prefix, prefix)
        return level + (entry.level_name or entry.name) if level else entry.name

    def reports_past(self, text: str, start: int, end: int) -> bool:
        """text[start:end] narrates the past (开展了, 已经), 了解 and 通过 aside."""
        return any(m.group("past") for m in self.past_re.finditer(text, start, end))

    def match_at(self, chunk: str, pos: int) -> re.Match | None:
        """The longest gazetteer match at *pos*, with or without a level prefix (各级党委政府, not 各级+党委)."""
        if pos >= len(chunk) or chunk[pos] not in self.initial_chars:
            return None  # no name or level starts with this character
        a = self.alias_re.match(chunk, pos)
        if a is None or a.group("pre") is None:
            return a  # without a prefix the bare match is this one; with none at all there is none
        b = self.bare_re.match(chunk, pos)
        return b if b is not None and b.end() > a.end() else a

    def entry_of(self, m: re.Match) -> tuple[_Entry, str | None]:
        """The gazetteer entry an alias match names, and the level prefix left before it."""
        pre, alias = m.group("pre"), m.group("alias")
        core = (pre or "") + alias
        if core in self.entries:  # the prefixed form is itself listed (各执法部门, 市直有关部门)
            return self.entries[core], None
        return self.entries[alias], pre

    def known_item(self, chunk: str, m: re.Match, offset: int = 0) -> _Item | None:
        """The body an alias match names, or None (政府 without a level is no body)."""
        entry, pre = self.entry_of(m)
        if entry.needs_prefix and not (pre and self.levels.get(pre)):
            return None
        stem = entry.stem and not m.group("suf")
        name = self._canonical(entry, pre)
        # 各燃气企业: every gas company, a general kind however narrowed
        generic = entry.generic or (pre in self.distributive and m.group(0).endswith(self.general_nouns))
        return _Item(m.start() + offset, m.end() + offset, m.group(0), name, generic, True, stem)

    def unknown_item(self, text: str, start: int) -> _Item | None:
        """A body named by a place + gazetteer name (淄博市应急局) or by its form (…服务中心)."""
        n = len(text)
        if n < 2 or n > _MAX_NAME or not _CJK_NAME.fullmatch(text) or text.startswith(self.deny_starts):
            return None
        for i in range(1, n - 1):
            if text[i - 1] not in self.place_final_chars:
                continue  # no place ends here (a cheap test before _is_place)
            place = text[:i]
            if not self._is_place(place) or self.deny_inside_re.search(place):
                continue
            m = self.alias_re.fullmatch(text, i)
            item = self.known_item(text, m) if m else None
            if item is None or item.stem:
                continue
            if item.generic:  # 滨海县各乡镇, 中省驻市企业: still generic; **街道 is one body
                if text.startswith(self.generic_prefixes, i) or self.general_re.fullmatch(text):
                    return _Item(start, start + n, text, item.name, True, True, False)
                continue
            entry, pre = self.entry_of(m)
            name = self._canonical(entry, place + (self.levels.get(pre, pre) if pre else ""))
            return _Item(start, start + n, text, name, False, True, False)
        if n < 3 or n > 20 or "、" in text or self.deny_inside_re.search(text):
            return None
        if not text.endswith(self.suffixes) or text.endswith(self.deny_endings):
            return None
        # 重点行业领域主管部门, 各危险化学品企业; not 危险化学品企业, 各包靠督导组
        generic = bool(self.general_re.fullmatch(text)) or (
            text.startswith(self.distributive) and text.endswith(self.general_nouns)
        )
        return _Item(start, start + n, text, text, generic, False, False)

    def _is_place(self, text: str) -> bool:
        """*text* names a place or a body that may precede another name (滨海县, **, 安委会)."""
        return bool(
            text.endswith(self.place_endings)
            or _MASK.fullmatch(text)
            or (text in self.entries and not self.entries[text].stem)
        )

    def parse_list(
        self, chunk: str, offset: int, whole: bool, known_only: bool = False
    ) -> tuple[list[_Item], bool, int] | None:
        """Split a coordinated list of bodies (``应急、自规等部门``).

        Returns (items, closed by 等…, end of the list in *chunk*), or None when *chunk* is no list
        of bodies. With *whole*, the list must fill the chunk; else it may stop early. With
        *known_only*, only gazetteer names count.
        """
        n = len(chunk)
        items: list[_Item] = []
        pos = 0
        closed = False
        while pos < n:
            item = None
            m = self.match_at(chunk, pos)
            tail = None
            if m:
                e = m.end()
                if self.entries[m.group("alias")].generic:  # 各乡镇党委、政府
                    tail = self.tail_re.match(chunk, e)
                    e = tail.end() if tail else e
                boundary = e == n or self.separator_re.match(chunk, e) or chunk.startswith(("等", "（", "("), e)
                juxtaposed = (
                    e < n
                    and self.entries[m.group("alias")].generic
                    and (nxt := self.match_at(chunk, e)) is not None
                    and self.entries[nxt.group("alias")].generic
                )
                if boundary or juxtaposed:
                    item = self.known_item(chunk, m, offset)
                    if item and tail:
                        item = replace(item, end=offset + e, text=chunk[m.start():e])
            if item is None and not known_only:
                item = self._unknown_at(chunk, pos, offset, whole, m.end() if m else None)
            if item is None and m and not whole:  # a body followed by its predicate: 企业年度预算中必须…
                item = self.known_item(chunk, m, offset)
            if item is None and items and items[-1].generic and items[-1].text.startswith(self.distributive):
                item = self._shared_kind(chunk, pos, offset)  # 各乡镇、部门: 部门 shares the 各
            if item is None:
                if whole or not items:
                    return None
                break
            items.append(item)
            pos = item.end - offset
            note = _NOTE.match(chunk, pos)  # 市城管局（综合行政执法局）: the other name adds nothing
            if note:
                pos = note.end()
            if chunk.startswith("等", pos):
                c = self.closer_end(chunk, pos, whole)
                if c is not None:
                    closed, pos = True, c
                    break
            s = self.separator_re.match(chunk, pos)
            if s and s.end() < n:
                pos = s.end()
            elif pos < n and not self.match_at(chunk, pos):
                break
        if whole and pos != n:
            return None
        if not items:
            return None
        return items, closed, pos

    def _shared_kind(self, chunk: str, pos: int, offset: int) -> _Item | None:
        """A bare general noun (部门) after a distributed name in a list: generic, its own unit."""
        m = self.bare_general_re.match(chunk, pos)
        if m is None:
            return None
        e = m.end()
        if not (e == len(chunk) or self.separator_re.match(chunk, e) or chunk.startswith("等", e)):
            return None
        return _Item(offset + pos, offset + e, m.group(0), m.group(0), True, False, False)

    def closer_end(self, chunk: str, pos: int, whole: bool) -> int | None:
        """End of a list closer at *pos*: 等, 等相关部门, 等3个部门, 等通信运营商."""
        c = self.closer_re.match(chunk, pos)
        end = c.end()
        if not whole or end == len(chunk):
            return end
        rest = chunk[end:]
        m = self.match_at(rest, 0)
        if (m and m.end() == len(rest)) or (len(rest) <= 8 and rest.endswith(self.suffixes)):
            return len(chunk)
        return None

    def _unknown_at(self, chunk: str, pos: int, offset: int, whole: bool, alias_end: int | None) -> _Item | None:
        """A body not in the gazetteer starting at *pos*: up to a separator, or (in a longer
        clause) up to the end of its name's suffix; a gazetteer name may only grow a short tail
        (应急管理局执法支队)."""
        n = len(chunk)
        window = min(n, pos + _MAX_NAME)  # no name is longer (see unknown_item)
        cuts = {s.start() for s in self.separator_re.finditer(chunk, pos + 1, window + 1)}
        cuts |= {i for i in (chunk.find("等", pos + 1, window + 1),) if i > 0}
        cuts.add(n)
        if not whole:
            cuts |= {m.end() for m in self.suffix_re.finditer(chunk, pos, min(n, pos + 20))}
        limit = min(alias_end + 8 if alias_end is not None else n, window)
        if alias_end is not None and chunk.startswith(self.deny_starts, alias_end):
            return None  # 市纪委监委对…: the name ended where an object or a clause begins
        # a name (known after a place, or by its suffix) ends with a character a name can end with
        order = sorted((q for q in cuts if max(pos, alias_end or 0) < q <= limit and chunk[q - 1] in self.final_chars),
                       reverse=not whole)
        for q in order:
            item = self.unknown_item(chunk[pos:q], offset + pos)
            if item:
                return item
        return None

    @staticmethod
    def licensed(items: list[_Item], closed: bool, tight: bool) -> bool:
        """Bare stems (应急, 公安) are bodies only in a list closed by 等…, beside a full name, or in a tight frame."""
        if not any(i.stem for i in items):
            return True
        return closed or tight or any(not i.stem and not i.generic for i in items)

    def strip_gap(self, head: str) -> str:
        """Drop what stands between a subject and its modal: people, time words, 在…中."""
        while head:
            m = self.gap_re.search(head)
            if not m or m.start() == 0:
                break
            head = head[: m.start()]
        return head

    def subject_list(self, head: str, offset: int) -> tuple[list[_Item], bool, int] | None:
        """The body list a subject names, whole (负有安全监管职责的部门) or after a relative
        clause (与群众生活密切相关的供水、供电等部门); none after 对…的 (an object)."""
        lead = self.leading_re.match(head)
        if lead and lead.end() < len(head):
            parsed = self.parse_list(head[lead.end():], offset + lead.end(), whole=True)
            if parsed:
                return parsed
        parsed = self.parse_list(head, offset, whole=True)
        if parsed and all(i.known for i in parsed[0]):
            return parsed
        for i in range(2, len(head)):  # 防汛关键期各乡镇 / 麦收各乡镇: an adverbial before a gazetteer body
            if head[i] in self.initial_chars and (
                (i <= self.time_phrase_max and self.time_phrase_re.fullmatch(head, 0, i))
                or (
                    head.startswith(self.generic_prefixes, i)
                    and not (self._is_place(head[:i]) or self.alias_re.fullmatch(head, 0, i))
                )
            ):
                timed = self.parse_list(head[i:], offset + i, whole=True, known_only=True)
                if timed:
                    return timed
        if parsed or "的" not in head:
            return parsed
        i = head.rfind("的")
        if head.startswith(self.object_openers) or i == len(head) - 1:
            return None
        return self.parse_list(head[i + 1:], offset + i + 1, whole=True)


def lexicon() -> Lexicon:
    """The compiled rules in force (compiled again when rules.use_directory loads new ones)."""
    return rules.compiled(Lexicon, ("units", UnitRules))


# ---------------------------------------------------------------------------------------------
# finding units

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_CLAUSE = re.compile(r"[^，,：:]+")
_CLAUSE_END = re.compile(r"[，,。；;：:！？\n]")


def _role_after(lex: Lexicon, text: str, pos: int, verb: str) -> Role:
    if verb in lex.lead_verbs:
        return "lead"
    if verb in lex.assist_verbs:
        return "assist"
    if verb in lex.join_verbs:
        return "owner"
    if lex.lead_re.match(text, pos):
        return "lead"
    if lex.assist_re.match(text, pos):
        return "assist"
    return "owner"


def _unit(item: _Item, role: Role) -> Unit:
    return Unit(
        text=item.text,
        name=item.name,
        role=role,
        generic=item.generic,
        inherited=False,
        known=item.known,
        span=(item.start, item.end),
    )


def _subject(lex: Lexicon, text: str, ss: int, cs: int, ce: int, next_clause: tuple[int, int] | None,
             marker: re.Pattern[str]) -> list[Unit]:
    """Units of one clause text[cs:ce] whose subject is a body list (X要… / X牵头…); the
    sentence starts at *ss*."""
    m = marker.match(text, cs, ce)
    if m:
        cs = m.end()
    ns, ne = next_clause if next_clause is not None else (ce, ce)
    # a subject clause that goes on after a comma is short (供水、供电等部门，也要…)
    continued = next_clause is not None and ce - cs <= _MAX_SUBJECT_CLAUSE and lex.continuation_re.match(text, ns, ne)
    colon = next_clause is not None and text[ce:ce + 1] in "：:"
    if not (continued or colon or lex.predicate_re.search(text, cs, ce)):
        return []
    m = lex.opener_re.match(text, cs, ce)
    if m:
        cs = m.end()
    clause = text[cs:ce]
    if not clause:
        return []
    for p in lex.predicate_re.finditer(clause):
        if p.start() == 0:
            continue
        if p.start() > _MAX_LIST:
            break  # a subject this long is no list of bodies
        head = lex.strip_gap(clause[: p.start()])
        if not head or head[-1] not in lex.final_chars:
            continue
        shift = 0
        for r in lex.reporting_re.finditer(head):  # 市委要求各地要…: the required body is the subject
            shift = r.end()
        parsed = lex.subject_list(head[shift:], cs + shift) if shift < len(head) else None
        if not parsed:
            continue
        items, closed, _ = parsed
        if not lex.licensed(items, closed, tight=False):
            return []
        if (p.group(0) == "是" or p.group(0) in lex.duties) and not all(i.known for i in items):
            continue  # 明确企业是…责任主体: a declaration names a gazetteer body, not a verb and its object
        if not lex.modal_re.match(p.group(0)) and (
            lex.reports_past(text, cs + p.end(), min(ce, cs + p.end() + _MAX_LIST))
            or lex.reported_re.search(text, max(ss, cs + p.start() - _MAX_LIST), cs + p.start())
        ):
            return []  # 市应急局牵头开展了… / 今年以来，X牵头… / 《安全生产法》规定，X负责…: not assigned
        before = clause[: p.start()]
        if before.count("“") > before.count("”"):  # X按照“谁主管、谁负责”的原则…: a quoted verb gives no role
            role: Role = "owner"
        else:
            role = _role_after(lex, text, cs + p.end(), p.group(0))
        units = [_unit(i, role) for i in items]
        if p.group(0) in lex.join_verbs:
            units += _joined(lex, text, cs + p.end(), ce)
        return units
    if len(clause) > _MAX_LIST:
        return []
    if continued:  # 供水、供电、供气等部门，也要…
        parsed = lex.subject_list(clause, cs)
        if parsed and lex.licensed(parsed[0], parsed[1], tight=False):
            return [_unit(i, "owner") for i in parsed[0]]
    elif colon and (p := lex.predicate_re.match(text, ns, ne)):  # 市应急局：负责…
        parsed = lex.subject_list(clause, cs)
        if parsed and lex.licensed(parsed[0], parsed[1], tight=True):
            return [_unit(i, _role_after(lex, text, p.end(), p.group(0))) for i in parsed[0]]
    return []


def _addressed_before(lex: Lexicon, text: str, clause: tuple[int, int], subject: list[Unit]) -> list[Unit]:
    """各乡镇、城区，各有关部门要…: a clause that is only a list of bodies, right before the clause
    whose subject takes the modal, is addressed too (same role)."""
    cs, ce = clause
    m = lex.opener_re.match(text, cs, ce)
    if m:
        cs = m.end()
    if cs >= ce or subject[0].span[0] > ce + 2:  # the subject must open its clause
        return []
    parsed = lex.parse_list(text[cs:ce], cs, whole=True)
    if not parsed or not lex.licensed(parsed[0], parsed[1], tight=False):
        return []
    return [_unit(i, subject[0].role) for i in parsed[0]]


def _sentence_head(lex: Lexicon, text: str, clauses: list[tuple[int, int]], marker: re.Pattern[str]) -> list[Unit]:
    """A body at the head of a sentence whose modal comes later: 各有关部门承担着…，必须…"""
    cs, ce = clauses[0]
    m = marker.match(text, cs, ce)
    if m:
        cs = m.end()
    m = lex.opener_re.match(text, cs, ce)
    if m:
        cs = m.end()
    if cs >= ce or text[cs] not in lex.initial_chars:
        return []
    parsed = lex.parse_list(text[cs:min(ce, cs + _MAX_LIST)], cs, whole=False, known_only=True)
    if not parsed:
        return []
    items, closed, end = parsed
    after = cs + end
    if after >= ce or text[after] in "的“《之\"" or lex.predicate_re.match(text, after):
        return []
    if not lex.licensed(items, closed, tight=False):
        return []
    modal = lex.modal_re.search(text, after, ce)
    if modal is None and len(clauses) > 1:
        modal = lex.modal_re.match(text, *clauses[1])
    if modal is None:
        return []
    between = text[after:modal.start()]
    if lex.reporting_re.search(between) or lex.reports_past(text, after, modal.start()):
        return []
    others = [a for a in lex.alias_re.finditer(between) if not between.endswith(lex.self_words, 0, a.start())]
    if others and not between.startswith(lex.appositions):  # another subject; 市住建局作为行业主管部门，要… is none
        return []
    role = _role_after(lex, text, modal.end(), modal.group(0))
    return [_unit(i, role) for i in items]


def _topic(lex: Lexicon, text: str, clauses: list[tuple[int, int]]) -> list[Unit]:
    """Spoken: 文旅局啊，长假期间游客多，…一定要落实到位 — a clause that is a body list and a topic
    particle, with a modal in a later clause of the sentence."""
    for k, (cs, ce) in enumerate(clauses[:-1]):
        if not text.endswith(lex.topic_particles, cs, ce):
            continue
        particle = next(p for p in lex.topic_particles if text.endswith(p, cs, ce))
        m = lex.opener_re.match(text, cs, ce - len(particle))
        start = m.end() if m else cs
        head = lex.strip_gap(text[start:ce - len(particle)])  # 各村的书记啊，…: the people stand for the body
        parsed = lex.parse_list(head, start, whole=True) if head else None
        if not parsed or not lex.licensed(parsed[0], parsed[1], tight=False):
            continue
        modal = next((mm for a, b in clauses[k + 1:] if (mm := lex.modal_re.search(text, a, b))), None)
        if modal is None:
            return []
        return [_unit(i, _role_after(lex, text, modal.end(), modal.group(0))) for i in parsed[0]]
    return []


def _joined(lex: Lexicon, text: str, start: int, end: int) -> list[Unit]:
    """联合公安、交通等部门 / 会同有关部门: the joined bodies assist."""
    parsed = lex.parse_list(text[start:min(end, start + _MAX_LIST)], start, whole=False)
    if not parsed:
        return []
    items, closed, _ = parsed
    if not lex.licensed(items, closed, tight=closed):
        return []
    return [_unit(i, "assist") for i in items]


def _frames(lex: Lexicon, text: str, ss: int, se: int) -> list[Unit]:
    """由X牵头, 联合/会同X, 牵头单位：X anywhere in a sentence."""
    units: list[Unit] = []
    if not lex.frame_cue_re.search(text, ss, se):
        return units
    for m in lex.by_re.finditer(text, ss, se):
        stop = _clause_end(text, m.end(), min(se, m.end() + _MAX_LIST))
        if lex.reports_past(text, m.end(), stop) or lex.reported_re.search(text, max(ss, m.start() - _MAX_LIST), m.start()):
            continue
        who = lex.strip_gap(m.group("who"))
        parsed = lex.parse_list(who, m.start("who"), whole=True)
        if parsed and lex.licensed(parsed[0], parsed[1], tight=True):
            units += [_unit(i, "lead") for i in parsed[0]]
            if m.group("verb") == "会同":
                units += _joined(lex, text, m.end(), stop)
    for m in lex.join_re.finditer(text, ss, se):
        stop = _clause_end(text, m.end(), min(se, m.end() + _MAX_LIST))
        prev = text[m.start() - 1] if m.start() > ss else "，"
        modal = lex.modal_re.search(text, max(ss, m.start() - 4), m.start())
        if not modal and lex.reports_past(text, m.end(), stop):
            continue
        if prev in "，,；;：:。 要并和及、" or modal:
            units += _joined(lex, text, m.end(), stop)
    for m in lex.as_label_re.finditer(text, ss, se):  # 市应急局为牵头单位
        lo = max(ss, m.start() - _MAX_LIST)
        cs = max(lo, text.rfind("，", lo, m.start()) + 1, text.rfind(",", lo, m.start()) + 1)
        parsed = lex.subject_list(lex.strip_gap(text[cs:m.start()]), cs) if m.start() > cs else None
        if parsed:
            units += [_unit(i, lex.labels[m.group("label")]) for i in parsed[0]]
    for m in lex.label_re.finditer(text, ss, se):
        role = lex.labels[m.group("label")]
        limit = min(se, m.end() + _MAX_LIST)
        stop = lex.label_stop_re.search(text, m.end(), limit)
        e = stop.start() if stop else limit
        chunk = text[m.end():e].replace("，", "、").replace(",", "、").rstrip("、 ")
        parsed = lex.parse_list(chunk, m.end(), whole=False)
        if parsed:
            units += [_unit(i, role) for i in parsed[0]]
    return units


def _noted_role(lex: Lexicon, text: str, unit: Unit) -> Unit:
    """市住建局（牵头）、市城管局: a role noted in brackets after the body wins."""
    note = _NOTE.match(text, unit.span[1])
    role = lex.note_roles.get(note.group(0)[1:-1]) if note else None
    return unit.model_copy(update={"role": role}) if role else unit


def _clause_end(text: str, i: int, limit: int) -> int:
    m = _CLAUSE_END.search(text, i, limit)
    return m.start() if m else limit


def _merge(units: list[Unit], several: tuple[str, ...]) -> list[Unit]:
    """One unit per body (by canonical name, by surface for a name of *several* bodies): the
    first mention, but lead/assist beat owner."""
    out: dict[str, Unit] = {}
    for u in units:
        key = u.text if u.name.endswith(several) else u.name
        have = out.get(key)
        if have is None:
            out[key] = u
        elif have.role == "owner" and u.role != "owner":
            out[key] = have.model_copy(update={"role": u.role})
    return list(out.values())


def find_units(text: str, start: int, end: int) -> list[Unit]:
    """The bodies assigned work in text[start:end], in order; spans in the same coordinates."""
    lex = lexicon()
    if not lex.trigger_re.search(text, start, end):
        return []
    marker = _marker_re()
    found: list[Unit] = []
    for s in _SENTENCE.finditer(text, start, end):
        ss, se = s.start(), s.end()
        if not lex.sentence_trigger_re.search(text, ss, se):
            continue
        clauses = []
        for c in _CLAUSE.finditer(text, ss, se):
            a, b = c.span()
            if text[b - 1] in "。！？!?；;":
                b -= 1
            if b > a:
                clauses.append((a, b))
        if not clauses:
            continue
        # _subject finds a subject only before a predicate in its clause, a colon or a continuation:
        # the predicates of the whole sentence in one search (none spans a clause break)
        predicates = [p.start() for p in lex.predicate_re.finditer(text, ss, se)]
        units: list[Unit] = []
        for k, (cs, ce) in enumerate(clauses):
            nxt = clauses[k + 1] if k + 1 < len(clauses) else None
            i = bisect_left(predicates, cs)
            if not (i < len(predicates) and predicates[i] < ce) and (
                nxt is None or not (text[ce:ce + 1] in "：:" or lex.continuation_re.match(text, *nxt))
            ):
                continue
            found_here = _subject(lex, text, ss, cs, ce, nxt, marker)
            if found_here and k and not units:
                found_here = _addressed_before(lex, text, clauses[k - 1], found_here) + found_here
            units += found_here
        if not units or units[0].span[0] > clauses[0][1]:
            units += _sentence_head(lex, text, clauses, marker)
        if not units:
            units += _topic(lex, text, clauses)
        units += _frames(lex, text, ss, se)
        units.sort(key=lambda u: u.span[0])
        found += [_noted_role(lex, text, u) for u in units]
    return _merge(found, lex.several)


# ---------------------------------------------------------------------------------------------
# the stage


_LEAD_IN_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def _lead_in_units(doc: Doc, span: tuple[int, int]) -> list[Unit]:
    """Units of the last sentence of the lead-in that names any: assigned (X要…) or addressed
    (希望X…：, 要求X：, X、Y：)."""
    s, e = span
    sentences = [(m.start(), m.end()) for m in _LEAD_IN_SENTENCE.finditer(doc.text, s, e)]
    for a, b in reversed(sentences):
        units = find_units(doc.text, max(a, s), b) or addressees(doc.text, max(a, s), b)
        if units:
            return units
    return []


def addressees(text: str, start: int, end: int) -> list[Unit]:
    """The bodies a lead-in sentence text[start:end] addresses without assigning them work itself:
    after 希望/要求/请 (希望各级各部门努力做好…), or a list that is its whole last clause (各乡镇、各部门：)."""
    lex = lexicon()
    spots = [m.end() for m in lex.addressing_re.finditer(text, start, end)]
    clause = max(text.rfind(sep, start, end - 1) for sep in "，,。；") + 1
    clause = max(clause, start)
    for pos in [*sorted(spots, reverse=True), clause]:  # after 希望/要求 first, then a bare list
        m = lex.opener_re.match(text, pos, end)
        pos = m.end() if m else pos
        stop = _clause_end(text, pos, end)
        parsed = lex.parse_list(text[pos:stop], pos, whole=False)
        if not parsed or not lex.licensed(parsed[0], parsed[1], tight=False):
            continue
        items, _, list_end = parsed
        after = text[pos + list_end:pos + list_end + 1]
        if pos == clause and after not in ("：", ":"):
            continue  # a bare list addresses only when it is the whole clause before the colon
        units = [_unit(i, "owner") for i in items]
        while after in ("，", ","):  # 要求各乡镇、城区，县直各部门：
            nxt = pos + list_end + 1
            stop = _clause_end(text, nxt, end)
            more = lex.parse_list(text[nxt:stop], nxt, whole=True)
            if not more or not lex.licensed(more[0], more[1], tight=False):
                break
            units += [_unit(i, "owner") for i in more[0]]
            pos, list_end = nxt, more[2]
            after = text[pos + list_end:pos + list_end + 1]
        return units
    return []


def run(doc: Doc) -> None:
    several = lexicon().several
    lead_ins: dict[tuple[int, int], list[Unit]] = {}
    for task in doc.tasks:
        units: list[Unit] = []
        for s, e in task.own:
            units += find_units(doc.text, s, e)
        units = _merge(units, several)
        if not units:
            if task.parent is not None and doc.tasks[task.parent].units:
                source = doc.tasks[task.parent].units
            elif task.lead_in is not None:
                if task.lead_in not in lead_ins:
                    lead_ins[task.lead_in] = _lead_in_units(doc, task.lead_in)
                source = lead_ins[task.lead_in]
            else:
                source = []
            units = [u.model_copy(update={"inherited": True}) for u in source]
        task.units = units


# ---------------------------------------------------------------------------------------------
# jieba user dictionary


def user_dictionary_lines(r: UnitRules | None = None) -> list[str]:
    """``word freq nt`` lines: every gazetteer name and alias, each stem with each stem suffix
    (住建部门), and short names with a level prefix (市安委办, 县应急局)."""
    r = r or load_rules()
    levels = [p.text for p in r.prefixes if len(p.text) == 1 and p.level in ("市", "县", "区")]
    words: dict[str, None] = {}
    for b in r.bodies:
        for w in b.names:
            if not b.needs_prefix:
                words[w] = None
            if len(w) <= 4 and w[0] not in levels:
                for p in levels:
                    words[p + w] = None
        for stem in b.stems:
            for suffix in r.stem_suffixes:
                words[stem + suffix] = None
    for g in r.generic:
        for w in g.names:
            words[w] = None
    return [f"{w} {USER_DICTIONARY_FREQ} nt" for w in words if _DICT_WORD.fullmatch(w)]


def write_user_dictionary(path: Path = USER_DICTIONARY) -> Path:
    from .fsutil import write_atomic

    write_atomic(path, "\n".join(user_dictionary_lines()) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m speech_tasks.units userdict [PATH]``: write the jieba user dictionary."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "userdict" or len(args) > 2:
        print("usage: python -m speech_tasks.units userdict [PATH]", file=sys.stderr)
        return 2
    try:
        path = write_user_dictionary(Path(args[1]) if len(args) > 1 else USER_DICTIONARY)
    except rules.RulesError as e:
        print(f"speech-tasks: {e}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
