"""Moved to :mod:`alchemistcoder.seeding` (issue 25); this alias stays while ``verify/``, written at the same
time, still imports the old path. Import from ``alchemistcoder.seeding``."""

from alchemistcoder.seeding import int_seed, seeded_choice, unit_hash

__all__ = ["int_seed", "seeded_choice", "unit_hash"]
