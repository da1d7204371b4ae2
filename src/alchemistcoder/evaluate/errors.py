"""The error classes a failed sample is sorted into (the paper's error-type breakdown, and more)."""

from __future__ import annotations

# Error classes, most specific first. "passed" for samples that pass every test.
ERROR_CLASSES = (
    "passed",
    "no_code",
    "syntax_error",
    "compile_error",
    "name_error",
    "type_error",
    "import_error",
    "wrong_answer",
    "assertion_error",
    "timeout",
    "oom",
    "runtime_error",
    "harness_killed",
    "reference_error",
)

# A Python exception's type name -> its error class (the rest are runtime errors or wrong answers).
PYTHON_EXCEPTION_CLASS = {
    "SyntaxError": "syntax_error",
    "IndentationError": "syntax_error",
    "TabError": "syntax_error",
    "NameError": "name_error",
    "UnboundLocalError": "name_error",
    "TypeError": "type_error",
    "ModuleNotFoundError": "import_error",
    "ImportError": "import_error",
    "MemoryError": "oom",
    "Timeout": "timeout",
}
