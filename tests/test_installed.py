"""What a user installs: the `rnnviz` command of the installed package, run from outside the
checkout, and the package the tests import being that installed one."""

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import rnnviz

CHECKOUT = Path(__file__).resolve().parent.parent


def is_editable_install() -> bool:
    direct_url = metadata.distribution("rnnviz").read_text("direct_url.json")
    return bool(direct_url and json.loads(direct_url).get("dir_info", {}).get("editable"))


def test_tests_import_the_installed_package_not_the_source_tree():
    """A non-editable install must be what the tests exercise: an import that only works from
    the source tree (a package missing from the wheel) then fails here, not on a user's machine."""
    if is_editable_install():
        pytest.skip("editable install: the source tree is the installed package")
    imported = Path(rnnviz.__file__).resolve()
    assert imported.parent != CHECKOUT / "rnnviz", (
        f"the tests imported rnnviz from the checkout ({imported}), not the installed package: "
        "run `pytest` (not `python -m pytest`, which puts the checkout first on sys.path)"
    )


def test_every_subpackage_of_the_source_is_installed():
    installed_root = Path(rnnviz.__file__).resolve().parent
    source_packages = {
        p.parent.relative_to(CHECKOUT) for p in (CHECKOUT / "rnnviz").rglob("__init__.py")
    }
    missing = [str(p) for p in source_packages if not (installed_root.parent / p).is_dir()]
    assert not missing, f"missing from the installed package: {missing}"


def test_installed_command_version_train_predict(installed_rnnviz, tmp_path):
    version = installed_rnnviz("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"rnnviz {rnnviz.__version__}"
    as_module = subprocess.run(
        [sys.executable, "-m", "rnnviz", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert as_module.stdout.strip() == version.stdout.strip()
    train = installed_rnnviz(
        "train", "--data", "tiny", "--epochs", "3", "--json", "--save", "m.npz", cwd=tmp_path
    )
    assert train.returncode == 0, train.stderr
    events = [json.loads(line) for line in train.stdout.splitlines()]
    assert [e["event"] for e in events] == ["epoch"] * 3 + ["summary"]
    assert "Traceback" not in train.stderr and "--- Epoch 3" in train.stderr
    predict = installed_rnnviz(
        "predict", "--model", "m.npz", "--json", "this is fine", cwd=tmp_path
    )
    assert predict.returncode == 0, predict.stderr
    assert json.loads(predict.stdout)["unknown"] == ["fine"]


def test_installed_command_takes_a_screenshot(installed_rnnviz, tmp_path):
    shot = installed_rnnviz(
        "screenshot",
        "--out",
        "shot.png",
        "--steps",
        "20",
        "--size",
        "800x500",
        cwd=tmp_path,
        extra_env={"QT_QPA_PLATFORM": "offscreen"},
    )
    assert shot.returncode == 0, shot.stderr
    assert (tmp_path / "shot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
