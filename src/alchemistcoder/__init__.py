"""alchemistcoder: multi-source code instruction tuning, harmonized with AlchemistPrompts."""

__version__ = "0.1.0"
