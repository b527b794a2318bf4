"""What `rules/diff.yaml` may say: feature weights, thresholds and normalisation phrases."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weights(_Rules):
    """Weight of each feature in the task similarity (a weighted mean over the features present)."""

    text: float = Field(ge=0, description="whole task text, children included")
    own: float = Field(ge=0, description="the task's own text, children cut out")
    head: float = Field(ge=0, description="heading: title, or the first clause")
    sectors: float = Field(ge=0, description="Jaccard of the sector sets")
    units: float = Field(ge=0, description="Jaccard of the named (non-generic) unit names")
    deadlines: float = Field(ge=0, description="share of normalised deadlines in common")
    depth: float = Field(ge=0, description="1 when both tasks sit at the same depth of the tree")


class SplitRules(_Rules):
    """When an unpaired task is the second half of a split (or merge) rather than new.

    Each half of a split carries only part of the earlier task, so the second half may be less
    similar than a pair must be; it must then carry wording of that task which the paired half lacks.
    """

    min_similarity: float = Field(ge=0, le=1, description="similarity to the task it splits from")
    min_cover: float = Field(ge=0, le=1, description="share of the earlier task's wording it covers alone")
    min_gain: float = Field(ge=0, le=1, description="coverage it adds to the already paired half")


class SameHeadingRules(_Rules):
    """Two tasks under one topic heading are the same directive only if their own texts agree."""

    min_head: float = Field(ge=0, le=1, description="heading similarity from which the headings are one topic")
    min_own: float = Field(ge=0, le=1, description="own-text similarity such a pair needs")


class DiffRules(_Rules):
    ngram: int = Field(2, ge=1, le=4, description="character n-gram length of the default backend")
    weights: Weights
    head_cap: float = Field(
        2.0, ge=0, description="the heading similarity counts at most this many times the own-text similarity"
    )
    threshold: dict[str, float] = Field(
        description="per backend: pairs below this similarity are not the same directive"
    )
    same_heading: SameHeadingRules
    children_bonus: float = Field(
        0.0, ge=0, le=1, description="added per share of two tasks' children paired with each other"
    )
    split: SplitRules
    series_margin: float = Field(
        ge=0, le=1, description="added to the threshold to link a dropped task to one raised again later"
    )
    status_fields: list[Literal["units", "deadlines", "sectors"]] = Field(
        description="differences that make a pair 'changed' (a split or merge always does)"
    )
    strip_markers: list[str] = Field(default_factory=list, description="regexes removed from the start of a task")
    deadline_fillers: list[str] = Field(default_factory=list, description="words dropped before comparing deadlines")
    deadline_synonyms: dict[str, str] = Field(
        default_factory=dict, description="words written for one another in deadlines (每日 → 每天)"
    )
    unit_affixes: list[str] = Field(
        default_factory=list, description="regexes removed from unit names before comparing (市…, …部门)"
    )


def threshold_for(rules: DiffRules, backend: str) -> float:
    """The calibrated threshold of *backend* (RulesError when diff.yaml has none)."""
    from .. import rules as rules_module

    if backend not in rules.threshold:
        raise rules_module.RulesError(
            f"diff.yaml: threshold: no threshold for backend {backend!r} (has: {', '.join(rules.threshold)})"
        )
    return rules.threshold[backend]


def load() -> DiffRules:
    """The diff rules in force (rules/diff.yaml, cached by speech_tasks.rules)."""
    from .. import rules

    return rules.load("diff", DiffRules)
