import subprocess
import sys
from pathlib import Path

from rnnviz.resources import resource_dir


def test_core_never_imports_qt():
    code = (
        "import sys, pkgutil, importlib, rnnviz.core as core\n"
        "for m in pkgutil.iter_modules(core.__path__):\n"
        "    importlib.import_module('rnnviz.core.' + m.name)\n"
        "import rnnviz.cli, rnnviz.commands.gradcheck\n"
        "qt = ('PySide6', 'pyqtgraph', 'PyQt5', 'PyQt6')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in qt]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_resources_are_found():
    assert (resource_dir("data")).is_dir()
    assert (resource_dir("assets")).is_dir()


def test_ruff_lint_is_clean():
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(root)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
