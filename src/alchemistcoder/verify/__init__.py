"""Verification: run every response in the sandbox, test what it defines with model-written tests, repair
failures from the error or reject them; every attempt is in the trace (``stage.py``).

Nothing is imported here, so loading a config does not pull in the sandbox: import ``verify.stage``,
``verify.config`` and the rest directly.
"""
