import ast
import json
import subprocess
import sys
from pathlib import Path

from rnnviz.resources import resource_dir

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "pyqtgraph", "PyQt5", "PyQt6", "shiboken6")


def test_core_never_imports_qt():
    code = (
        "import sys, pkgutil, importlib, rnnviz.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'rnnviz.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "import rnnviz.cli, rnnviz.commands.gradcheck\n"
        f"qt = {QT!r}\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in qt]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# What each part of rnnviz may import of rnnviz: the one table of import directions. A part is
# a subpackage or a module of rnnviz.core ("core.train", "core.heap") or of rnnviz itself
# ("gui", "cli", "resources"; "rnnviz" is rnnviz/__init__.py, "core" rnnviz/core/__init__.py);
# "core" on the right stands for every part of core. Parts are found on disk, so a new one fails
# test_every_part_is_in_the_table until it is given its line here.
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "core.errors": (),
    "core.files": ("core.errors",),
    "core.json_reader": (),
    "core.heap": (),
    "core.history": (),
    "core.words": (),
    "core.nn": ("core.errors",),
    "core.data": ("core.errors", "core.json_reader", "resources"),
    "core.insight": ("core.nn", "core.data", "core.generate", "core.history", "core.errors"),
    "core.generate": ("core.nn", "core.data", "core.errors"),
    "core.train": (
        "core.nn",
        "core.data",
        "core.insight",
        "core.history",
        "core.heap",
        "core.errors",
        "core.files",
        "core.json_reader",
        "core.words",
    ),
    "core.export": ("core.nn", "core.data", "core.train", "core.errors", "core.files"),
    "core.lessons": (
        "core.nn",
        "core.data",
        "core.insight",
        "core.train",
        "core.errors",
        "core.json_reader",
    ),
    "core": (),
    "resources": (),
    "rnnviz": (),
    "report": ("core", "rnnviz"),  # the HTML page: no Qt, drawn by the browser
    "gui": ("core", "report", "resources", "rnnviz"),
    "commands": ("core", "gui", "report", "resources", "rnnviz"),
    "cli": ("commands", "core", "resources", "rnnviz"),
    "__main__": ("cli",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in (ROOT / "rnnviz").rglob("*.py")}


def part_of(module: str) -> str:
    """The part (a key of MAY_IMPORT) that rnnviz module `module` belongs to."""
    parts = module.split(".")[1:]
    if parts[:1] == ["core"]:
        return ".".join(parts[:2])
    return parts[0] if parts else "rnnviz"


def rnnviz_module(name: str) -> str | None:
    """The rnnviz module an imported name is, or is in (`rnnviz.__version__` is in rnnviz);
    None for a name outside rnnviz."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def may_import(part: str, other: str) -> bool:
    return other == part or any(
        other == allowed or (allowed == "core" and other.startswith("core."))
        for allowed in MAY_IMPORT[part]
    )


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module `path` imports (relative imports resolved), at the top or
    inside a function alike; for `from m import a`, both m and m.a."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = ".".join(parts[:-1])  # an __init__.py's own package, else the module's
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_every_part_is_in_the_table():
    parts = {part_of(module) for module in MODULES}
    assert parts == set(MAY_IMPORT), (
        f"not in MAY_IMPORT: {sorted(parts - set(MAY_IMPORT))}; "
        f"in it but gone: {sorted(set(MAY_IMPORT) - parts)}"
    )
    for part, allowed in MAY_IMPORT.items():
        assert set(allowed) <= set(MAY_IMPORT), part


def test_the_table_has_one_direction():
    """No two parts may import each other, however indirectly: the table is acyclic."""
    state: dict[str, str] = {}

    def visit(part: str, path: list[str]) -> None:
        state[part] = "visiting"
        for other in MAY_IMPORT:
            if other != part and may_import(part, other):
                assert state.get(other) != "visiting", " -> ".join([*path, part, other])
                if other not in state:
                    visit(other, [*path, part])
        state[part] = "done"

    for part in MAY_IMPORT:
        if part not in state:
            visit(part, [])


def test_imports_follow_the_table():
    bad = []
    for module, path in sorted(MODULES.items()):
        part = part_of(module)
        for name in imported_modules(path):
            target = rnnviz_module(name)
            if target is not None and not may_import(part, part_of(target)):
                bad.append(f"{path.relative_to(ROOT)} ({part}) imports {name}")
    assert not bad, "\n".join(sorted(set(bad)))


def test_core_never_imports_qt_even_lazily():
    bad = [
        f"{path.relative_to(ROOT)} imports {name}"
        for module, path in MODULES.items()
        if part_of(module).split(".")[0] == "core"
        for name in imported_modules(path)
        if name.split(".")[0] in QT
    ]
    assert not bad, bad


def test_the_check_sees_a_forbidden_import():
    assert not may_import("core.nn", "core.train") and not may_import("core.data", "core.nn")
    assert not may_import("core.train", "core.export") and not may_import("core.nn", "gui")
    assert may_import("gui", "core.train") and may_import("core.export", "core.train")
    assert part_of("rnnviz.core.train.runner") == "core.train"
    assert part_of("rnnviz.core.heap") == "core.heap" and part_of("rnnviz.core") == "core"
    assert part_of("rnnviz.gui.app") == "gui" and part_of("rnnviz") == "rnnviz"
    assert rnnviz_module("rnnviz.__version__") == "rnnviz"
    assert rnnviz_module("rnnviz.core.train.runner.TrainingRunner") == "rnnviz.core.train.runner"
    assert rnnviz_module("numpy.linalg") is None


def test_the_import_check_resolves_relative_imports():
    names = imported_modules(ROOT / "rnnviz" / "core" / "train" / "trainer.py")
    assert "rnnviz.core.nn.model" in names and "rnnviz.core.data.batching" in names
    assert "rnnviz.commands" in imported_modules(ROOT / "rnnviz" / "cli.py")


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


def test_the_command_line_starts_without_the_export_or_window_libraries():
    """Every command pays for what the command line imports at start: onnx alone took 2 s of
    `rnnviz --version`'s 2.4 s. Export imports its writers when it writes, the window Qt."""
    code = (
        "import sys, rnnviz.cli\n"
        "heavy = ('onnx', 'safetensors', 'torch', 'PySide6', 'pyqtgraph', 'onnxruntime')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_command_imports_only_its_own_module():
    """The parser once imported every command's module: `rnnviz --version` took 0.33 s (18x
    `python -c pass`; 0.05 s without) and `predict` paid for training, comparing and tqdm."""
    code = (
        "import json, sys\n"
        "from rnnviz.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps([m for m in sys.modules if m.split('.')[:2] == ['rnnviz', 'commands']"
        " or m in ('numpy', 'tqdm')]))\n"
    )

    def imported(*argv):
        done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return set(json.loads(done.stdout.splitlines()[-1]))

    from rnnviz.cli import COMMANDS

    commands = {f"rnnviz.commands.{module}" for module, *_ in COMMANDS.values()}
    version = imported("--version")
    assert not version & (commands | {"numpy", "tqdm"}), version
    predict = imported("predict", "--help")
    assert {"rnnviz.commands.predict", "numpy"} <= predict, predict
    assert not {"rnnviz.commands.train", "rnnviz.commands.compare", "tqdm"} & predict, predict
