"""Verification signals: a sample's Python on a problem's tests (``python``), its C++/Java/JavaScript
(``foreign`` with ``programs``), its statement's key facts (``facts``) and an optional judge (``judge``); the
sandbox side of the Python signal is ``_probe.py`` with ``_same.py``."""
