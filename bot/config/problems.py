"""What is wrong with the configuration, located as precisely as the file allows: shared by the
environment's and the network file's checks, so ``reseau-bot check`` lists everything at once."""

from __future__ import annotations

from dataclasses import dataclass

BUILTIN = "built-in"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the configuration, located as precisely as the file allows."""

    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` says everything that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
