"""File → Export report as HTML (issue 30): the window's run, curves and typed sentence in one
page, written by the training thread."""

import json
import re

from rnnviz.gui import html_report


def test_the_window_exports_its_run_as_one_page(qtbot, window, tmp_path):
    window.add_run({"hidden_size": 8})  # a run beside it: its curves are on the page too
    qtbot.waitUntil(lambda: bool(window.side_runs.runs), timeout=10000)
    (label,) = window.side_runs.runs
    window.runner.train_steps(30).result(60)
    window.state.set_text("not bad at all")
    qtbot.waitUntil(lambda: window.view is not None and window.view.status.step == 30)
    qtbot.waitUntil(lambda: len(window.side_runs.views()) == 1)
    path = tmp_path / "run.html"
    html_report.export_html(window, str(path))
    qtbot.waitUntil(lambda: "report: " in window.statusBar().currentMessage(), timeout=30000)
    html = path.read_text()
    data = json.loads(re.search(r"const REPORT = (\{.*?\});", html, re.S).group(1))
    keys = [p["key"] for p in data["plots"]]
    assert keys[:3] == ["loss", "accuracy", "gradient_norm"] and "gradient_flow" in keys
    assert "“not bad at all”" in html and "s0_h" in keys
    assert "30 steps" in html
    loss = next(p for p in data["plots"] if p["key"] == "loss")
    assert f"{label} (train)" in [t.get("name") for t in loss["traces"]]
    assert f"{label}_train_loss" in data["csv"]["loss"].splitlines()[0]
    assert f"({len(keys)} plots," in window.statusBar().currentMessage()
