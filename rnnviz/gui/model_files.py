"""The window's files: save and load a model, restore the best weights, export the history and a
report. Each asks where (starting in the folder used last, else the working folder; a report
folder may be a new one), lets the training thread do the work, and says how it went."""

from pathlib import Path

from ..core.errors import RnnvizError
from ..core.train import checkpoint
from ..core.train.experiment import Experiment, Overview
from ..core.words import listed, plural
from . import messages, report
from .file_choice import file_to_read, file_to_write
from .folder_dialog import choose_folder

MODEL_FILTER = "rnnviz model (*.npz);;All files (*)"


def save_model(window, path: str | None = None, then=None) -> None:
    """Let the training thread write the checkpoint; then() once it is written."""
    path = file_to_write(window, "Save model", "model.npz", MODEL_FILTER, path)
    if path is None:
        return

    def saved(result, error: BaseException | None) -> None:
        if error is not None:
            messages.show_error(window, "Cannot save model", str(error))
            return
        written, step = result
        window.unsaved.mark_kept(step)
        window.statusBar().showMessage(f"saved {written} (step {step:,})", 5000)
        if then is not None:
            then()

    window.runner.save(path, on_done=window.replies.to(saved))


def load_model(window, path: str | None = None) -> bool:
    """Read a checkpoint (refused with the reason if it is bad) and continue from it."""
    path = file_to_read(window, "Load model", MODEL_FILTER, path)
    if path is None:
        return False
    try:
        ckpt = checkpoint.load(path)
        matching_classes(ckpt, window.overview)
    except RnnvizError as error:
        messages.show_error(window, "Cannot load model", str(error))
        return False

    def loaded(overview: Overview) -> None:
        window.statusBar().showMessage(
            f"loaded {Path(path).name}: it reads with its own vocabulary of "
            f"{len(ckpt.vocab):,} words; {overview.unknown_share:.1%} of the training words "
            f"of {overview.name} are unknown to it and read as <unk>",
            15000,
        )

    go_on_from(window, ckpt, "Loading a model", loaded)
    return True


def go_on_from(window, ckpt: checkpoint.Checkpoint, what: str, after, opened=None) -> None:
    """Once the unsaved model is saved or given up (the user is asked), a new experiment from
    `ckpt` on the open dataset (going on with the history file `opened`, if given); then
    after(overview)."""
    source = window.source

    def go_on() -> None:
        window.controls.show_config(ckpt.config)
        window.reset(
            make_experiment=lambda progress: Experiment.resume(
                ckpt, source.load(progress), progress=progress
            ),
            after=after,
            opened=opened,
        )

    window.unsaved.confirm(what, go_on)


def matching_classes(ckpt: checkpoint.Checkpoint, overview: Overview) -> None:
    """RnnvizError unless the model predicts the open dataset's classes."""
    if ckpt.classes != overview.classes:
        raise RnnvizError(
            f"the model predicts {_classes(ckpt.classes)}, the open dataset has "
            f"{_classes(overview.classes)}: open a matching dataset first"
        )


def keep_best(window) -> None:
    """Restore the best-validation weights and fit the temperature, on the training thread."""

    def kept(outcome, error: BaseException | None) -> None:
        if error is not None:
            messages.show_error(window, "Cannot restore the best weights", str(error))
        elif outcome.best_epoch is None:
            window.statusBar().showMessage(
                "no best weights yet: they need a validation share and one finished epoch", 8000
            )
        else:
            window.statusBar().showMessage(
                f"restored the weights of epoch {outcome.best_epoch}; temperature "
                f"{outcome.temperature:.2f}",
                8000,
            )

    window.runner.keep_best(on_done=window.replies.to(kept))


def export_report(window, folder: str | None = None) -> None:
    """Every panel as PNG, each plot's curves as CSV, the history and the settings."""
    if not folder:
        folder = choose_folder(window, "Export report into", window.stored.last_dir())
    if not folder:
        return
    window.stored.remember_dir(folder)
    try:
        with window.panel_layout.each_in_front() as bring:

            def front(key: str) -> None:  # on screen at its dock's size, drawn with the newest
                bring(key)
                window.scheduler.draw(key)

            written = report.export_report(
                Path(folder), window.panels, window.view, window.config, front
            )
    except (OSError, RnnvizError) as error:
        messages.show_error(window, "Cannot export the report", str(error))
        return
    window.statusBar().showMessage(f"report: {len(written)} files in {folder}", 8000)


def export_history(window, path: str | None = None) -> None:
    """The training history (one row per plotted point) as CSV."""
    path = file_to_write(window, "Export curves", "curves.csv", "CSV (*.csv)", path)
    if path is None:
        return
    try:
        rows = report.write_history(Path(path), window.view)
    except RnnvizError as error:  # files.WriteError: names the file and why
        messages.show_error(window, "Cannot export the history", str(error))
        return
    window.statusBar().showMessage(f"history: {rows:,} rows in {path}", 8000)


def _classes(names: tuple[str, ...]) -> str:
    """ "2 classes (negative, positive)": how many, and the first few by name."""
    return f"{plural(len(names), 'class', 'classes')} ({listed(names, 'classes')})"
