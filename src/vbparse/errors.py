"""One error type for everything a user can hand us that we cannot read.

Its message is the one line the CLI prints: the file and the cause, no traceback.
"""
from __future__ import annotations


class InputError(Exception):
    def __init__(self, path: object, cause: str):
        self.path = None if path is None else str(path)
        self.cause = cause
        super().__init__(f"{self.path or '<input>'}: {cause}")
