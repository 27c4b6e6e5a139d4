"""Units of measure and currencies, in the forms counting needs, from units.tsv and currencies.tsv.

A number before a unit or a currency is read with the noun it counts: خمسة كيلومترات،
أحد عشر كيلوغراما، مئة متر مربع; a currency amount with two (or three) decimals is read
with its subunit: اثنا عشر جنيها وخمسة وسبعون قرشا.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal

Gender = Literal["m", "f"]


@dataclass(frozen=True)
class Noun:
    """A noun this package writes itself (a unit or currency), in the forms counting needs."""

    one: str
    """The singular: after 1, and in construct after 100s and 1000s (مئة متر)."""
    plural: str
    """After 3–10 (خمسة أمتار)."""
    accusative: str
    """The tamyiz after 11–99 (عشرون مترا)."""
    dual_nom: str
    dual_gen: str
    gender: Gender = "m"


@dataclass(frozen=True)
class Currency:
    """A currency and its subunit (None when it has none in use): دولار/سنت, 100."""

    noun: Noun
    subunit: Noun | None
    per_unit: int


def _lines(name: str) -> Iterator[tuple[int, list[str]]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            yield number, line.split("\t")


def _gender(value: str, where: str) -> Gender:
    if value == "m":
        return "m"
    if value == "f":
        return "f"
    raise ValueError(f"{where}: gender must be m or f, not {value!r}")


@cache
def units() -> MappingProxyType[str, Noun]:
    """Each abbreviation or unit word (كم، km، ملغ، °C) → its noun."""
    table: dict[str, Noun] = {}
    for number, fields in _lines("units.tsv"):
        if len(fields) != 7:
            raise ValueError(f"units.tsv:{number}: want 7 tab-separated fields, got {len(fields)}")
        keys, one, plural, accusative, dual_nom, dual_gen, gender = fields
        noun = Noun(one, plural, accusative, dual_nom, dual_gen, _gender(gender, f"units.tsv:{number}"))
        for key in _keys(keys):
            table.setdefault(key, noun)
    return MappingProxyType(table)


def _keys(field: str) -> list[str]:
    """Space-separated abbreviations; a pair such as «كم مربع» or «° م» is one key."""
    words, keys = field.split(" "), []
    i = 0
    while i < len(words):
        if i + 1 < len(words) and words[i + 1] in ("مربع", "مكعب", "م", "C", "F", "سي"):
            keys.append(f"{words[i]} {words[i + 1]}")
            i += 2
        else:
            keys.append(words[i])
            i += 1
    return keys


def _noun(field: str, where: str, gender: Gender) -> Noun:
    forms = field.split("|")
    if len(forms) != 5:
        raise ValueError(f"{where}: want 5 forms separated by |, got {field!r}")
    one, plural, accusative, dual_nom, dual_gen = forms
    return Noun(one, plural, accusative, dual_nom, dual_gen, gender)


@cache
def latin_words() -> MappingProxyType[str, str]:
    """Latin product and technology names → how they are said in Arabic (latin.tsv)."""
    table = {}
    for number, fields in _lines("latin.tsv"):
        if len(fields) != 2:
            raise ValueError(f"latin.tsv:{number}: want word<TAB>spoken")
        table[fields[0]] = fields[1]
    return MappingProxyType(table)


@cache
def currencies() -> MappingProxyType[str, Currency]:
    """Each currency code, symbol or Arabic name (USD، $، جنيه) → its currency."""
    table: dict[str, Currency] = {}
    for number, fields in _lines("currencies.tsv"):
        where = f"currencies.tsv:{number}"
        if len(fields) != 5:
            raise ValueError(f"{where}: want 5 tab-separated fields, got {len(fields)}")
        keys, noun, subunit, per_unit, gender = fields
        sex = _gender(gender, where)
        sub = None if subunit == "-" else _noun(subunit, where, "f" if subunit.split("|")[0].endswith("ة") else "m")
        currency = Currency(_noun(noun, where, sex), sub, int(per_unit))
        for key in keys.split(" "):
            table.setdefault(key, currency)
    return MappingProxyType(table)
