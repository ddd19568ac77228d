"""The window against hostile files and input: nothing a file or the user writes is rendered as
HTML, a failed save loses nothing, huge sentences are cut visibly, halts do not stack dialogs."""

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QProgressDialog, QPushButton

from rnnviz.core.data.datasets import DataSource
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment

HOSTILE = ("<b>POS</b>", '<img src="/etc/hosts">')


def hostile_dataset(tmp_path):
    path = tmp_path / "hostile.tsv"
    rows = [f"great fun\t{HOSTILE[0]}", f"awful mess\t{HOSTILE[1]}"] * 10
    path.write_text("\n".join(rows) + "\n")
    return DataSource((str(path),))


def rendered_html(widget) -> list[str]:
    """Texts of labels that Qt would render as rich text and that carry raw markup from data."""
    bad = []
    for label in widget.findChildren(QLabel):
        rich = label.textFormat() != Qt.TextFormat.PlainText
        if rich and any(h in label.text() for h in HOSTILE):
            bad.append(label.text())
    return bad


def test_class_names_from_a_file_are_shown_as_text(qtbot, window, tmp_path):
    data = hostile_dataset(tmp_path)
    window.reset(data)
    qtbot.waitUntil(lambda: HOSTILE[0] in window.controls.dataset_info.text(), timeout=5000)
    window.runner.call(lambda run: [run.trainer.step() for _ in range(5)]).result(30)
    window.panels["prediction"].entry.setText("great fun")
    qtbot.waitUntil(lambda: window.panels["prediction"].verdict.text().endswith("at step 5"))
    window.redraw_all()
    assert not rendered_html(window)
    shown = [label.text() for label, _ in window.panels["prediction"].rows.bars]
    assert HOSTILE[1] in shown  # the name itself, shown literally
    legend = [item.text for _, item in window.panels["prediction"].plot.legend.items]
    assert legend and not any(h in text for h in HOSTILE for text in legend)  # escaped


def test_the_dataset_dialog_escapes_what_it_quotes(qtbot, tmp_path):
    from rnnviz.gui.dataset_dialog import DatasetDialog

    path = tmp_path / "hostile.tsv"
    path.write_text(f"great fun\t{HOSTILE[0]}\nawful mess\t{HOSTILE[1]}\n")
    dialog = DatasetDialog()
    qtbot.addWidget(dialog)
    dialog.paths.setText(str(path))
    dialog.preview()
    assert "&lt;img" in dialog.summary.text() and "<img" not in dialog.summary.text()


def test_error_boxes_are_plain_text(qtbot):
    from rnnviz.gui.messages import Icon, message_box

    box = message_box(None, Icon.Critical, "t", HOSTILE[1])
    qtbot.addWidget(box)
    assert box.textFormat() == Qt.TextFormat.PlainText


def test_a_save_that_fails_keeps_the_model_to_save_elsewhere(qtbot, window, tmp_path, monkeypatch):
    errors = []
    monkeypatch.setattr(
        "rnnviz.gui.messages.show_error", lambda parent, title, text, *a: errors.append(text)
    )
    window.runner.call(lambda run: [run.trainer.step() for _ in range(7)]).result(30)
    window.save_model("/proc/x.npz")
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors[0].startswith("cannot write /proc/x.npz: ")
    window.save_model(str(tmp_path / "elsewhere.npz"))
    qtbot.waitUntil(lambda: (tmp_path / "elsewhere.npz").exists(), timeout=5000)
    from rnnviz.core.train import checkpoint

    assert checkpoint.load(tmp_path / "elsewhere.npz").summary["step"] == 7


def test_a_huge_sentence_is_drawn_cut_and_says_so(qtbot, window):
    window.runner.step_once()
    qtbot.waitUntil(lambda: window.state.snapshot is not None and window.state.snapshot.step == 1)
    text = " ".join(["good"] * 10_000)
    window.panels["prediction"].entry.setText(text)
    qtbot.waitUntil(lambda: window.state.text == text, timeout=5000)
    QApplication.processEvents()
    hidden = window.panels["hidden"]
    assert hidden.image.image.shape[1] == 200
    assert "Showing the last 200 of 10,000 words" in hidden.readout.text()
    assert "showing the last 200 of 10,000 words" in window.panels["prediction"].tokens_label.text()
    assert len(window.panels["prediction"].shown.tokens) == 10_000  # the prediction reads it all


def test_typing_past_the_limit_says_the_text_was_cut(qtbot, window):
    from rnnviz.gui.prediction_panel import MAX_TYPED_CHARS

    window.runner.step_once()
    qtbot.waitUntil(lambda: window.state.snapshot is not None)
    entry = window.panels["prediction"].entry
    entry.setText("a " * MAX_TYPED_CHARS)
    assert len(entry.text()) == MAX_TYPED_CHARS
    qtbot.waitUntil(
        lambda: "cut at 200,000 characters" in window.panels["prediction"].tokens_label.text()
    )


def test_the_heatmap_caption_follows_the_text(qtbot, window):
    window.runner.step_once()
    qtbot.waitUntil(lambda: window.state.snapshot is not None)
    entry = window.panels["prediction"].entry
    entry.setText("")
    qtbot.waitUntil(lambda: "Type a sentence" in window.panels["hidden"].readout.text())
    entry.setText("this is good")
    qtbot.waitUntil(lambda: "Type a sentence" not in window.panels["hidden"].readout.text())


def test_repeated_halts_show_one_dialog(qtbot, window):
    config = TrainConfig(lr=1e37, clip_mode="none", optimizer="sgd", dtype="float32")
    for _ in range(2):
        window.reset(
            make_experiment=lambda progress: Experiment.build(config, window.source.load())
        )
        qtbot.waitUntil(lambda: window.status.fields["step"].text() == "step 0", timeout=5000)
        window.runner.train()
        qtbot.waitUntil(lambda: window.telemetry.read().status.state == "halted", timeout=10000)
        qtbot.waitUntil(
            lambda: window.status.halt_box is not None and window.status.halt_box.isVisible()
        )
        first = window.status.shown_halt
        window.runner.train()  # on from the restored weights: another halt, a second message
        qtbot.waitUntil(
            lambda first=first: window.status.shown_halt not in ("", first), timeout=10000
        )
    boxes = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()
    ]
    assert len(boxes) == 1
    window.status.halt_box.close()


def big_csv(tmp_path, lines=150_000):
    path = tmp_path / "big.csv"
    rows = [f"review number {i} was {'great' if i % 2 else 'awful'},{i % 2}" for i in range(lines)]
    path.write_text("text,label\n" + "\n".join(rows) + "\n")
    return path


def test_the_dialog_previews_only_the_start_of_a_big_file(qtbot, tmp_path):
    from rnnviz.gui.dataset_dialog import PREVIEW_LINES, DatasetDialog

    path = big_csv(tmp_path)
    dialog = DatasetDialog()
    qtbot.addWidget(dialog)
    dialog.paths.setText(str(path))
    dialog.preview()
    assert len(dialog.dataset) < PREVIEW_LINES and dialog.source.sources == (str(path),)
    assert f"in the first {PREVIEW_LINES:,} lines" in dialog.summary.text()


@pytest.mark.slow
def test_a_big_dataset_loads_on_the_worker_with_progress_and_cancel(
    qtbot, window, tmp_path, monkeypatch
):
    from rnnviz.core.data.datasets import DataSource

    built_on = []
    build = Experiment.build

    def recording_build(*args, **kwargs):
        built_on.append(threading.current_thread().name)
        return build(*args, **kwargs)

    monkeypatch.setattr("rnnviz.gui.main_window.Experiment.build", recording_build)
    source = DataSource((str(big_csv(tmp_path)),))
    window.reset(source)
    assert not built_on  # posted, not built here
    dialog = window.findChildren(QProgressDialog)[-1]  # the newest: this reset's
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=10000)  # progress arrives
    qtbot.waitUntil(dialog.isVisible, timeout=5000)  # a long build shows its progress
    dialog.findChild(QPushButton).click()  # the user presses Cancel
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=10000)
    assert window.overview.name == "tiny" and window.source.sources == ("tiny",)
    window.reset(source)  # and without cancelling, it arrives
    qtbot.waitUntil(lambda: window.overview.name == "big.csv", timeout=60000)
    assert (window.overview.train_size, window.overview.test_size) == (120_000, 30_000)
    assert set(built_on) == {"rnnviz-trainer"}


def test_a_crafted_checkpoint_is_refused_before_its_settings_are_shown(
    qtbot, window, tmp_path, monkeypatch
):
    import json
    import zipfile

    import numpy as np

    shown = []
    monkeypatch.setattr(
        "rnnviz.gui.messages.show_error", lambda parent, title, text, *a: shown.append(text)
    )
    good = tmp_path / "good.npz"
    window.save_model(str(good))
    qtbot.waitUntil(lambda: "saved" in window.statusBar().currentMessage(), timeout=5000)
    with zipfile.ZipFile(good) as z:
        files = {name: z.read(name) for name in z.namelist()}
    meta = json.loads(np.load(good)["meta"].tobytes())
    meta["summary"]["step"] = "abc"
    meta["config"]["hidden_size"] = 7  # would show in the settings if the file got that far
    crafted = tmp_path / "crafted.npz"
    with zipfile.ZipFile(crafted, "w") as z:
        for name, data in files.items():
            if name == "meta.npy":
                np.save(z.open(name, "w"), np.frombuffer(json.dumps(meta).encode(), np.uint8))
            else:
                z.writestr(name, data)
    before = window.controls.config(TrainConfig())
    assert not window.load_model(str(crafted))
    assert len(shown) == 1 and "crafted.npz" in shown[0] and "summary.step" in shown[0]
    assert window.controls.config(TrainConfig()) == before
    step = window.status.fields["step"].text()
    window.runner.step_once()
    qtbot.waitUntil(lambda: window.status.fields["step"].text() != step, timeout=5000)
