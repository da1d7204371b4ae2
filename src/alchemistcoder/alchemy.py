"""Deprecated: the harmonize stage's package is ``alchemistcoder.harmonize`` (issue 25). Importing this name
warns and answers with that package; ``alchemistcoder.alchemy.<sub>`` is ``alchemistcoder.harmonize.<sub>``.
Removed in the next release."""

from alchemistcoder.renamed import alias_package

alias_package(__name__, "alchemistcoder.harmonize")
