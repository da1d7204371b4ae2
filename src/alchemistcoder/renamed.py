"""Deprecated import paths of renamed packages (issue 25: one name per stage), kept for one release.

``alchemistcoder.alchemy`` is now ``alchemistcoder.harmonize`` and ``alchemistcoder.sources`` is
``alchemistcoder.ingest``. Each old name is a one-line module that calls :func:`alias_package`: importing it
warns (``DeprecationWarning``) and every ``old.sub`` module resolves to the very module object ``new.sub``
(no second copy, so classes and registries stay one). Remove the alias modules and this file in the next
release.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import Any


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``old.<sub>`` and answers with the already-imported (or now imported) ``new.<sub>``."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.startswith(self.old + "."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: Any) -> ModuleType:
        return importlib.import_module(self.new + spec.name[len(self.old):])

    def exec_module(self, module: ModuleType) -> None:
        """The module was executed under its new name; nothing to run again."""


def alias_package(old: str, new: str) -> ModuleType:
    """Make ``old`` (and its submodules) another name of package ``new``, with a deprecation warning."""
    warnings.warn(f"{old} is deprecated and will be removed in the next release; import {new} instead",
                  DeprecationWarning, stacklevel=3)
    if not any(isinstance(f, _Alias) and f.old == old for f in sys.meta_path):
        sys.meta_path.insert(0, _Alias(old, new))
    module = importlib.import_module(new)
    sys.modules[old] = module
    return module
