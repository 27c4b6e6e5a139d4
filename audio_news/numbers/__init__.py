"""Numbers and symbols read as Modern Standard Arabic words, the way a news anchor says them.

Part of the normalize stage. The package is the number reader's parts:

- `words`: number words fully vowelled (the case ending included) from the tags the rules
  put after them; a counted noun's case ending;
- `context`: what governs a number (prepositions, verbs, إنّ/كان and their sisters,
  construct nouns) and the gender of the noun it counts, from the word lists beside it;
- `units`: units of measure, currencies (with their subunits) and Latin product names, from
  units.tsv, currencies.tsv and latin.tsv;
- `dates`: Hijri months and dates;
- `rules`: cardinals and ordinals, and the ordered regex rules that find numbers in a
  sentence and say them.

`verbalize(text, settings)` is the entry point; `verbalize(text, settings, marks=True)` gives
the number words fully vowelled, case endings included, for the voice (the Script's spoken
form), while the bare form is what editors read (`audio-news normalize`).
"""

from .rules import cardinal, ordinal, verbalize

__all__ = ["cardinal", "ordinal", "verbalize"]
