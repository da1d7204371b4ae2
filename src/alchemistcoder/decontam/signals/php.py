"""PHP samples for decontamination's execution evidence: what ``foreign.py`` reads of them and the harness program
that calls their functions on a benchmark's tests.

A sample's functions are its top-level ``function name($a, $b = 1) {...}`` (in a file-scoped or braced
``namespace``, called by their qualified name) and the public ``static function``s of its classes (called as
``Cls::m``); a function with a variadic parameter (``...$xs``) is left out, and so is one the sample uses as a
helper: called in another function, in a top-level loop (or one of a ``main()``), or named as a string callable
(``usort($a, 'cmp')``). A function whose first parameter is taken by reference (``function bubbleSort(&$arr)``)
and that answers nothing is read through that argument (``ForeignFunction.inplace``), as a C++ procedure is.
Parameters are untyped (as JavaScript's and Ruby's): the tests' values are passed as JSON gives them (lists and
dicts as arrays). A bare answer that language detection read as JavaScript or shell is PHP when its functions'
parameters are ``$``-named (:func:`php_like`).

A program holds one sample (as Ruby's: a function one sample declares would be redeclared by the next, a fatal
error). Its code is a file of its own, included under output buffering that drops what it prints (the example
of use), and the calls run in a shutdown function, so that a sample that ends with ``exit`` still has its calls
made. A function's consecutive calls run in a process of their own (``pcntl_fork``), each limited by its CPU time
(``set_time_limit``, whole seconds, counts the process's CPU time on Linux, restarts at each call and is fatal to
that process alone) and by ten times that of wall time (``pcntl_alarm``); a call that throws, dies of a fatal error
(memory, a recursion that overflows the stack) or runs out of time answers nothing, and its function's later calls
are skipped; one that ends its process with ``exit`` answers nothing, and the calls after it run in a new process. A call out of time writes its
``late`` line: the child's fatal error (logged to a file, the only errors it reports) was PHP's timeout, or the
alarm killed it. Where ``pcntl`` is missing the calls run in the harness's process, limited only by the job's time.
Each answer is printed as JSON in the sandbox's tagged protocol; an array whose keys are all integers is a list
(``array_filter``'s answer keeps its keys), floats keep their fraction (``2.0``) and round-trip (PHP's
``serialize_precision`` is -1).

``foreign.py`` imports this module, which imports nothing of decontamination: discovery gives plain tuples, and
the program builder is given each call's tag (``programs._tag``) and the call limit.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from alchemistcoder.code.braces import body_end as _body_end
from alchemistcoder.code.braces import split_params as _split_params

# A call of a harness program (``programs.Call``): its number, its sample, the function, the arguments.
Call = tuple[int, int, Any, list[Any]]

_FUNCTION = re.compile(r"((?:\b(?:public|private|protected|static|final|abstract)\s+)*)\bfunction\s+&?\s*(\w+)\s*\(")
_RETURNS = re.compile(r"\s*(?::\s*\??[\w\\|]+\s*)?\{")  # ``: ?int``, ``: int|float``, then the body's brace
# The blocks that hold a function: braced namespaces and (named) classes and enums; interfaces and traits too, so
# that their methods are known to be no top-level functions.
_CONTAINER = re.compile(r"(?<![:>$\w])(?:namespace\s+([\w\\]+)|(class|enum|interface|trait)\s+(?!extends\b|implements\b)"
                        r"(\w+))[^{;]*\{")
_FILE_NAMESPACE = re.compile(r"\bnamespace\s+([\w\\]+)\s*;")
_LOOP = re.compile(r"\b(?:for|foreach|while)\s*\(|\bdo\s*\{")
_OPEN_TAG = re.compile(r"<\?(?:php\b|=|\s)")
_HEREDOC = re.compile(r"<<<[ \t]*(['\"]?)(\w+)\1\r?\n")


def _masked(code: str) -> str:
    """``code`` with its comments and the insides of its string literals (heredocs included) blanked, newlines
    kept: braces, calls and keywords in them are not the code's."""
    out, i, n = list(code), 0, len(code)

    def blank(a: int, b: int) -> None:
        for j in range(a, b):
            if out[j] != "\n":
                out[j] = " "
    while i < n:
        ch = code[i]
        if code.startswith("//", i) or (ch == "#" and not code.startswith("#[", i)):
            end = code.find("\n", i)
            end = n if end < 0 else end
            blank(i, end)
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            end = n if end < 0 else end + 2
            blank(i, end)
        elif ch in "'\"":
            end = i + 1
            while end < n and code[end] != ch:
                end += 2 if code[end] == "\\" else 1
            blank(i + 1, min(end, n))
            end += 1
        elif ch == "<" and (m := _HEREDOC.match(code, i)) is not None:
            close = re.compile(rf"^[ \t]*{m.group(2)}\b", re.M).search(code, m.end())
            end = close.start() if close else n
            blank(m.end(), end)
        else:
            end = i + 1
        i = max(end, i + 1)
    return "".join(out)


def _close_paren(text: str, open_paren: int) -> int:
    """The index of the parenthesis that closes the one at ``open_paren`` (-1 when none does)."""
    depth = 0
    for i in range(open_paren, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def php_functions(code: str) -> list[tuple[str, int, str, bool]]:
    """The functions of PHP code a harness can call (name, arity, owner, in place): ``owner`` is the class of a
    static method (``Ns\\Cls``: called ``Ns\\Cls::name``) or the namespace of a function (``Ns\\``, ``""`` outside
    any); ``in place``, a first parameter taken by reference. Less those with a variadic parameter and the helpers
    (module docstring)."""
    text = _masked(code)
    containers = []  # (start, end, namespace or None, kind or None, class name or None)
    for c in _CONTAINER.finditer(text):
        containers.append((c.start(), _body_end(text, c.end() - 1), c.group(1), c.group(2), c.group(3)))
    found, bodies = [], []  # candidates (name, arity, owner, in place, body); every function's body
    for m in _FUNCTION.finditer(text):
        close = _close_paren(text, m.end() - 1)
        brace = _RETURNS.match(text, close + 1) if close >= 0 else None
        if brace is None:
            continue  # abstract, or an interface's
        body = (brace.end() - 1, _body_end(text, brace.end() - 1))
        if m.group(2).lower() == "main":
            continue  # the example of use (called at the end), read as top-level code: only its loops use helpers
        bodies.append((m.group(2), body))
        around = [c for c in containers if c[0] < m.start() < c[1]]
        depth = text.count("{", 0, m.start()) - text.count("}", 0, m.start())
        spaces = [c[2] for c in around if c[2] is not None]
        kinds = [c[3] for c in around if c[3] is not None]
        modifiers = m.group(1).split()
        params = _split_params(text[m.end() : close])
        if depth != len(around) or len(spaces) > 1 or len(kinds) > 1 or any("..." in p for p in params):
            continue  # a local function or a closure's, or a variadic parameter
        if kinds and (kinds[0] not in ("class", "enum") or "static" not in modifiers
                      or {"private", "protected"} & set(modifiers)):
            continue  # an instance method, or one the harness cannot call
        file_space = [s.group(1) for s in _FILE_NAMESPACE.finditer(text, 0, m.start())]
        space = "".join(f"{s}\\" for s in (spaces or file_space[-1:]))
        owner = space + next(c[4] for c in around if c[3] is not None) if kinds else space
        found.append((m.group(2), len(params), owner, bool(params) and re.search(r"&\s*\$\w+", params[0]) is not None,
                      body))
    # a helper: called in another function or a top-level loop, or named as a string callable
    loops = _top_level_loops(text, [b for _n, b in bodies] + [c[:2] for c in containers])
    out = []
    for name, arity, owner, inplace, (a, b) in found:
        call = re.compile(rf"(?<![\w$>\\]){re.escape(name)}\s*\(")
        named = re.compile(rf"(['\"]){re.escape(name)}\1")
        if any(call.search(text, x, y) for other, (x, y) in bodies if other != name) \
                or any(call.search(text, x, y) for x, y in loops) \
                or named.search(code, 0, a) or named.search(code, b):
            continue
        out.append((name, arity, owner, inplace))
    return out


def _top_level_loops(text: str, inside: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The loops of masked PHP text outside the spans ``inside`` (functions' bodies, classes), header and body."""
    out = []
    for m in _LOOP.finditer(text):
        if any(a <= m.start() < b for a, b in inside):
            continue
        if m.group(0).startswith("do"):
            out.append((m.start(), _body_end(text, m.end() - 1)))
            continue
        close = _close_paren(text, m.end() - 1)
        if close < 0:
            continue
        brace = re.compile(r"\s*\{").match(text, close + 1)
        stop = text.find(";", close + 1)
        out.append((m.start(), _body_end(text, brace.end() - 1) if brace else len(text) if stop < 0 else stop))
    return out


# A function whose first parameter is named with a ``$``: PHP's, where a bare answer was read as JavaScript or shell
_BARE_FUNCTION = re.compile(r"^[ \t]*function\s+\w+\s*\(\s*(?:[?\w\\|]+\s+)?&?\$\w", re.M)


def php_like(language: str | None, code: str) -> bool:
    """Whether a block that language detection read as JavaScript or shell (or not at all) is PHP: CodeAlpaca's bare
    ``function wordFrequency($inputString) {...}`` (no ``<?php``). Its functions' first parameter is named with a
    ``$`` and it declares no JavaScript variable (a jQuery function takes ``$el`` too, and declares its own)."""
    return language in (None, "javascript", "shell") and _BARE_FUNCTION.search(code) is not None \
        and re.search(r"\b(?:var|let|const)\s+[\w$]", code) is None


def php_callable(owner: str, name: str) -> str:
    """What a harness calls: ``Ns\\f``, ``f``, or ``Ns\\Cls::m`` (``owner`` as :func:`php_functions` gives it)."""
    return f"{owner}{name}" if not owner or owner.endswith("\\") else f"{owner}::{name}"


def php_file(source: str) -> str:
    """A sample's code as the file the harness includes: PHP from its first line (``<?php`` added where the answer
    left it out), less a shebang line."""
    source = re.sub(r"\A#![^\n]*\n", "", source)
    return source if _OPEN_TAG.search(source) else "<?php\n" + source


# -- harness ---------------------------------------------------------------------------------------------------------
# A child process runs up to _CHUNK consecutive calls of one function: a process a call was most of PHP's time over
# the shared samples. A byte a call written to a file tells the harness which call its child ended on (a socket pair
# blocked the child after ~270 one-byte writes: each holds most of a kilobyte of the socket's buffer).
_CHUNK = 500
# The harness: calls is a JSON list of [tag, late line, callable, arguments as JSON, in place]; LIMIT_S a call's CPU
# time, WALL_S its wall time, LOAD_S the CPU time for the sample's top-level code.
_PHP_MAIN = r"""<?php
ini_set('display_errors', '0');
const DECONTAM_CALLS = __CALLS__;

function decontam_answer($r) {
  if ($r instanceof Traversable) $r = iterator_to_array($r, false);
  if (!is_array($r)) return $r;
  $list = true;
  foreach ($r as $k => $_) { if (!is_int($k)) { $list = false; break; } }
  $out = array_map('decontam_answer', $r);
  return $list ? array_values($out) : $out;
}

function decontam_line(string $tag, string $fn, string $args, bool $inplace): ?string {
  try {
    $a = json_decode($args, true);
    $r = $fn(...$a);
    if ($r === null && $inplace && is_array($a[0] ?? null)) $r = $a[0];
    $j = json_encode(decontam_answer($r), JSON_PRESERVE_ZERO_FRACTION | JSON_INVALID_UTF8_SUBSTITUTE);
    return $j === false ? null : "\n" . $tag . $j . "}\n";
  } catch (Throwable $e) {
    return null;
  }
}

function decontam_run(): void {
  set_time_limit(0);
  while (ob_get_level() > 0 && @ob_end_clean()) {}
  ob_start(function ($b) { return ''; }, 4096);
  $failed = [];
  $calls = json_decode(DECONTAM_CALLS, true);
  $fork = function_exists('pcntl_fork');
  $log = sys_get_temp_dir() . '/decontam_call.log';
  $marks = sys_get_temp_dir() . '/decontam_started';
  for ($i = 0; $i < count($calls);) {
    [$tag, $late, $fn, $args, $inplace] = $calls[$i];
    if (isset($failed[$fn])) { $i++; continue; }
    // a child runs the function's consecutive calls (CHUNK at most) and marks, before each, that it starts it
    for ($end = $i + 1; $end < count($calls) && $end - $i < CHUNK && $calls[$end][2] === $fn; $end++) {}
    @unlink($log);
    @unlink($marks);
    $pid = $fork ? pcntl_fork() : -1;
    if ($pid === 0) {
      $mark = fopen($marks, 'w');
      error_reporting(E_ERROR);
      ini_set('log_errors', '1');
      ini_set('error_log', $log);
      for ($j = $i; $j < $end; $j++) {
        fwrite($mark, '.');
        fflush($mark);
        set_time_limit(LIMIT_S);  // restarts the call's CPU time from zero
        pcntl_alarm(WALL_S);
        $line = decontam_line($calls[$j][0], $fn, $calls[$j][3], $calls[$j][4]);
        if ($line === null) exit(1);
        fwrite(STDOUT, $line);
      }
      exit(0);
    }
    if ($pid < 0) {
      $line = decontam_line($tag, $fn, $args, $inplace);
      if ($line === null) $failed[$fn] = true; else fwrite(STDOUT, $line);
      $i++;
      continue;
    }
    pcntl_waitpid($pid, $status, 0);
    clearstatcache();
    $at = min($end, $i + max(1, (int) @filesize($marks))) - 1;  // the last call it started
    $i = $at + 1;
    // a call that ended its process with exit(0) answered nothing, and the calls after it run in a new child
    if (pcntl_wifexited($status) && pcntl_wexitstatus($status) === 0) continue;
    $failed[$fn] = true;
    if (str_contains((string) @file_get_contents($log), 'Maximum execution time')
        || (pcntl_wifsignaled($status) && pcntl_wtermsig($status) === SIGALRM)) fwrite(STDOUT, $calls[$at][1]);
  }
  exit(0);
}

register_shutdown_function('decontam_run');
set_time_limit(LOAD_S);
ob_start(function ($b) { return ''; }, 4096);
try {
  include __DIR__ . '/sample.php';
} catch (Throwable $e) {
}
"""


def _quoted(text: str) -> str:
    """A PHP single-quoted literal of ``text`` (only ``\\`` and ``'`` are escaped there)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def php_program(codes: dict[int, Any], calls: list[Call], tags: dict[int, str], lates: dict[int, str], seconds: int,
                limit_ms: int) -> tuple[str, dict[str, str]]:
    """The PHP harness program of one sample and its file (``sample.php``): ``tags`` the start of each call's
    answer line (``programs._tag``), ``lates`` its line when it runs out of time (``programs._late``), ``seconds``
    the CPU time for its code to load, ``limit_ms`` a call's CPU time (whole seconds: PHP's limit is)."""
    (code,) = codes.values()  # one sample (ONE_PER_PROGRAM)
    # the arguments as JSON of their own: one that PHP cannot read (a NaN) fails its call alone
    table = [[tags[n], lates[n], php_callable(fn.owner, fn.name), json.dumps(args), fn.inplace] for n, _k, fn, args in calls]
    limit_s = max(1, math.ceil(limit_ms / 1000))
    program = (_PHP_MAIN.replace("LIMIT_S", str(limit_s)).replace("WALL_S", str(10 * limit_s)).replace("CHUNK", str(_CHUNK))
               .replace("LOAD_S", str(max(1, seconds))).replace("__CALLS__", _quoted(json.dumps(table)), 1))
    return program, {"sample.php": php_file(code.source)}
