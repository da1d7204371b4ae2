"""The second crash review (issue 23): what a response's run shows when the program is not what its author
meant to run (notes in another comment syntax, pasted output, alternative snippets, another language, a
skeleton, a file or stdin the run does not give, an error the response marks), each beside a near real fault
that stays a crash. Real runs in the sandbox."""

from __future__ import annotations

from alchemistcoder.verify.config import VerifyConfig
from alchemistcoder.verify.execute import execute_programs
from alchemistcoder.verify.program import python_notes_as_comments, response_program

LANGS = VerifyConfig().languages


def _fenced(code: str, lang: str = "python") -> str:
    return f"Here is the code:\n```{lang}\n{code.strip()}\n```\n"


def _run(cases: dict[str, str], timeout_s: float = 10.0) -> dict:
    programs = [response_program(response, LANGS) for response in cases.values()]
    return dict(zip(cases, execute_programs(programs, VerifyConfig(timeout_s=timeout_s)), strict=True))


# bare CodeAlpaca-style answers (no fence), as the shared sets have them
NOTES = {
    "slash_note": "def sum_digits(num):\n  total = 0\n  while num > 0:\n    total += num % 10\n    num = num // 10\n"
                  "  return total\n\nprint(sum_digits(123))  // Outputs 6",
    "slash_line": "def is_pal(s):\n    return s == s[::-1]\n\nprint(is_pal('madam'))\n// Output: True",
    "block_comment": "def multiply(a, b):\n    return a * b\n\nprint(multiply(3, 4))\n\n"
                     "/* Translated the C++ function into Python:\n   Removed the include line. */",
    "pasted_output": "def odd(n):\n  for k in range(1, n + 1):\n    if k % 2:\n      print(k, end=' ')\n\nodd(10)\n\n"
                     "# Output\n1 3 5 7 9",
    "arrow_result": "def change_letter(s, a, b):\n    return s.replace(a, b)\n\nchange_letter('fox', 'o', 'U') => 'fUx'",
    "js_hash_note": _fenced("function twice(x) {\n  return 2 * x;\n}\n\nconsole.log(twice(2)) # Output: 4\n"
                            "const tag = '# not a note';\nconsole.log(tag.replace(/# /g, ''));", "javascript"),
    # near real faults: a value after the label is no pasted output, a broken statement is no note
    "labelled_fault": "def total(xs):\n    return sum(xs)\n\n# Output: 6\nprint(total([1, 2, 3]) x)",
    "syntax_fault": "def f(x):\n    return x +\n\nprint(f(1))  // Output: 2",
    "js_syntax_fault": _fenced("function twice(x) {\n  return 2 * x;\n\nconsole.log(twice(2)); // 4", "javascript"),
}


def test_notes_and_pasted_output_are_not_code() -> None:
    """A note in another language's comment syntax (``// Outputs 6``, ``/* ... */``, JavaScript's ``# Output``),
    an arrow to the result and output pasted after an ``# Output`` label are read as comments, so the code runs
    as its author meant; a broken statement beside such a note, or after a label that carries a value, stays a
    crash."""
    got = _run(NOTES)
    for name in ("slash_note", "slash_line", "block_comment", "pasted_output", "arrow_result", "js_hash_note"):
        assert got[name].klass == "runs", (name, got[name])
    assert got["slash_note"].stdout == "6" and got["js_hash_note"].stdout == "4\nnot a note"
    for name in ("labelled_fault", "syntax_fault", "js_syntax_fault"):
        assert got[name].klass == "crashes" and got[name].error["type"] == "SyntaxError", (name, got[name])
    program = response_program(NOTES["pasted_output"], LANGS)
    assert program.notes == 1 and "# 1 3 5 7 9" in program.source
    assert python_notes_as_comments("print(1)") is None  # compiles: nothing to read differently


MISREAD = {
    "alternatives": "One way:\n" + _fenced("let a = 'x';\nlet b = a.concat('y');\nconsole.log(b);", "javascript")
                    + "Another way:\n" + _fenced("let a = 'x';\nlet b = a + 'y';\nconsole.log(b);", "javascript"),
    "php": "class Calculator {\n  private $operand1;\n  public function __construct($a) {\n    $this->operand1 = $a;\n  }\n}",
    "pseudocode": "Pseudocode:\n```\nfunction reverseString(s):\n    reversed = \"\"\n    return reversed\n```\n",
    "julia": "function say_hello(name)\n    return \"Hello, $name!\"\nend\n\nprintln(say_hello(\"World\"))",
    "skeleton": "method = MyClass.__dict__.get('myMethod')\nif isinstance(method, staticmethod):\n    # do something",
    "signature": "def gcd(x, y):",
    # near real faults: one block declaring twice, broken JavaScript with a jQuery name, lost indentation
    "redeclared": _fenced("let a = 1;\nconsole.log(a);\nlet a = 2;", "javascript"),
    "js_fault": _fenced("const $el = $('#box');\nfunction show( {\n  return $el;\n}", "javascript"),
    "lost_indent": "def preorder(root):\n if root:\n #visit the node\n print(root.data)\n preorder(root.left)",
}


def test_misread_programs_are_not_crashes() -> None:
    """Alternative snippets that each declare the same name, PHP / pseudocode / Julia read as JavaScript, and a
    Python block whose body is a placeholder comment (or a bare signature) are ``not_runnable`` with the reason;
    a redeclaration inside one block, a JavaScript syntax error and indentation the response lost stay
    crashes."""
    got = _run(MISREAD)
    assert got["alternatives"].klass == "not_runnable" and "alternative" in got["alternatives"].error["misread"]
    assert got["php"].klass == "not_runnable" and got["php"].error["misread"].startswith("PHP")
    assert got["pseudocode"].klass == "not_runnable" and "pseudocode" in got["pseudocode"].error["misread"]
    assert got["julia"].klass == "not_runnable" and "'end'" in got["julia"].error["misread"]
    assert got["skeleton"].klass == "not_runnable" and "skeleton" in got["skeleton"].error["misread"]
    assert got["signature"].klass == "not_runnable" and "signature" in got["signature"].error["misread"]
    for name in ("redeclared", "js_fault"):
        assert got[name].klass == "crashes" and got[name].error["type"] == "SyntaxError", (name, got[name])
    assert got["lost_indent"].klass == "crashes" and got["lost_indent"].error["type"] == "IndentationError"


_CPP_HEAD = "#include <iostream>\n#include <fstream>\n#include <string>\nusing namespace std;\n"
ENVIRONMENT = {
    "reads_file": _CPP_HEAD + "int main() {\n    ifstream in(\"input.txt\");\n    if (!in) {\n"
                              "        cerr << \"Unable to open file\" << endl;\n        return 1;\n    }\n"
                              "    string w; int n = 0;\n    while (in >> w) n++;\n    cout << n << endl;\n    return 0;\n}",
    "reads_stdin": _CPP_HEAD + "int main() {\n    double a; char op;\n    cin >> a >> op;\n"
                               "    if (op != '+') {\n        cout << \"Error: Invalid operator\" << endl;\n"
                               "        return 1;\n    }\n    cout << a << endl;\n    return 0;\n}",
    # near real faults: a program that reads nothing and fails on its own, one that writes a file and fails
    "writes_file": "#include <cstdio>\nint main() {\n    FILE *f = fopen(\"report.txt\", \"w\");\n"
                   "    if (f) fclose(f);\n    return 1;\n}",
    "exits_1": _CPP_HEAD + "int main() {\n    int v[3] = {1, 2, 3};\n    if (v[0] != 2) {\n"
                           "        cerr << \"wrong\" << endl;\n        return 1;\n    }\n    return 0;\n}",
}


def test_a_compiled_program_without_its_file_or_stdin_needs_them() -> None:
    """A C++ program that opens a file to read it and exits with an error status needs files; one that reads
    stdin and fails needs input; one that reads neither (or only writes a file) and exits 1 crashes."""
    got = _run({k: _fenced(v, "cpp") for k, v in ENVIRONMENT.items()}, timeout_s=20.0)
    assert got["reads_file"].klass == "needs_files"
    assert got["reads_stdin"].klass == "needs_input"
    assert got["exits_1"].klass == "crashes" and got["exits_1"].error["type"] == "ExitStatus"
    assert got["writes_file"].klass == "crashes" and got["writes_file"].error["type"] == "ExitStatus"


MARKED = {
    "marked_line": "def reverse(arr):\n    out = []\n    for i in range(len(arr) - 1, -1, -1):\n"
                   "        out.append(arr[i + 1])  # Incorrect index\n    return out\n\nprint(reverse([1, 2]))",
    "throws_below": _fenced("class P {\n  set name(v) {\n    if (v === '') throw new Error('empty');\n    this._n = v;\n  }\n}\n"
                            "const p = new P();\np.name = '';\n// Throws an error: empty", "javascript"),
    "type_input": "for i in range(len(list)):\n    print(list[i], i)",
    # near real faults: a comment that marks nothing, a note below that claims a value, a type shadowed
    "unmarked_line": "def reverse(arr):\n    out = []\n    for i in range(len(arr) - 1, -1, -1):\n"
                     "        out.append(arr[i + 1])  # the next one\n    return out\n\nprint(reverse([1, 2]))",
    "value_below": _fenced("function last(a) {\n  return a.at(-1).x;\n}\nconsole.log(last([]));\n// Output: 5",
                           "javascript"),
    "shadowed_type": "list = [1, 2, 3]\nlist = list(map(lambda x: x * 2, list))",
}


def test_marked_errors_and_type_inputs() -> None:
    """A faulty line the response marks as such (Evol's "erroneous code": ``# Incorrect index``) and an error a
    comment just below the statement announces are ``announced_error``; ``len(list)`` reads a type as the
    snippet's input; an unmarked fault, a note below that claims a value and a shadowed ``list`` stay crashes."""
    got = _run(MARKED)
    assert got["marked_line"].klass == "announced_error" and got["marked_line"].error["type"] == "IndexError"
    assert got["throws_below"].klass == "announced_error" and got["throws_below"].error["type"] == "Error"
    assert got["type_input"].klass == "not_runnable" and got["type_input"].error["placeholder"] == "list"
    assert got["unmarked_line"].klass == "crashes" and got["unmarked_line"].error["type"] == "IndexError"
    assert got["value_below"].klass == "crashes" and got["value_below"].error["type"] == "TypeError"
    assert got["shadowed_type"].klass == "crashes" and got["shadowed_type"].error["type"] == "TypeError"
