"""Widgets for rows of the hyperparameter table (core/train/config.py): a drop-down for a choice, a
spin box for a number, with the row's range, step, tooltip and what 0 means. The control column
and the side-run dialog are built from them, so a new row needs no code here."""

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox, QWidget

from ..core.train.config import TrainConfig
from ..core.train.hyperparameters import GROUPS, Hyperparameter


class _WheelOnlyWithFocus:
    """The mouse wheel changes the value only once the box has focus (clicked or tabbed to):
    scrolling the control column over a box scrolls the column, as in a web form."""

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()  # handed on to the scroll area


class ChoiceBox(_WheelOnlyWithFocus, QComboBox):
    pass


class IntBox(_WheelOnlyWithFocus, QSpinBox):
    pass


class FloatBox(_WheelOnlyWithFocus, QDoubleSpinBox):
    pass


def tooltip(h: Hyperparameter) -> str:
    """The row's help, as a sentence, and when it applies (a help opening on a symbol, η, keeps
    it)."""
    first = h.help[:1]
    return f"{first.upper() if first.isascii() else first}{h.help[1:]} ({h.applies})."


def make_widget(h: Hyperparameter, value) -> QWidget:
    """The widget that edits row `h`, showing `value`."""
    if h.choices is not None:
        box: QComboBox | QSpinBox | QDoubleSpinBox = ChoiceBox()
        box.addItems(list(h.choices))
    else:
        box = IntBox() if h.kind is int else FloatBox()
        if isinstance(box, QDoubleSpinBox):
            box.setDecimals(h.decimals or 2)
        box.setRange(*h.spin_range())
        box.setSingleStep(h.step)
        box.setKeyboardTracking(False)  # apply when typing is done, not on every digit
        if h.zero:
            box.setSpecialValueText(h.zero)
    box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    box.setToolTip(tooltip(h))
    set_value(box, value)
    return box


def value_of(widget: QWidget):
    """What a spin box or drop-down holds."""
    return widget.currentText() if isinstance(widget, QComboBox) else widget.value()


def set_value(widget: QWidget, value) -> None:
    if isinstance(widget, QComboBox):
        widget.setCurrentText(value)
    else:
        widget.setValue(value)


class SettingsForm(QObject):
    """One widget per row; `edited` says which field the user changed."""

    edited = Signal(str)

    def __init__(self, rows: tuple[Hyperparameter, ...], config: TrainConfig, parent=None):
        super().__init__(parent)
        self.rows = {h.field: h for h in rows}
        self.widgets = {h.field: make_widget(h, getattr(config, h.field)) for h in rows}
        for name, widget in self.widgets.items():
            signal = (
                widget.currentTextChanged if isinstance(widget, QComboBox) else widget.valueChanged
            )
            signal.connect(lambda _=None, n=name: self.edited.emit(n))

    def values(self) -> dict:
        return {name: value_of(w) for name, w in self.widgets.items()}

    def show(self, config: TrainConfig) -> None:
        """Display `config` without emitting `edited`."""
        for name, widget in self.widgets.items():
            widget.blockSignals(True)
            set_value(widget, getattr(config, name))
            widget.blockSignals(False)

    def enable_for_task(self, task: str) -> None:
        """Only the settings that `task` reads are enabled."""
        for name, widget in self.widgets.items():
            tasks = self.rows[name].tasks
            widget.setEnabled(tasks is None or task in tasks)

    def groups(self, before: dict[str, list], after: dict[str, list]) -> list[QGroupBox]:
        """A titled form per settings group (GROUPS order), with (label, widget) rows of `before`
        and `after` around the group's own (a label of None spans the row). A group whose rows
        all apply live, or all on Reset, says so in its title."""
        boxes = []
        for key, title in GROUPS:
            rows = [h for h in self.rows.values() if h.group == key]
            if not rows and key not in before and key not in after:
                continue
            kinds = {h.live for h in rows}
            suffix = "" if len(kinds) != 1 else " (live)" if kinds == {True} else " (on Reset)"
            if key == "data":
                suffix = ""  # the data is always chosen anew
            box = QGroupBox(title + suffix)
            form = QFormLayout(box)
            own = [(h.title, self.widgets[h.field]) for h in rows]
            for label, widget in [*before.get(key, []), *own, *after.get(key, [])]:
                if label is None:
                    form.addRow(widget)
                else:
                    form.addRow(label, widget)
            boxes.append(box)
        return boxes
