"""Finding people by part of what they are called: the rules a search term follows on every store engine.

A term is looked for anywhere in a value, at its start, at its end, or as the whole value (WordPress's
user search says which with `*` at either end). Substring search is served by trigram indexes, and a
trigram index cannot look for fewer than three characters: a shorter term finds the values that begin
with it (an end-anchored or whole-value one, the values equal to it). Each such answer is a subset of
the full one, and none costs a scan of the table.
"""

from __future__ import annotations

from dataclasses import dataclass

ANYWHERE, START, END, EXACT = "anywhere", "start", "end", "exact"
SHORTEST_SUBSTRING = 3  # characters a trigram index needs

# The fields of a WooCommerce customer the extended search looks in (the name is the full name, which
# holds the first and the last name; the phone is the billing phone, as WooCommerce shows it).
PROFILE_FIELDS: tuple[str, ...] = ("username", "email", "display_name", "name", "phone")


@dataclass(frozen=True)
class Needle:
    """What to look for, and where in a value it must sit."""

    text: str
    anchor: str = ANYWHERE

    @classmethod
    def wildcards(cls, term: str) -> Needle:
        """WordPress's user search: `*` first or last is a wildcard; with none the whole value must match."""
        leading, trailing = term.startswith("*"), term.endswith("*")
        core = term.strip("*")
        if leading and trailing:
            return cls(core, ANYWHERE)
        if trailing:
            return cls(core, START)
        return cls(core, END if leading else EXACT)

    @property
    def short(self) -> bool:
        return len(self.text) < SHORTEST_SUBSTRING

    def served(self) -> Needle:
        """The needle an index can serve: a short term matches from the start (or whole), as said above."""
        if not self.short or self.anchor in (START, EXACT):
            return self
        return Needle(self.text, START if self.anchor == ANYWHERE else EXACT)


def extended(term: str) -> tuple[str, tuple[str, ...]]:
    """The extended search of WooCommerce's customer lists: the term anywhere in every profile field, and
    the id when the term is a number; as a WordPress search term and its columns."""
    core = term.strip("*")
    return f"*{core}*", PROFILE_FIELDS + (("id",) if core.isdigit() else ())
