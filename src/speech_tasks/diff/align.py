"""Which directive of the later meeting continues which directive of the earlier one.

Directives are reordered between meetings, so this is not a sequence alignment: every pair of
tasks gets a similarity (:mod:`.similarity`), a maximum-weight one-to-one assignment keeps the
pairs above the calibrated threshold, and a second pass finds splits (one earlier task carried
on by two later ones) and merges (two earlier tasks carried on by one). A split half must be
similar to the earlier task *and* carry wording of it that the first half does not, so a
look-alike new task on the same subject is not mistaken for one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .config import DiffRules, threshold_for
from .similarity import Backend, Similarity, TaskView, ngram_codes, similarity_matrix

if TYPE_CHECKING:
    import numpy as np

Relation = Literal["one-to-one", "split", "merged"]


@dataclass
class Link:
    a: int  # index into the earlier meeting's views
    b: int  # index into the later meeting's views
    similarity: float
    relation: Relation = "one-to-one"


@dataclass
class Alignment:
    links: list[Link]
    added: list[int]  # later tasks with no counterpart
    dropped: list[int]  # earlier tasks with no counterpart
    similarity: Similarity


def assign(gain: np.ndarray) -> list[tuple[int, int]]:
    """Row/column pairs of a maximum-total-gain one-to-one assignment (gains ≥ 0), sorted.

    SciPy's ``linear_sum_assignment``: every row is assigned when there are at least as many
    columns (and every column otherwise); callers drop pairs of zero gain.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    gain = np.asarray(gain, dtype=float)
    if gain.size == 0:
        return []
    rows, cols = linear_sum_assignment(gain, maximize=True)
    return sorted(zip(rows.tolist(), cols.tolist()))


class Coverage:
    """How much of one text's distinctive wording (idf-weighted character n-grams) others repeat."""

    def __init__(self, texts: list[str], n: int) -> None:
        import numpy as np

        self.grams = [np.unique(ngram_codes(t, n)) for t in texts]
        vocab, df = np.unique(np.concatenate(self.grams) if self.grams else np.zeros(0, np.int64), return_counts=True)
        self.vocab = vocab
        self.idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0

    def of(self, target: int, by: list[int]) -> float:
        """Idf-weighted share of text *target*'s n-grams found in any of the texts *by*."""
        import numpy as np

        grams = self.grams[target]
        if len(grams) == 0:
            return 0.0
        w = self.idf[np.searchsorted(self.vocab, grams)]
        pool = np.concatenate([self.grams[k] for k in by]) if by else grams[:0]
        hit = np.isin(grams, pool)
        return float(w[hit].sum() / w.sum())


def align(a: list[TaskView], b: list[TaskView], backend: Backend, rules: DiffRules) -> Alignment:
    """Pairs, additions and drops between an earlier meeting's tasks *a* and a later one's *b*."""
    import numpy as np

    threshold = threshold_for(rules, backend.name)
    sim = similarity_matrix(a, b, backend, rules)
    total = sim.total
    pairs = assign_above(total, threshold)
    if rules.children_bonus > 0:
        # containers whose items were carried over into each other are continuations too
        base = total
        for _ in range(3):
            total = np.minimum(base + rules.children_bonus * _children_paired(a, b, pairs), 1.0)
            again = assign_above(total, threshold)
            if again == pairs:
                break
            pairs = again
        sim.total = total
    links = [Link(i, j, float(total[i, j])) for i, j in pairs]
    links += _splits_and_merges(a, b, links, total, rules)
    paired_a = {lk.a for lk in links}
    paired_b = {lk.b for lk in links}
    return Alignment(
        links=sorted(links, key=lambda lk: (lk.a, lk.b)),
        added=[j for j in range(len(b)) if j not in paired_b],
        dropped=[i for i in range(len(a)) if i not in paired_a],
        similarity=sim,
    )


def _children_paired(a: list[TaskView], b: list[TaskView], pairs: list[tuple[int, int]]) -> np.ndarray:
    """Per pair of tasks, the share of their children (of the side with fewer) paired with each other."""
    import numpy as np

    kids_a = np.bincount([v.parent for v in a if v.parent is not None], minlength=len(a)).astype(float)
    kids_b = np.bincount([v.parent for v in b if v.parent is not None], minlength=len(b)).astype(float)
    hits = np.zeros((len(a), len(b)))
    for i, j in pairs:
        pi, pj = a[i].parent, b[j].parent
        if pi is not None and pj is not None:
            hits[pi, pj] += 1
    return hits / np.maximum(np.minimum(kids_a[:, None], kids_b[None, :]), 1.0)


def assign_above(total: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """The best one-to-one pairs among those with similarity ≥ *threshold*."""
    import numpy as np

    gain = np.where(total >= threshold, total - threshold + 1e-9, 0.0)
    rows, cols = np.flatnonzero(gain.any(axis=1)), np.flatnonzero(gain.any(axis=0))
    pairs = assign(gain[np.ix_(rows, cols)])  # tasks with no candidate stay out of the assignment
    return sorted((int(rows[i]), int(cols[j])) for i, j in pairs if gain[rows[i], cols[j]] > 0)


def _splits_and_merges(
    a: list[TaskView], b: list[TaskView], links: list[Link], total: np.ndarray, rules: DiffRules
) -> list[Link]:
    """Unpaired tasks that carry on part of a paired one: split halves (in b) and merged halves (in a)."""
    extra: list[Link] = []
    partner_of_a = {lk.a: lk.b for lk in links}
    partner_of_b = {lk.b: lk.a for lk in links}
    cov = Coverage([v.full for v in a] + [v.full for v in b], rules.ngram)
    off = len(a)
    cut = rules.split
    # a split: b task j unpaired, a task i paired with j1; j carries wording of i that j1 lacks
    for j in sorted(set(range(len(b))) - set(partner_of_b), key=lambda j: -total[:, j].max(initial=0)):
        best = None
        for i, j1 in partner_of_a.items():
            s = float(total[i, j])
            if s < cut.min_similarity or (best is not None and s <= best[0]):
                continue
            alone = cov.of(i, [off + j])
            gain = cov.of(i, [off + j1, off + j]) - cov.of(i, [off + j1])
            if alone >= cut.min_cover and gain >= cut.min_gain:
                best = (s, i)
        if best is not None:
            extra.append(Link(best[1], j, best[0], "split"))
    # a merge: a task i unpaired, b task j paired with i1; i carries wording into j that i1 lacks
    for i in sorted(set(range(len(a))) - set(partner_of_a), key=lambda i: -total[i].max(initial=0)):
        best = None
        for j, i1 in partner_of_b.items():
            s = float(total[i, j])
            if s < cut.min_similarity or (best is not None and s <= best[0]):
                continue
            alone = cov.of(off + j, [i])
            gain = cov.of(off + j, [i1, i]) - cov.of(off + j, [i1])
            if alone >= cut.min_cover and gain >= cut.min_gain:
                best = (s, j)
        if best is not None:
            extra.append(Link(i, best[1], best[0], "merged"))
    # the first half of a split or merge takes the same relation
    split_a = {lk.a for lk in extra if lk.relation == "split"}
    merged_b = {lk.b for lk in extra if lk.relation == "merged"}
    for lk in links:
        if lk.a in split_a:
            lk.relation = "split"
        elif lk.b in merged_b:
            lk.relation = "merged"
    return extra
