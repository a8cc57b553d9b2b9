"""Errors the user can act on: each names the cause and the fix."""

from __future__ import annotations


class ToolError(Exception):
    """A failure caused by the input or the environment, not by a bug."""

    def __init__(self, cause: str, fix: str, status: int = 2) -> None:
        super().__init__(f"{cause}: {fix}")
        self.cause = cause
        self.fix = fix
        self.status = status
