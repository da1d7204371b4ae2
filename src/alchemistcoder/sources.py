"""Deprecated: the ingest stage's package is ``alchemistcoder.ingest`` (issue 25). Importing this name warns
and answers with that package; ``alchemistcoder.sources.<sub>`` is ``alchemistcoder.ingest.<sub>``. Removed
in the next release."""

from alchemistcoder.renamed import alias_package

alias_package(__name__, "alchemistcoder.ingest")
