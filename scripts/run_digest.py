"""Digest of a run's decisions and export: ``alchemistcoder.pipeline.digest`` (kept as a script path too)."""

import sys

from alchemistcoder.pipeline.digest import main

if __name__ == "__main__":
    sys.exit(main())
