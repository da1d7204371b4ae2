"""Runs one DS-1000 test program inside the sandbox, as upstream's ``unsafe_execute`` does.

``exec`` of ``test_program.py`` with empty globals, output swallowed and stdin unreadable, then one report
line (``<nonce> {json}``) on the real stdout; the nonce is the first line of stdin. Shipped by
``ds1000.py`` into the sandbox as ``main.py`` (no package imports here).
"""

import io
import json
import os
import sys
import traceback


class _WriteOnly(io.StringIO):
    """Swallows output; reading raises, as upstream's WriteOnlyStringIO."""

    def read(self, *args, **kwargs):
        raise OSError

    def readline(self, *args, **kwargs):
        raise OSError

    def readlines(self, *args, **kwargs):
        raise OSError

    def readable(self, *args, **kwargs):
        return False


def _main():
    nonce = sys.stdin.readline().strip()
    report_fd = os.dup(1)
    with open("test_program.py", encoding="utf-8") as fh:
        program = fh.read()
    sink = _WriteOnly()
    sys.stdout = sys.stderr = sys.stdin = sink
    record = {"status": "pass"}
    try:
        # upstream's exec(program, {}); compiled under a file name so that a traceback tells the test's
        # frames from the answer's (exec'd by test_execution as "<string>")
        exec(compile(program, "test_program.py", "exec", dont_inherit=True), {})
    except BaseException as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        record = {
            "status": "fail",
            "type": type(exc).__name__,
            "message": str(exc)[:500],
            "in_answer": bool(frames) and frames[-1].filename == "<string>",
            "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-2000:],
        }
    os.write(report_fd, ("\n" + nonce + " " + json.dumps(record) + "\n").encode())
    os._exit(0)


_main()
