"""Finding the modules of a registry package: each is imported once, and registers itself.

The event and format registries use this, so a new event or format is one module in the right
folder. Modules whose names start with ``_`` are helpers and are not imported.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable


class ModuleDiscovery:
    def __init__(self, package: str, path: Iterable[str], then: Callable[[], None] | None = None):
        self.package = package
        self.path = list(path)
        self.then = then  # more to load after the package's own modules (files named by configuration)
        self.done = False
        self.lock = threading.RLock()

    def ensure(self) -> None:
        if self.done:
            return
        with self.lock:
            if self.done:
                return
            for info in pkgutil.iter_modules(self.path):
                if not info.name.startswith("_"):
                    importlib.import_module(f"{self.package}.{info.name}")
            if self.then is not None:
                self.then()
            self.done = True
