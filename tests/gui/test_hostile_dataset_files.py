"""Hostile dataset files in the window: the Open dataset preview and Reset show each refusal
with the file's name (never raising out of a slot), and what reading noticed as notes."""

import json

import pytest

from rnnviz.core.data.datasets import DataSource

ROWS = [("great fun", "pos"), ("awful mess", "neg")] * 10


def write(tmp_path, case: str):
    """(path, what the summary shows) for each hostile file."""
    path = tmp_path / {"jsonl": "d.jsonl", "folder": "reviews"}.get(case.split("-")[0], "d.csv")
    body = "".join(f"{t},{label}\n" for t, label in ROWS)
    if case == "word":
        path.write_text("text,label\n" + body + "x" * (1 << 20) + ",pos\n")
        return path, "21</b> sentences"
    if case == "header":
        path.write_text(("text,label\n" + body) * 2)
        return path, "d.csv: a header again at line 22 (files joined?)"
    if case == "utf16":
        path.write_bytes(body.encode("utf-16-be"))
        return path, "NUL bytes say UTF-16-BE: read as such"
    if case == "zwj":
        path.write_text(body + "superb,p\u200dos\n")
        return path, "Cannot load:</b> d.csv: the labels 'pos' and 'p\\u200dos' differ only"
    lines = [json.dumps({"text": t, "label": label}) for t, label in ROWS]
    bad = {"jsonl-null": "null", "jsonl-nan": "NaN", "jsonl-list": "[1, 2]"}[case]
    path.write_text("\n".join([*lines, f'{{"text": "x", "label": {bad}}}']) + "\n")
    if bad == "NaN":  # not JSON: the JSON reader refuses it before the label's check
        return path, f"Cannot load:</b> {path}, line 21: not valid JSON (NaN is not a JSON number)"
    kind = {"null": "null", "[1, 2]": "an array"}[bad]
    return (
        path,
        f'Cannot load:</b> {path}, line 21: "label" must be a string or a number, not {kind}',
    )


CASES = ["word", "header", "utf16", "zwj", "jsonl-null", "jsonl-nan", "jsonl-list"]


@pytest.mark.parametrize("case", CASES)
def test_the_preview_shows_a_hostile_file_or_why_not_with_its_name(qtbot, tmp_path, case):
    from rnnviz.gui.dataset_dialog import DatasetDialog

    path, shown = write(tmp_path, case)
    dialog = DatasetDialog()
    qtbot.addWidget(dialog)
    dialog.paths.setText(str(path))
    dialog.preview()  # raises nothing
    assert shown.replace('"', "&quot;") in dialog.summary.text().replace('"', "&quot;")
    assert (dialog.dataset is None) == ("Cannot load" in shown)


@pytest.mark.parametrize("case", ["word", "zwj", "jsonl-nan"])
def test_reset_on_a_hostile_file_trains_or_says_why_naming_it(
    qtbot, window, tmp_path, monkeypatch, case
):
    shown = []
    monkeypatch.setattr(
        "rnnviz.gui.messages.show_error", lambda parent, title, text, *a: shown.append(text)
    )
    path, summary = write(tmp_path, case)
    window.reset(DataSource((str(path),)))
    if case == "word":
        qtbot.waitUntil(lambda: window.overview.name == path.name, timeout=20000)
        assert not shown
    else:
        qtbot.waitUntil(lambda: bool(shown), timeout=20000)
        assert len(shown) == 1 and path.name in shown[0]
        assert shown[0] in summary.split("</b> ")[1] or summary.split("</b> ")[1] in shown[0]
        assert window.overview.name == "tiny"  # the data before stays
