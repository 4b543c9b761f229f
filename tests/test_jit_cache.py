"""The numba cache stamp covers every module compiled code depends on."""

from __future__ import annotations

import ast
from pathlib import Path

from sim.jit import KERNEL_SOURCES, PACKAGE_DIR


def _sim_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):  # imports only for type checkers do not reach compiled code
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim."):
            found.add(node.module.split(".")[1] + ".py")
    return found


def test_every_module_using_jit_and_its_imports_are_in_the_stamp() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        imports = _sim_imports(path)
        if "jit.py" in imports:
            assert path.name in KERNEL_SOURCES, path.name
            missing = {m for m in imports if (PACKAGE_DIR / m).exists()} - set(KERNEL_SOURCES)
            assert not missing, (path.name, missing)
