"""How alike two directives are: text backends plus structured features of a task.

A :class:`TaskView` is a task reduced to what comparing needs (normalised text, heading,
canonical units, normalised deadlines, sectors). A backend turns texts into a cosine-similarity
matrix; :func:`similarity_matrix` mixes its text scores with the structured features using the
weights of ``rules/diff.yaml``.

Backends share one interface, :class:`Backend`: ``matrix(a_texts, b_texts, corpus)``.
- ``tfidf`` (default, no model): character n-gram TF-IDF over normalised text, idf from *corpus*.
- ``transformers``: sentence embeddings of a local model directory (:mod:`.embeddings`).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from ..models import Deadline, Task, TaskSheet, Unit
from .config import DiffRules

if TYPE_CHECKING:
    import numpy as np


class BackendError(Exception):
    """The similarity backend cannot be used (missing extra, unreadable model); one line says why."""


# ---------------------------------------------------------------------------------------------
# Task views


@dataclass(frozen=True)
class TaskView:
    """A task as the diff compares it."""

    index: int
    task: Task
    parent: int | None  # index of the parent view
    depth: int
    has_children: bool
    full: str  # normalised text, children included (units and deadlines left out)
    own: str  # normalised text with the children cut out (units and deadlines left out)
    own_text: str  # the task's own text as written (children cut out)
    head: str  # normalised heading
    units: frozenset[tuple[str, str]]  # (canonical name, role) of the named bodies that own the task
    units_inherited_only: bool  # `units` comes from the lead-in or parent, not the task itself
    generic: frozenset[str]  # names of the generic addressees (各地, 有关部门 …), as written
    deadlines: tuple[Deadline, ...]  # the task's own deadlines (not its children's)
    deadline_sigs: tuple[DeadlineSig, ...]
    sectors: frozenset[str]


@lru_cache(maxsize=None)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(words)) if words else None


_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str, rules: DiffRules) -> str:
    """Text reduced to letters and digits, the enumeration marker at its start removed."""
    text = text.strip()
    markers = _pattern(tuple(rules.strip_markers))
    if markers is not None:
        m = markers.match(text)
        if m:
            text = text[m.end():]
    return _NON_WORD.sub("", text)


def canonical_unit(name: str, rules: DiffRules) -> str:
    """A unit name without the affixes that do not change which body it is (市…, …部门)."""
    name = _NON_WORD.sub("", name)
    for affix in rules.unit_affixes:
        shorter = _pattern((affix,)).sub("", name, count=1)
        if len(shorter) >= 2:
            name = shorter
    return name


def deadline_key(d: Deadline, rules: DiffRules) -> str:
    """What a deadline means, for comparing: urgency words are one thing; fillers are dropped."""
    if d.kind == "urgency":
        return "urgency"
    fillers = _pattern(tuple(rules.deadline_fillers))
    text = _NON_WORD.sub("", d.text)
    for word, same in rules.deadline_synonyms.items():
        text = text.replace(word, same)
    return fillers.sub("", text) if fillers is not None else text


DeadlineSig = tuple[str, dt.date | None]


def deadline_sig(d: Deadline, rules: DiffRules) -> DeadlineSig:
    """What identifies a deadline: its key, and its due date when it is a calendar date."""
    return deadline_key(d, rules), d.due if d.kind == "date" else None


def _same_sig(x: DeadlineSig, y: DeadlineSig) -> bool:
    if x[1] is not None and y[1] is not None:
        return x[1] == y[1]
    return x[0] == y[0]


def sigs_equal(a: Sequence[DeadlineSig], b: Sequence[DeadlineSig]) -> bool:
    """Same timing: every deadline of each side has an equivalent (same due date, else same key) on the other."""
    return all(any(_same_sig(x, y) for y in b) for x in a) and all(any(_same_sig(y, x) for x in a) for y in b)


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def _cut(task: Task, spans: list[tuple[int, int]]) -> str:
    """The task's text with the (source-offset) *spans* cut out."""
    s0 = task.span[0]
    parts, pos = [], 0
    for s, e in sorted(spans):
        lo, hi = max(s - s0, 0), min(e - s0, len(task.text))
        if lo >= pos:
            parts.append(task.text[pos:lo])
        pos = max(pos, hi)
    parts.append(task.text[pos:])
    return "".join(parts)


_CLAUSE_END = re.compile(r"[。；;：:！!？?\n]")


def _heading(task: Task, own: str) -> str:
    if task.title:
        return task.title
    m = _CLAUSE_END.search(own)
    return own[: m.start()] if m else own[:30]


def task_views(sheet: TaskSheet, rules: DiffRules) -> list[TaskView]:
    """One view per task of *sheet*, in sheet order.

    The texts compared (``full``, ``own``, ``head``) leave out the units and deadlines: who and
    by when are compared on their own, and a reassigned task must still read as the same
    directive while a new task for the same department must not.
    """
    index = {t.id: i for i, t in enumerate(sheet.tasks)}
    child_spans: dict[str, list[tuple[int, int]]] = {}
    for t in sheet.tasks:
        if t.parent in index:
            child_spans.setdefault(t.parent, []).append(tuple(t.span))
    who_when: dict[str, list[tuple[int, int]]] = {t.id: [] for t in sheet.tasks}  # in the subtree
    for t in sheet.tasks:
        spans = [tuple(x.span) for x in (*t.units, *t.deadlines) if t.span[0] <= x.span[0] and x.span[1] <= t.span[1]]
        node: str | None = t.id
        while node in index and node is not None:
            who_when[node].extend(spans)
            node = sheet.tasks[index[node]].parent
    views = []
    depth: dict[str, int] = {}
    for i, t in enumerate(sheet.tasks):
        depth[t.id] = depth.get(t.parent, -1) + 1 if t.parent in index else 0
        children = child_spans.get(t.id, [])
        own_raw = _cut(t, children)
        own_units = [u for u in t.units if u.inherited or not _inside(tuple(u.span), children)]
        own_deadlines = tuple(d for d in t.deadlines if not _inside(tuple(d.span), children))
        units, inherited_only = _owning_units(own_units, rules)
        masked_own = _cut(t, children + who_when[t.id])
        views.append(
            TaskView(
                index=i,
                task=t,
                parent=index.get(t.parent) if t.parent is not None else None,
                depth=depth[t.id],
                has_children=bool(children),
                full=normalise(_cut(t, who_when[t.id]), rules),
                own=normalise(masked_own, rules),
                own_text=own_raw.strip(),
                head=normalise(_heading(t, masked_own), rules),
                units=units,
                units_inherited_only=inherited_only,
                generic=frozenset(u.name for u in own_units if u.generic),
                deadlines=own_deadlines,
                deadline_sigs=tuple(deadline_sig(d, rules) for d in own_deadlines),
                sectors=frozenset(t.sectors),
            )
        )
    return views


def _owning_units(units: list[Unit], rules: DiffRules) -> tuple[frozenset[tuple[str, str]], bool]:
    """Named bodies the task names itself; failing that, the ones it inherits."""
    named = [u for u in units if not u.generic]
    explicit = frozenset((canonical_unit(u.name, rules), u.role) for u in named if not u.inherited)
    if explicit:
        return explicit, False
    inherited = frozenset((canonical_unit(u.name, rules), u.role) for u in named if u.inherited)
    return inherited, bool(inherited)


# ---------------------------------------------------------------------------------------------
# Backends


class Backend(Protocol):
    name: str

    def matrix(self, a: Sequence[str], b: Sequence[str], corpus: Sequence[str]) -> np.ndarray:
        """Cosine similarity in [0, 1] of every text of *a* with every text of *b*.

        *corpus* is every text of both meetings: the documents that inform term weights.
        """
        ...


def ngram_codes(text: str, n: int) -> np.ndarray:
    """The character n-grams of *text* as int64 codes (21 bits per character)."""
    import numpy as np

    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(chars) < n:
        return chars[:0] if len(chars) == 0 or n > 1 else chars
    codes = chars[: len(chars) - n + 1].copy()
    for k in range(1, n):
        codes = (codes << 21) | chars[k: len(chars) - n + 1 + k]
    return codes


def pairwise_dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x @ y.T`` without BLAS: for a meeting's few hundred rows, waking BLAS threads costs more than the sum."""
    import numpy as np

    return np.einsum("ik,jk->ij", x, y)


class TfidfBackend:
    """Character n-gram TF-IDF (sublinear tf, smoothed idf) with cosine similarity; no model needed."""

    name = "tfidf"

    def __init__(self, n: int = 2) -> None:
        self.n = n
        self._idf: tuple[tuple[str, ...], np.ndarray, np.ndarray] | None = None

    def idf(self, corpus: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sorted n-gram codes of *corpus* and their smoothed idf (kept for the last corpus)."""
        import numpy as np

        key = tuple(corpus)
        if self._idf is None or self._idf[0] != key:
            grams = [np.unique(ngram_codes(t, self.n)) for t in corpus]
            vocab, df = np.unique(np.concatenate(grams) if grams else np.zeros(0, np.int64), return_counts=True)
            self._idf = (key, vocab, np.log((1.0 + len(corpus)) / (1.0 + df)) + 1.0)
        return self._idf[1], self._idf[2]

    def weighted(self, texts: Sequence[str], corpus: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sparse TF-IDF rows of *texts*, L2-normalised: (row, n-gram code, weight) per distinct n-gram of a row."""
        import numpy as np

        vocab, idf = self.idf(corpus)
        grams = [ngram_codes(t, self.n) for t in texts]
        rows = np.repeat(np.arange(len(texts)), [len(g) for g in grams])
        codes = np.concatenate(grams) if grams else np.zeros(0, np.int64)
        order = np.lexsort((codes, rows))
        rows, codes = rows[order], codes[order]
        first = np.ones(len(codes), bool)
        first[1:] = (rows[1:] != rows[:-1]) | (codes[1:] != codes[:-1])
        starts = np.flatnonzero(first)
        counts = np.diff(np.append(starts, len(codes)))
        rows, codes = rows[starts], codes[starts]
        pos = np.minimum(np.searchsorted(vocab, codes), max(len(vocab) - 1, 0))
        known = vocab[pos] == codes if len(vocab) else np.zeros(len(codes), bool)
        unseen = np.log(1.0 + len(corpus)) + 1.0
        w = (1.0 + np.log(counts)) * np.where(known, idf[pos] if len(vocab) else 0.0, unseen)
        norms = np.sqrt(np.bincount(rows, weights=w * w, minlength=len(texts)))
        return rows, codes, w / np.where(norms > 0, norms, 1.0)[rows]

    def matrix(self, a: Sequence[str], b: Sequence[str], corpus: Sequence[str]) -> np.ndarray:
        import numpy as np

        ra, ca, wa = self.weighted(a, corpus)
        rb, cb, wb = self.weighted(b, corpus)
        shared = np.intersect1d(ca, cb)  # only n-grams on both sides add to a dot product
        ma = np.zeros((len(a), len(shared)))
        mb = np.zeros((len(b), len(shared)))
        for m, r, c, w in ((ma, ra, ca, wa), (mb, rb, cb, wb)):
            keep = np.isin(c, shared)
            m[r[keep], np.searchsorted(shared, c[keep])] = w[keep]
        return np.clip(pairwise_dot(ma, mb), 0.0, 1.0)


def make_backend(
    name: str, model_dir: str | None, rules: DiffRules, *, pooling: str | None = None, device: str = "cpu"
) -> Backend:
    """The backend called *name*; ``transformers`` needs *model_dir* (and takes *pooling*, *device*)."""
    if name == "tfidf":
        return TfidfBackend(rules.ngram)
    if name == "transformers":
        if not model_dir:
            raise BackendError("--backend transformers needs --model DIR (a local Hugging Face model directory)")
        from .embeddings import TransformersBackend

        return TransformersBackend(model_dir, pooling=pooling, device=device)
    raise BackendError(f"unknown backend {name!r} (known: tfidf, transformers)")


# ---------------------------------------------------------------------------------------------
# Mixing text scores with structured features


@dataclass
class Similarity:
    """Pairwise similarity of two meetings' tasks, with the parts it is made of."""

    total: np.ndarray  # len(a) x len(b), in [0, 1]
    parts: dict[str, np.ndarray]  # feature name -> matrix (NaN where the feature says nothing)


def _jaccard(a: list[frozenset], b: list[frozenset]) -> np.ndarray:
    """Jaccard index of every set of *a* with every set of *b*; NaN where either is empty."""
    import numpy as np

    index = {x: k for k, x in enumerate(sorted(set().union(*a, *b)))}

    def incidence(sets: list[frozenset]) -> np.ndarray:
        m = np.zeros((len(sets), len(index)))
        for i, s in enumerate(sets):
            m[i, [index[x] for x in s]] = 1.0
        return m

    ma, mb = incidence(a), incidence(b)
    inter = pairwise_dot(ma, mb)
    sa, sb = ma.sum(1)[:, None], mb.sum(1)[None, :]
    union = sa + sb - inter
    return np.where((sa > 0) & (sb > 0), inter / np.where(union > 0, union, 1.0), np.nan)


def _deadline_overlap(a: list[TaskView], b: list[TaskView]) -> np.ndarray:
    """Share of deadlines with an equivalent on the other side; NaN where either task has none."""
    import numpy as np

    sigs = list(dict.fromkeys(x for v in (*a, *b) for x in v.deadline_sigs))
    index = {x: k for k, x in enumerate(sigs)}
    same = np.array([[_same_sig(x, y) for y in sigs] for x in sigs], dtype=float).reshape(len(sigs), len(sigs))
    owner = [i for i, v in enumerate(a) for _ in v.deadline_sigs]  # the a task of each of a's deadlines
    of_a = np.zeros((len(owner), len(sigs)))
    of_a[np.arange(len(owner)), [index[x] for v in a for x in v.deadline_sigs]] = 1.0
    in_b = np.zeros((len(b), len(sigs)))
    for j, v in enumerate(b):
        in_b[j, [index[x] for x in v.deadline_sigs]] = 1.0
    matched = (pairwise_dot(pairwise_dot(of_a, same.T), in_b) > 0).astype(float)  # a's deadline has an equivalent in b's task
    hits = np.zeros((len(a), len(b)))
    np.add.at(hits, owner, matched)
    na = np.array([len(v.deadline_sigs) for v in a], dtype=float)[:, None]
    nb = np.array([len(v.deadline_sigs) for v in b], dtype=float)[None, :]
    return np.where((na > 0) & (nb > 0), hits / np.maximum(np.maximum(na, nb), 1.0), np.nan)


def similarity_matrix(a: list[TaskView], b: list[TaskView], backend: Backend, rules: DiffRules) -> Similarity:
    """Weighted mean of the features each pair has (sets only when both sides have some)."""
    import numpy as np

    corpus = [v.own for v in a] + [v.own for v in b]
    parts: dict[str, np.ndarray] = {}
    for field in ("text", "own", "head"):
        attr = "full" if field == "text" else field
        parts[field] = backend.matrix([getattr(v, attr) for v in a], [getattr(v, attr) for v in b], corpus)
    # the whole text (children included) tells only when both tasks hold items: a parent's text
    # contains its items' wording, which would make every item look like its parent
    containers = np.array([v.has_children for v in a], bool)[:, None] & np.array([v.has_children for v in b], bool)[None, :]
    parts["text"] = np.where(containers, parts["text"], np.nan)
    # a heading is often just a topic (消防安全, 道路交通) that a new directive can share: it
    # counts only as far as the bodies agree too
    # under one topic heading (消防安全 = 消防安全) a new directive shares the heading, the body and
    # the sentence frame: only agreement of the own texts makes the two the same directive
    new_under_topic = (parts["head"] >= rules.same_heading.min_head) & (parts["own"] < rules.same_heading.min_own)
    parts["head"] = np.minimum(parts["head"], rules.head_cap * parts["own"])
    parts["sectors"] = _jaccard([v.sectors for v in a], [v.sectors for v in b])
    parts["units"] = _jaccard(
        [frozenset(n for n, _ in v.units) for v in a], [frozenset(n for n, _ in v.units) for v in b]
    )
    parts["deadlines"] = _deadline_overlap(a, b)
    parts["depth"] = (np.array([v.depth for v in a], int)[:, None] == np.array([v.depth for v in b], int)[None, :]).astype(float)
    weights = rules.weights.model_dump()
    num = np.zeros((len(a), len(b)))
    den = np.zeros((len(a), len(b)))
    for name, m in parts.items():
        w = weights[name]
        if w == 0:
            continue
        present = ~np.isnan(m)
        num += np.where(present, m, 0.0) * w
        den += present * w
    total = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    total = np.where(new_under_topic, 0.0, total)
    return Similarity(total=total, parts=parts)
