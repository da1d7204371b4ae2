"""Issue 25 (3): the old import paths of renamed packages still work for one release, and warn."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(("old", "new", "sub", "name"), [
    ("alchemistcoder.alchemy", "alchemistcoder.harmonize", "config", "HarmonizeConfig"),
    ("alchemistcoder.sources", "alchemistcoder.ingest", "adapters", "ADAPTERS"),
])
def test_an_old_package_name_is_the_new_package_and_warns(old: str, new: str, sub: str, name: str) -> None:
    code = (
        "import importlib, sys, warnings\n"
        "warnings.simplefilter('error', DeprecationWarning)\n"
        f"try:\n    importlib.import_module({old!r})\nexcept DeprecationWarning as e:\n    print('warned', e)\n"
        "warnings.simplefilter('ignore', DeprecationWarning)\n"
        f"old = importlib.import_module({old + '.' + sub!r})\n"
        f"new = importlib.import_module({new + '.' + sub!r})\n"
        f"assert old is new and getattr(old, {name!r}) is getattr(new, {name!r})\n"
        f"assert importlib.import_module({old!r}) is importlib.import_module({new!r})\n"
        "print('same')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert f"warned {old} is deprecated" in out and new in out and "same" in out
