"""Model-free verification: run each response's program as written, in the sandbox, with no stdin, and say
what happened: runs, crashes (exception class and line), times out, needs input / network / files / a
package / a display, does not compile, or is not runnable at all (prose, a fragment, no entry point).

What a crash is depends on the program's environment, not only on its code: a missing third-party package
is ``needs_package`` unless the sandbox's Python is configured to have it (``verify.packages``), a
``FileNotFoundError`` is ``needs_files``, an ``EOFError`` from ``input()`` is ``needs_input``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.code.concepts import is_standard_library
from alchemistcoder.text import clip
from alchemistcoder.verify.config import VerifyConfig
from alchemistcoder.verify.program import Program

_PY_LAST = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Iteration)?)(?::\s?(.*))?$")
_PY_LINE = re.compile(r'File "(?:/tmp/box/)?main\.py", line (\d+)')
_NO_MODULE = re.compile(r"No module named '([\w.]+)'")
_JS_ERROR = re.compile(r"^(\w*Error|\w*Exception)(?::\s?(.*))?$", re.M)
_JS_LINE = re.compile(r"main\.js:(\d+)")
_JAVA_ERROR = re.compile(r'Exception in thread "\w+" ([\w.$]+)(?::\s?(.*))?')
_JAVA_LINE = re.compile(r"\(\w+\.java:(\d+)\)")
_GO_PANIC = re.compile(r"^panic: (.*)$", re.M)
_GO_LINE = re.compile(r"main\.go:(\d+)")
_RUST_PANIC = re.compile(r"panicked at [^\n]*?:(\d+):\d+:?\s*\n?(.*)")
_CS_ERROR = re.compile(r"Unhandled Exception:\s*\n?(?:[\w.]+: )?([\w.]+Exception)(?::\s?(.*))?")
_RUBY_ERROR = re.compile(r"^main\.rb:(\d+):in [^:\n]*: (.*) \((\w+(?:::\w+)*)\)$", re.M)
_RUBY_SYNTAX = re.compile(r"^main\.rb:(\d+): (syntax error.*)$", re.M)
_RUBY_UNDEFINED = re.compile(r"undefined local variable or method `(\w+)' for main:Object")
# PHP's uncaught throwable ("Fatal error: Uncaught DivisionByZeroError: Division by zero in /tmp/box/main.php:3"),
# its parse errors and other fatal errors ("... on line 3"); -n keeps the "PHP " prefix off, display_errors=stderr
_PHP_UNCAUGHT = re.compile(r"^Fatal error: Uncaught ([\w\\]+): (.*?) in /tmp/box/main\.php:(\d+)$", re.M)
_PHP_FATAL = re.compile(r"^(Parse|Fatal) error: (.*?) in /tmp/box/main\.php on line (\d+)$", re.M)
_PHP_UNDEFINED = re.compile(r"Call to undefined function ([\w\\]+)\(\)|Class \"([\w\\]+)\" not found")
_PHP_UNDEFINED_VARIABLE = re.compile(r"^Warning: Undefined variable \$(\w+)", re.M)
# Functions and classes of PHP extensions the sandbox's PHP is built without (databases, HTTP, images, big numbers)
_PHP_EXTENSION = re.compile(
    r"\\?(?:(?:mysqli?|pg|sqlite|curl|gmp|simplexml|xml|sodium|openssl|mb|ctype|zip|intl)_|bc(?:add|sub|mul|div|mod|pow|"
    r"sqrt|comp|scale)\b|image|gz|iconv|mysqli\b|PDO|SQLite3|DOMDocument|SimpleXMLElement|ZipArchive|Memcached|Redis|"
    r"NumberFormatter|IntlDateFormatter|Collator)")
_CPP_THROW = re.compile(r"terminate called after throwing an instance of '([^']+)'(?:\s*what\(\):\s*(.*))?")

_NETWORK = ("ConnectionError", "ConnectionRefusedError", "gaierror", "URLError", "MaxRetryError", "NewConnectionError",
            "Network is unreachable", "Temporary failure in name resolution", "Name or service not known",
            "getaddrinfo", "ENOTFOUND", "ECONNREFUSED", "UnknownHostException", "no such host", "MissingSchema",
            "InvalidSchema", "fetch failed", "XMLHttpRequest is not defined")
_DISPLAY = ("no display name", "couldn't connect to display", "No available video device", "DISPLAY",
            "cannot open display", "document is not defined", "window is not defined", "$ is not defined",
            "alert is not defined", "localStorage is not defined", "navigator is not defined")
_FILES = ("FileNotFoundError", "IsADirectoryError", "NoSuchFileException", "FileNotFoundException", "ENOENT",
          "no such file or directory", "No such file or directory", "no such table")
_ARGUMENTS = ("the following arguments are required", "prompt is not defined", "readline is not defined")
# Reading command-line arguments the run did not pass: the program needs input, it does not crash.
_ARGV = re.compile(r"\bsys\.argv\b|\bos\.Args\b|\bprocess\.argv\b|\benv::args\b|\bargs\s*\[|\bargv\s*\[")
_INDEX_ERRORS = ("IndexError", "ArrayIndexOutOfBoundsException", "panic", "TypeError", "ValueError")
# A comment that says the line raises: "# Raises ValueError", "// throws", "# Expected output: ValueError: ...".
_ANNOUNCED = re.compile(r"\b(?:raises?|raising|raised|throws?|throwing|exception|error)\b", re.I)
# Evol-Instruct's "a piece of erroneous code" marks the faulty line itself: "# Incorrect index", "// bug".
_FAULT_MARKED = re.compile(r"\b(?:incorrect(?:ly)?|wrong|erroneous|bug(?:gy)?|mistake)\b", re.I)
_JS_FRAME = re.compile(r"\(?/tmp/box/main\.js:(\d+):\d+\)?$", re.M)
_JS_UNDEFINED = re.compile(r"ReferenceError: ([\w$]+) is not defined")
_JS_TEST_GLOBALS = frozenset({"describe", "it", "test", "expect", "jest", "beforeEach", "afterEach", "assert"})
# CoNaLa-style snippets use a type's name as their input ("for item in list:", "list.sort(key=...)",
# "str.find('g')"); the TypeErrors that follow are the placeholder's, not the code's.
_TYPE_AS_VALUE = re.compile(r"(?<![\w.'\"])(list|dict|str|set|tuple)\b(?!\s*[(\w])")
_TYPE_SYMPTOMS = ("'type' object", "unbound method", "descriptor '", "type object '", "takes at least", "must be str, not",
                  "needs an argument", "of type 'type'")
# What a JavaScript SyntaxError shows when the code is another language: PHP's variables and arrays, pseudocode
# or Python's block openers ("function reverse(s):"), Julia's or Lua's "end" with no brace anywhere.
_NOT_JAVASCRIPT = (
    ("PHP", re.compile(r"\$\w+\s*->|\bfunction\s+\w+\s*\(\s*&?\$\w+|\$\w+\s*=\s*array\s*\(|\bprint_r\s*\(|"
                      r"\bforeach\s*\(\s*\$|\becho\s+[\"'$]|\b(?:private|public|protected)\s+\$\w+")),
    ("pseudocode or Python", re.compile(r"^\s*(?:function|def|for|while|if|else|procedure)\b[^{}\n]*:\s*$", re.M)),
)
# What a PHP parse error shows when the code is Perl or shell (language detection reads their ``$x = ...;`` as PHP).
_NOT_PHP = (
    ("Perl", re.compile(r"^#!.*\bperl\b|^\s*use\s+(?:strict|warnings)\s*;|\bmy\s*[$@%(]|^\s*sub\s+\w+\s*\{?\s*$|@_", re.M)),
    ("shell", re.compile(r"^#!.*\b(?:ba|z)?sh\b|^\s*(?:fi|done|esac)\s*$|\[\[ ", re.M)),
)
_END_LINE = re.compile(r"^\s*end\s*$", re.M)
_REDECLARED = re.compile(r"Identifier '([\w$]+)' has already been declared")
# Reading stdin that the run does not give: a compiled program reads nothing and goes on (or panics) with it.
_READS_STDIN = {
    "c": re.compile(r"\bscanf\s*\(|\bgetchar\s*\(|\bgets\s*\(|\bstdin\b"),
    "cpp": re.compile(r"\bcin\s*>>|\bgetline\s*\(\s*(?:std::)?cin\b|\bscanf\s*\(|\bgetchar\s*\(|\bstdin\b"),
    "rust": re.compile(r"\bstdin\s*\(|\bread_line\b"),
    "go": re.compile(r"\bos\.Stdin\b|\bfmt\.Scan"),
    "php": re.compile(r"\bSTDIN\b|php://stdin|\breadline\s*\(|\bfscanf\s*\(\s*STDIN"),
}
# Opening a file to read it: when such a program exits with an error status the file was not there.
_READS_FILE = re.compile(r"\bifstream\b|\bfopen\s*\([^;]*,\s*\"r|\bFile::open\b|\bos\.Open\s*\(")
_EXPECTED_BLOCK = re.compile(r"expected an indented block after .* on line (\d+)")
_SIGNALS = {-11: "SIGSEGV", -6: "SIGABRT", -8: "SIGFPE", -7: "SIGBUS", -4: "SIGILL", -9: "SIGKILL"}


@dataclass(slots=True)
class Execution:
    """What one program did when run as written."""

    klass: str  # one of config.EXECUTION_CLASSES
    language: str | None = None
    error: dict[str, Any] = field(default_factory=dict)  # type, message, line (crashes and needs_*)
    detail: str = ""
    duration_s: float = 0.0
    stdout: str = ""  # its first lines, as evidence

    def to_params(self) -> dict[str, Any]:
        """The trace event's parameters: only what a second run of the same program says again (no timings, no
        output, clock times and addresses masked), so a resumed run writes the same bytes."""
        params: dict[str, Any] = {"class": self.klass, "language": self.language}
        if self.error:
            params["error"] = self.error
        if self.detail:
            params["detail"] = self.detail
        return params


_UNSTABLE = re.compile(r"\b\d{4}[/-]\d{2}[/-]\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?|\b0x[0-9a-fA-F]{6,}\b|\bpid \d+")


def _stable(text: str) -> str:
    """``text`` with clock times, memory addresses and process ids masked (they change from run to run)."""
    return _UNSTABLE.sub("…", text)


def _clip(text: str, n: int = 300) -> str:
    return clip(text.strip(), n)


def _python_error(stderr: str) -> dict[str, Any]:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    error: dict[str, Any] = {"type": "Error", "message": _clip(stderr, 300)}
    for ln in reversed(lines):
        m = _PY_LAST.match(ln.strip())
        if m and not ln.startswith(" "):
            error = {"type": m.group(1).split(".")[-1], "message": _clip(m.group(2) or "")}
            break
    lines_at = _PY_LINE.findall(stderr)
    if lines_at:
        error["line"] = int(lines_at[-1])
    return error


def _foreign_error(language: str, stderr: str, returncode: int | None) -> dict[str, Any]:
    error: dict[str, Any]
    if language == "javascript" and (m := _JS_ERROR.search(stderr)):
        error = {"type": m.group(1), "message": _clip(m.group(2) or "")}
        if (ln := _JS_LINE.search(stderr)):
            error["line"] = int(ln.group(1))
    elif language == "java" and (m := _JAVA_ERROR.search(stderr)):
        error = {"type": m.group(1).split(".")[-1], "message": _clip(m.group(2) or "")}
        if (ln := _JAVA_LINE.search(stderr)):
            error["line"] = int(ln.group(1))
    elif language == "go" and (m := _GO_PANIC.search(stderr)):
        error = {"type": "panic", "message": _clip(m.group(1))}
        if (ln := _GO_LINE.search(stderr)):
            error["line"] = int(ln.group(1))
    elif language == "csharp" and (m := _CS_ERROR.search(stderr)):
        error = {"type": m.group(1).split(".")[-1], "message": _clip(m.group(2) or "")}
    elif language == "ruby" and (m := _RUBY_ERROR.search(stderr)):
        error = {"type": m.group(3), "message": _clip(m.group(2)), "line": int(m.group(1))}
    elif language == "ruby" and (m := _RUBY_SYNTAX.search(stderr)):
        error = {"type": "SyntaxError", "message": _clip(m.group(2)), "line": int(m.group(1))}
    elif language == "php" and (m := _PHP_UNCAUGHT.search(stderr)):
        error = {"type": m.group(1).split("\\")[-1], "message": _clip(m.group(2)), "line": int(m.group(3))}
    elif language == "php" and (m := _PHP_FATAL.search(stderr)):
        kind = "SyntaxError" if m.group(1) == "Parse" else "FatalError"
        error = {"type": kind, "message": _clip(m.group(2)), "line": int(m.group(3))}
    elif language == "rust" and (m := _RUST_PANIC.search(stderr)):
        error = {"type": "panic", "message": _clip(m.group(2)), "line": int(m.group(1))}
    elif (m := _CPP_THROW.search(stderr)):
        error = {"type": m.group(1), "message": _clip(m.group(2) or "")}
    elif returncode is not None and returncode < 0:
        error = {"type": _SIGNALS.get(returncode, f"signal {-returncode}"), "message": _clip(stderr)}
    else:
        error = {"type": "ExitStatus", "message": _clip(stderr) or f"exit status {returncode}"}
    return error


def _outer_line(language: str, stderr: str) -> int | None:
    """The program's own outermost frame of the error: the top-level line that started what failed."""
    if language == "python":
        lines = _PY_LINE.findall(stderr)
        return int(lines[0]) if lines else None
    if language == "javascript":
        lines = _JS_FRAME.findall(stderr)
        return int(lines[-1]) if lines else None
    return None


def _announced(source: str, language: str, line: int | None, kind: str, inner: int | None = None) -> bool:
    """Whether the response says the line that failed raises: a top-level ``raise``/``throw``, or a comment on
    that line (or the comment lines just above it, or the one just below) naming the error or saying it raises,
    or a comment on the failing line itself that marks it faulty (an erroneous snippet the task asked for). Such
    a program ends the way its author showed it would, not with a fault."""
    lines = source.splitlines()
    mark = "#" if language == "python" else "//"
    if inner is not None and 0 < inner <= len(lines) and mark in lines[inner - 1] \
            and _FAULT_MARKED.search(lines[inner - 1].split(mark, 1)[1]):
        return True
    if line is None or not 0 < line <= len(lines):
        return False
    text = lines[line - 1]
    if text.strip().startswith("raise " if language == "python" else "throw "):
        return True
    comments = [text.split(mark, 1)[1]] if mark in text else []
    above = line - 2
    while above >= 0 and lines[above].strip().startswith(mark) and len(comments) < 3:
        comments.append(lines[above])
        above -= 1
    if line < len(lines) and lines[line].strip().startswith(mark):  # "person.name = ''" then "// Throws an error"
        comments.append(lines[line])
    return any(_ANNOUNCED.search(c) or (kind and kind in c) for c in comments)


def _misread(program: Program, stderr: str, kind: str, error: dict[str, Any]) -> str | None:
    """Why the program that crashed is not what its author meant to run, or None: alternative JavaScript
    snippets joined into one program (a name the blocks each declare), another language taken for JavaScript, a
    Python block whose body is only a comment (``# do something``) or a bare signature."""
    source = program.source
    if program.language == "javascript" and kind == "SyntaxError":
        if (m := _REDECLARED.search(stderr)) and len(program.starts) > 1:
            name = re.escape(m.group(1))
            declared = [k + 1 for k, text in enumerate(source.splitlines())
                        if re.search(rf"\b(?:let|const|var|class|function)\s+{name}\b", text)]
            blocks = {sum(1 for start in program.starts if start <= line) for line in declared}
            if len(blocks) > 1:
                return f"alternative snippets: each block declares {m.group(1)}"
        for language, pattern in _NOT_JAVASCRIPT:
            if pattern.search(source):
                return f"{language}, not JavaScript"
        if "{" not in source and _END_LINE.search(source):
            return "a language with 'end' blocks, not JavaScript"
    if program.language == "php" and kind == "SyntaxError":
        for language, pattern in _NOT_PHP:
            if pattern.search(source):
                return f"{language}, not PHP"
    if program.language == "php" and kind == "FatalError" and len(program.starts) > 1 \
            and (m := re.match(r"Cannot redeclare (?:function )?([\w\\]+)\(\)", error.get("message", ""))):
        name = re.escape(m.group(1).split("\\")[-1])
        declared = [k + 1 for k, text in enumerate(source.splitlines()) if re.search(rf"\bfunction\s+&?{name}\s*\(", text)]
        if len({sum(1 for start in program.starts if start <= line) for line in declared}) > 1:
            return f"alternative snippets: each block declares {m.group(1)}"
    if program.language == "python" and kind == "IndentationError" \
            and (m := _EXPECTED_BLOCK.search(error.get("message", ""))):
        lines = source.splitlines()
        opener = int(m.group(1))
        if not 0 < opener <= len(lines):
            return None
        depth = len(lines[opener - 1]) - len(lines[opener - 1].lstrip())
        rest = [text for text in lines[opener:] if text.strip()]
        body = [text for text in rest if not text.strip().startswith("#")]
        # a comment indented where the body goes ("    # do something"), then code back at the opener's depth
        # or nothing; a comment at the opener's own depth is indentation the response lost, a real fault
        commented = rest and rest[0].strip().startswith("#") and len(rest[0]) - len(rest[0].lstrip()) > depth
        if commented and (not body or len(body[0]) - len(body[0].lstrip()) <= depth):
            return "a skeleton: the block's body is a comment"
        if not rest and re.match(r"\s*(?:async\s+)?(?:def|class)\s", lines[opener - 1]):
            return "a signature without a body"
    return None


def _placeholder(program: Program, stderr: str, kind: str, line: int | None) -> str | None:
    """A fragment the run exposed: the name a snippet reads as its input (a JavaScript or Ruby name nothing
    declares, a type's name used as a value), or None. Python's unbound names are found before running
    (``program.free_names``)."""
    source = program.source
    if program.language == "javascript" and (m := _JS_UNDEFINED.search(stderr)):
        name = re.escape(m.group(1))
        declared = re.search(rf"\b(?:let|const|var|function|class)\s+{name}\b|\bimport\b[^;\n]*\b{name}\b", source)
        return None if declared else m.group(1)
    if program.language == "ruby" and kind == "NameError" and (m := _RUBY_UNDEFINED.search(stderr)):
        name = re.escape(m.group(1))
        declared = re.search(rf"\b{name}\s*=[^=]|\bdef\s+(?:self\.)?{name}\b", source)
        return None if declared else m.group(1)
    if program.language == "php" and (m := _PHP_UNDEFINED.search(stderr)):
        # a function or class the snippet calls and never declares (a PHP built-in of an extension the sandbox
        # lacks is ``needs_package`` before this)
        name = re.escape((m.group(1) or m.group(2)).split("\\")[-1])
        declared = re.search(rf"\b(?:function|class|interface|trait|enum)\s+&?{name}\b", source, re.I)
        return None if declared else (m.group(1) or m.group(2))
    if program.language == "php" and "on null" in stderr and (m := _PHP_UNDEFINED_VARIABLE.search(stderr)) \
            and not re.search(rf"\${m.group(1)}\s*=[^=]|\bfunction\b[^)]*\${m.group(1)}\b", source):
        # a variable the snippet reads and never assigns (``$db->get_posts()``): PHP warns, then fails on its null
        return "$" + m.group(1)
    if program.language == "python" and kind in ("TypeError", "AttributeError") and line is not None \
            and any(s in stderr for s in _TYPE_SYMPTOMS):
        lines = source.splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        m = _TYPE_AS_VALUE.search(text.split("#", 1)[0])
        if m and "isinstance(" not in text and not re.search(rf"^\s*{m.group(1)}\s*=", source, re.M):
            return m.group(1)
    return None


def _reads_arguments(source: str, line: int | None) -> bool:
    """Whether the failing line (or, with no line, the program) reads command-line arguments."""
    if line is not None:
        lines = source.splitlines()
        return 0 < line <= len(lines) and bool(_ARGV.search(lines[line - 1]))
    return bool(_ARGV.search(source))


def classify_failure(program: Program, stderr: str, returncode: int | None, packages: list[str]) -> tuple[str, dict]:
    """The execution class of a run that ended with an error, and the error (type, message, line)."""
    language = program.language or ""
    error = _python_error(stderr) if language == "python" else _foreign_error(language, stderr, returncode)
    kind, text = error.get("type", ""), f"{error.get('type', '')}: {error.get('message', '')}"
    if kind in ("ModuleNotFoundError", "ImportError") and (m := _NO_MODULE.search(stderr)):
        module = m.group(1).split(".")[0]
        error["module"] = module
        if not is_standard_library(module, "python") and module not in packages:
            return "needs_package", error
        return "crashes", error
    if language == "javascript" and "Cannot find module" in stderr:
        return "needs_package", error
    if language == "ruby" and kind == "LoadError" and (m := re.search(r"cannot load such file -- ([\w/.-]+)", stderr)):
        error["module"] = m.group(1)
        return ("crashes" if m.group(1) in packages else "needs_package"), error
    if language == "php" and (m := _PHP_UNDEFINED.search(stderr)) and _PHP_EXTENSION.match(m.group(1) or m.group(2)):
        error["module"] = (m.group(1) or m.group(2)).lstrip("\\")
        return ("crashes" if error["module"] in packages else "needs_package"), error
    # no stdin: Ruby's ``gets`` and C#'s ``Console.ReadLine()`` answer nil / null, and the next call on it fails
    if language == "ruby" and kind == "NoMethodError" and "nil:NilClass" in error.get("message", "") \
            and re.search(r"\b(?:gets|STDIN|\$stdin|readline)\b", program.source):
        return "needs_input", error
    if language == "csharp" and kind in ("ArgumentNullException", "NullReferenceException", "FormatException") \
            and "ReadLine" in program.source:
        return "needs_input", error
    if language == "python" and kind == "EOFError":
        return "needs_input", error
    if kind in _INDEX_ERRORS and _reads_arguments(program.source, error.get("line")):
        return "needs_input", error
    if any(marker in stderr for marker in _ARGUMENTS):
        return "needs_input", error
    if language == "java" and kind == "NoSuchElementException" and "Scanner" in program.source:
        return "needs_input", error
    if any(marker in stderr for marker in _DISPLAY) and kind not in ("SyntaxError", "IndentationError"):
        return "needs_display", error
    if language == "javascript" and (m := _JS_UNDEFINED.search(stderr)) and m.group(1) in _JS_TEST_GLOBALS:
        error["module"] = "a test framework"
        return "needs_package", error
    if any(marker in text for marker in _FILES) or (language == "php" and "Failed to open stream" in stderr):
        return "needs_files", error
    if kind not in ("SyntaxError", "IndentationError", "NameError") and any(marker in stderr for marker in _NETWORK):
        return "needs_network", error
    if language == "javascript" and kind == "SyntaxError" and "Unexpected token '<'" in stderr:
        # markup where Node expects an expression: JSX (React components, often in a ```jsx fence) or HTML read
        # as JavaScript; it runs after a transpiler, not as written (11 of 21 JavaScript syntax errors in a draw)
        error["placeholder"] = "JSX or HTML markup"
        return "not_runnable", error
    if (reason := _misread(program, stderr, kind, error)) is not None:
        error["misread"] = reason
        return "not_runnable", error
    if kind in ("SyntaxError", "IndentationError"):
        return "crashes", error
    if (reads := _READS_STDIN.get(language)) is not None and reads.search(program.source):
        # no stdin: whatever the program did next ran on values it never read
        return "needs_input", error
    if language in ("c", "cpp", "rust", "go") and kind == "ExitStatus" and _READS_FILE.search(program.source):
        return "needs_files", error
    outer = _outer_line(language, stderr)
    if (name := _placeholder(program, stderr, kind, outer)) is not None:
        error["placeholder"] = name
        return "not_runnable", error
    if _announced(program.source, language, outer, kind, error.get("line")):
        error["announced_line"] = outer
        return "announced_error", error
    return "crashes", error


def execution_of(program: Program, result: Any, packages: list[str]) -> Execution:
    """The :class:`Execution` of a sandbox result (``alchemistcoder.sandbox.ExecResult``) of ``program``."""
    out = Execution("runs", program.language, duration_s=result.duration_s,
                    stdout="\n".join(result.stdout.splitlines()[:5])[:300])
    if result.status == "ok":
        return out
    if result.status == "timeout":
        out.klass = "timeout"
    elif result.status == "oom":
        out.klass = "out_of_memory"
    elif result.status == "compile_error":
        out.klass = "compile_error"
        out.error = {"type": "CompileError", "message": _clip(result.compile_output or result.stderr, 500)}
    elif result.status == "killed" and result.stderr.startswith("sandbox:"):
        # the toolchain is missing here, or the sandbox could not start the job (retried before this)
        missing = "not installed" in result.stderr or "not found" in result.stderr
        out.klass, out.detail = ("not_runnable" if missing else "sandbox_error"), _clip(result.stderr)
    elif result.status == "killed" and result.returncode == -25:  # SIGXFSZ: past the sandbox's file-size limit
        out.klass = "output_limit"
    else:
        out.klass, out.error = classify_failure(program, result.stderr, result.returncode, packages)
    out.error = {k: _stable(v) if isinstance(v, str) else v for k, v in out.error.items()}
    out.detail = _stable(out.detail)
    return out


def _start_failed(result: Any) -> bool:
    return result.status == "killed" and result.stderr.startswith("sandbox:") and "not installed" not in result.stderr \
        and "not found" not in result.stderr


def execute_programs(programs: list[Program], cfg: VerifyConfig) -> list[Execution]:
    """Run every runnable program in the sandbox (in parallel); others get their static class."""
    from alchemistcoder.sandbox import Job, run_many

    todo = [i for i, p in enumerate(programs) if p.reason is None]
    jobs = [Job(programs[i].language or "python", programs[i].source, stdin="", timeout_s=cfg.timeout_s,
                memory_mb=cfg.memory_mb) for i in todo]
    results = run_many(jobs, workers=cfg.workers or None) if jobs else []
    # a job the sandbox could not start (EAGAIN when the sandbox user's process limit, shared by every job on
    # the machine, is reached) is run again, a few times, before it counts as a sandbox error
    for attempt in range(3):
        again = [k for k, r in enumerate(results) if _start_failed(r)]
        if not again:
            break
        time.sleep(0.5 * (attempt + 1))
        for k, r in zip(again, run_many([jobs[k] for k in again], workers=cfg.workers or None), strict=True):
            results[k] = r
    out = [Execution(p.reason or "runs", p.language, detail=p.detail) for p in programs]
    for i, result in zip(todo, results, strict=True):
        out[i] = execution_of(programs[i], result, cfg.packages)
    return out
