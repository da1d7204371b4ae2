"""The JavaScript harness program: it calls a batch of samples' functions on a benchmark's tests in node, each
sample in a ``vm`` context of its own, and prints each answer as a line of the sandbox harness's tagged protocol
(``foreign.py`` gives each call's tag and its line when it runs out of time, ``programs._tag`` and ``_late``).

A call is limited by its CPU time (``limit_ms``, checked after it returns). node can stop a computing loop only
by the wall clock, through the ``vm`` timeout, at ``JS_WALL_FACTOR`` limits. Each timeout starts a watchdog thread,
0.3-0.4 ms a call (docs/decontam_cost.md, item 8), so a function's consecutive calls run inside its context in one
``runInContext``. That run starts no new call after ``JS_CHUNK_MS`` of wall time, and the calls after it run in
the next, so every call still has at least ``JS_WALL_FACTOR`` limits of wall clock. A function that threw or ran
out of time failed: its other calls are skipped, and the one out of time writes its marker. Each answer is JSON,
written as soon as its call returns.

``foreign.py`` imports this module, which imports nothing of decontamination.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

# The wall-clock backstop of a call, in CPU limits: each call that never ends costs that much.
JS_WALL_FACTOR = 2
# Wall time after which a chunk of a function's calls starts no new call.
JS_CHUNK_MS = 250
_HEAD = """const vm = require('vm');
const quiet = {log() {}, error() {}, warn() {}, info() {}};
// node's own timeout error (its ``code`` read as a plain property: a sample's getter never runs here)
function outOfTime(e) { try { const d = e !== null && typeof e === 'object' && Object.getOwnPropertyDescriptor(e, 'code');
  return !!d && d.value === 'ERR_SCRIPT_EXECUTION_TIMEOUT'; } catch (x) { return false; } }
const now = () => Number(process.hrtime.bigint()) / 1e6;
// run chunk RUNNER's calls (their answer and timeout lines: TAGS, LATES) in CTX; FAILED: the functions that threw or ran
// out of time, whose other calls are skipped. The runner (in the context) answers into h.out, JSON as written;
// h.late: the call after the last answered ran past its CPU time.
function runChunk(ctx, hkey, runner, tags, lates, failed, name) {
  let i = 0;
  while (i < tags.length && !failed.has(name)) {
    const h = {start: i, out: [], late: false, t0: now(), now, cpu: process.cpuUsage, str: JSON.stringify};
    ctx[hkey] = h;
    let threw = false, err;
    try { vm.runInContext(runner, ctx, {timeout: TIMEOUT_MS}); } catch (e) { threw = true; err = e; }
    for (const s of h.out) { process.stdout.write(tags[i] + s + '}\\n'); i++; }
    if (h.late || threw) { failed.add(name); if (h.late || outOfTime(err)) process.stdout.write(lates[i]); }
  }
}
"""


def js_program(codes: dict[int, Any], calls: list[Any], tags: dict[int, str], lates: dict[int, str], seconds: int,
               limit_ms: int, nonce: str) -> str:
    """The program of a batch of samples (``codes`` by sample, each with its ``source``): ``calls`` are
    ``(number, sample, function, arguments)``, ``tags`` the start of each call's answer line and ``lates`` its line
    when it runs out of time; ``seconds`` the wall time for a sample's top-level code, ``limit_ms`` a call's CPU
    time; ``nonce`` names the harness's own global in each context."""
    hkey = f"__decontam_{nonce}"
    lines = [_HEAD.replace("TIMEOUT_MS", str(JS_CHUNK_MS + JS_WALL_FACTOR * limit_ms))]
    for k, code in codes.items():
        lines.append(f"{{ const ctx = vm.createContext({{console: quiet}}); const failed = new Set();\n"
                     f"  try {{ vm.runInContext({json.dumps(code.source)}, ctx, {{timeout: {seconds * 1000}}}); }} catch (e) {{}}")
        mine = [(n, fn, args) for n, j, fn, args in calls if j == k]
        for name, group in itertools.groupby(mine, key=lambda call: call[1].name):  # a function's consecutive calls
            chunk = list(group)
            # a function that returns nothing answers with its first argument when that is an array it changed
            # in place ("sort an array by bubble sort"), as a C++ or Java procedure does; the arguments are
            # literals of the context, made before its calls
            runner = (f"(() => {{ const h = globalThis[{json.dumps(hkey)}]; const calls = "
                      f"[{', '.join(json.dumps(args) for _n, _f, args in chunk)}];\n"
                      f"for (let i = h.start; i < calls.length; i++) {{ if (i > h.start && h.now() - h.t0 > {JS_CHUNK_MS}) return;\n"
                      f"  const a = calls[i]; const c0 = h.cpu(); const r0 = {name}(...a); const c = h.cpu(c0);\n"
                      f"  if (c.user + c.system > {limit_ms * 1000}) {{ h.late = true; return; }}\n"
                      f"  const r = r0 === undefined && Array.isArray(a[0]) ? a[0] : r0; h.out.push(h.str(r === undefined ? null : r)); }} }})()")
            lines.append(f"  runChunk(ctx, {json.dumps(hkey)}, {json.dumps(runner)}, {json.dumps([tags[n] for n, _f, _a in chunk])}, "
                         f"{json.dumps([lates[n] for n, _f, _a in chunk] + [''])}, failed, {json.dumps(name)});")
        lines.append("}")
    return "\n".join(lines) + "\nprocess.exit(0);\n"
