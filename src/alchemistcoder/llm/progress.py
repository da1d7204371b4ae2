"""Progress of a batch of model requests, shown while it runs (once, here, for every model-bound stage and verb).

On a terminal: a transient rich bar (done/total, failures, elapsed, ETA) on stderr. Otherwise (logs, pipes,
workers of an executor): one line on stderr every :data:`LOG_EVERY_S` seconds while the batch runs, and a
last one at its end if any was printed, so a long job in a log is never silent and a short one adds nothing:

    llm harmonize [qwen-1.5b]: 12/40 requests done (0.21/s, ETA 2m13s), 1 failed
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

# Seconds between two progress lines when stderr is not a terminal.
LOG_EVERY_S = 30.0


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class RequestProgress:
    """Progress of ``total`` requests labelled ``label``; :meth:`advance` as each one finishes."""

    def __init__(self, label: str, total: int, *, terminal: bool | None = None, every_s: float | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.failed = 0
        self.every_s = LOG_EVERY_S if every_s is None else every_s
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.started = time.monotonic()
        self.lines = 0
        self._bar: Any = None
        self._task: Any = None
        self._ticker: asyncio.Task[None] | None = None

    def start(self) -> RequestProgress:
        """Show the bar (terminal) or start the periodic lines (inside the running event loop)."""
        if self.terminal:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True,
            )
            self._task = self._bar.add_task(self.label, total=self.total, failed=0)
            self._bar.start()
        else:
            try:
                self._ticker = asyncio.get_running_loop().create_task(self._tick())
            except RuntimeError:  # no loop (a batched backend driven from plain code): lines come from advance()
                self._ticker = None
        return self

    def advance(self, n: int = 1, failed: int = 0) -> None:
        """``n`` more requests finished, ``failed`` of them with an error."""
        self.done += n
        self.failed += failed
        if self._bar is not None:
            self._bar.update(self._task, advance=n, failed=self.failed)
        elif self._ticker is None and time.monotonic() - self.started >= self.every_s * (self.lines + 1):
            self._log()

    def line(self) -> str:
        """The progress line as it stands."""
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = self.total - self.done
        eta = f", ETA {_duration(left / rate)}" if rate > 0 and left > 0 else ""
        failed = f", {self.failed} failed" if self.failed else ""
        return f"llm {self.label}: {self.done}/{self.total} requests done ({rate:.2f}/s{eta}){failed}"

    def _log(self) -> None:
        self.lines += 1
        print(self.line(), file=sys.stderr, flush=True)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            self._log()

    def close(self) -> None:
        """Remove the bar, stop the lines; a last line when lines were printed (the end of a long batch)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        if self.lines:
            self._log()
