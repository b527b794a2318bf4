"""A unit name typed by a person (住建局, 市应急局) as the gazetteer (rules/units.yaml) names it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UnitName:
    name: str  # canonical, or the typed name when the gazetteer does not know it
    generic: bool  # an addressee form naming no particular body (各地, 有关部门)
    known: bool


def canonical(typed: str) -> UnitName:
    """The whole of *typed* read as one gazetteer body (with its level prefix), else kept as typed."""
    from ..units import lexicon

    typed = typed.strip()
    lex = lexicon()
    m = lex.match_at(typed, 0)
    if m is not None and m.end() == len(typed):
        item = lex.known_item(typed, m)
        if item is not None:
            return UnitName(item.name, item.generic, True)
    return UnitName(typed, False, False)
