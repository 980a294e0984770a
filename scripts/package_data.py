"""Build step: the wheel carries the templates, rules and examples as package data.

The repository keeps them at the top level (templates/da/, plain_language_rules/, examples/),
where communications staff edit them; an installed brevgen finds them under
``brevgen/_data/`` (see brevgen/paths.py). setuptools runs this ``build_py`` instead of its own
(pyproject.toml: [tool.setuptools.cmdclass]); it copies the three folders into the build tree
after the Python modules. An editable install reads the repository folders directly, so it
copies nothing then.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py as _build_py

DATA_FOLDERS = ("templates", "plain_language_rules", "examples")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "node_modules")


class BuildPy(_build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        root = Path(__file__).resolve().parent.parent
        target = Path(self.build_lib) / "brevgen" / "_data"
        for name in DATA_FOLDERS:
            source = root / name
            if not source.is_dir():
                raise FileNotFoundError(f"{source}: the wheel needs this folder")
            destination = target / name
            if destination.exists():
                shutil.rmtree(destination)
            shutil.copytree(source, destination, ignore=_SKIP)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        target = Path(self.build_lib) / "brevgen" / "_data"
        if target.is_dir():
            outputs += [str(p) for p in target.rglob("*") if p.is_file()]
        return outputs
