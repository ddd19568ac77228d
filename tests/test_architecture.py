import ast
import subprocess
import sys
from pathlib import Path

from rnnviz.resources import resource_dir

ROOT = Path(__file__).resolve().parent.parent


def test_core_never_imports_qt():
    code = (
        "import sys, pkgutil, importlib, rnnviz.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'rnnviz.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import rnnviz.cli, rnnviz.commands.gradcheck\n"
        "qt = ('PySide6', 'pyqtgraph', 'PyQt5', 'PyQt6')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in qt]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


LAYERS = {  # subpackage of rnnviz.core -> subpackages it must never import
    "nn": ("data", "train", "export"),
    "data": ("nn", "train", "export"),
    "train": ("export",),
    "export": (),
}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module `path` imports (relative imports resolved)."""
    package = "rnnviz." + ".".join(path.relative_to(ROOT / "rnnviz").with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_core_layers_import_in_one_direction():
    """data and nn never import train, nor each other; nothing in core imports Qt."""
    bad = []
    for layer, forbidden in LAYERS.items():
        for path in (ROOT / "rnnviz" / "core" / layer).rglob("*.py"):
            for name in imported_modules(path):
                if any(name.startswith(f"rnnviz.core.{other}") for other in forbidden):
                    bad.append(f"{path.relative_to(ROOT)} imports {name}")
    for path in (ROOT / "rnnviz" / "core").rglob("*.py"):
        for name in imported_modules(path):
            if name.split(".")[0] in ("PySide6", "pyqtgraph", "PyQt5", "PyQt6"):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_the_import_check_resolves_relative_imports():
    names = imported_modules(ROOT / "rnnviz" / "core" / "train" / "trainer.py")
    assert "rnnviz.core.nn.model" in names and "rnnviz.core.data.batching" in names


def test_resources_are_found():
    assert (resource_dir("data")).is_dir()
    assert (resource_dir("assets")).is_dir()


def test_ruff_lint_is_clean():
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(root)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_window_sends_the_runner_only_named_commands():
    """No closure from the GUI runs on the training thread: runner.call() is for scripts and
    tests."""
    bad = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "rnnviz" / "gui").rglob("*.py")
        if "runner.call(" in path.read_text(encoding="utf-8")
    ]
    assert not bad, bad
