"""Wall time spent inside a few named functions while a scenario runs (where its time goes).

Each function named in ``timed`` (``(module, "function" or "Class.method", label)``) is replaced
by a wrapper that adds its wall time to ``seconds[label]`` for as long as the ``with`` block
lasts, then put back. Patch where a function is looked up: a module that imported it by name
keeps its own reference.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence
from typing import Any

Timed = tuple[str, str, str]  # (module, "function" or "Class.method", label)


class FunctionTimers:
    def __init__(self, timed: Sequence[Timed]) -> None:
        self.timed = tuple(timed)
        self.seconds: dict[str, float] = {}  # label -> seconds, labels in the order first timed
        self._undo: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> FunctionTimers:
        for module, path, label in self.timed:
            owner: Any = importlib.import_module(module)
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            original = getattr(owner, name)
            setattr(owner, name, self._wrap(label, original))
            self._undo.append((owner, name, original))
        return self

    def _wrap(self, label: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started

        return timed

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()
