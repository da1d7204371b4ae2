"""Runs inside the sandbox for the verify stage (``alchemistcoder.verify.testing``): model-written tests against
candidate programs (the response, its repairs, the model's independent solutions).

The host sends this file as the sandbox's program, ``_box.py`` beside it and ``job.json``: ``candidates``
(each a program's definitions as source), ``tests`` (each one assert statement, or a few lines ending in
one), ``test_timeout_s`` and ``repeat``. Each candidate runs in a forked child (what it does to the
interpreter cannot reach the next one); its definitions are executed once with output swallowed and stdin
empty, then every test runs in a copy of its namespace under a time limit, ``repeat`` times in all (a test
whose outcome changes between rounds is not deterministic). One tagged line per candidate:
``{"candidate", "status" (ok | timeout | crashed), "load_error", "tests": [[outcome, ..per round], type,
message], "probes": [answer, ...]}`` where an outcome is ``pass``, ``fail`` (the assertion was false),
``error`` (it raised) or ``timeout``. ``probes`` are call expressions (the tests' calls and variants of their
inputs) whose answers are compared across candidates by the host: each answer is a canonical text of the
value (floats rounded, tuples as lists, sets sorted) or ``!<exception type>``.
"""

import _box  # shipped beside this file by the harness


def _describe(exc):
    # BaseException.__str__, not str(): a candidate may have replaced builtins.str
    return [type(exc).__name__, BaseException.__str__(exc)[:200]]


def _canon(value, depth=0):
    """A canonical text of a value: equal answers in another container type or float noise compare equal."""
    if depth > 6:
        return "..."
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)[:300]
    if isinstance(value, float):
        # 2.0 and 2 are one answer to a Python test (2.0 == 2): an integral float is written as the integer
        if value.is_integer() and abs(value) < 1e15:
            return repr(int(value))
        return repr(round(value, 6))
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_canon(v, depth + 1) for v in value[:100]) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canon(v, depth + 1) for v in list(value)[:100])) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{_canon(k, depth + 1)}:{_canon(v, depth + 1)}" for k, v in
                                     list(value.items())[:100])) + "}"
    return type(value).__name__


def _probe(namespace, code_obj, timeout_s):
    try:
        with _box.quiet():
            value = _box.limited(lambda: eval(code_obj, dict(namespace)), timeout_s)
        return _canon(value)
    except _box.Timeout:
        return "!Timeout"
    except BaseException as exc:
        return "!" + type(exc).__name__


def _run_candidate(code, tests, timeout_s, repeat, probes=()):
    namespace = {"__name__": "__verify__"}
    try:
        with _box.quiet():
            _box.limited(lambda: exec(compile(code, "solution.py", "exec"), namespace), timeout_s * 2)
    except BaseException as exc:
        return {"load_error": _describe(exc), "tests": []}
    compiled = []
    for test in tests:
        try:
            compiled.append(compile(test, "test.py", "exec"))
        except BaseException as exc:
            compiled.append(_describe(exc))
    results = [[[], "", ""] for _ in tests]
    for _round in range(repeat):
        for i, code_obj in enumerate(compiled):
            if isinstance(code_obj, list):
                results[i][0].append("error")
                results[i][1], results[i][2] = code_obj
                continue
            scope = dict(namespace)
            try:
                with _box.quiet():
                    _box.limited(lambda c=code_obj, s=scope: exec(c, s), timeout_s)
                outcome = "pass"
            except _box.Timeout:
                outcome = "timeout"
            except AssertionError as exc:
                outcome = "fail"
                if not results[i][1]:
                    results[i][1], results[i][2] = _describe(exc)
            except BaseException as exc:
                outcome = "error"
                if not results[i][1]:
                    results[i][1], results[i][2] = _describe(exc)
            results[i][0].append(outcome)
    answers = []
    for expr in probes:
        try:
            answers.append(_probe(namespace, compile(expr, "probe.py", "eval"), timeout_s))
        except SyntaxError:
            answers.append("!SyntaxError")
    return {"load_error": None, "tests": results, "probes": answers}


def main():
    job = _box.load_job()
    tests, timeout_s, repeat = job["tests"], job["test_timeout_s"], job["repeat"]
    probes = job.get("probes", [])
    budget = timeout_s * (2 + len(tests) * repeat + len(probes)) + 2
    for index, code in enumerate(job["candidates"]):
        status, value = _box.in_child(lambda c=code: _run_candidate(c, tests, timeout_s, repeat, probes), budget)
        record = {"candidate": index, "status": status}
        if status == "ok":
            record.update(value)
        else:
            record["detail"] = value
        _box.emit(record)


if __name__ == "__main__":
    main()
