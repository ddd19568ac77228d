"""Geometry checks of a shown window: what on screen is clipped or lies on something else.

Each check returns a list of problems, one line each, naming the widget or plot item. Widgets
behind a tab (nothing of them on screen) and widgets inside a scroll area's viewport (scrolled,
not clipped) are not checked."""

import pyqtgraph as pg
from PySide6.QtCore import QPoint, QRect, QRectF, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QDockWidget,
    QLabel,
    QScrollArea,
    QSizeGrip,
    QSlider,
    QStyle,
    QStyleOptionComboBox,
    QWidget,
)


def fit(qtbot, window, size: tuple[int, int]) -> None:
    """Resize the window and wait until its docks have their new sizes, then draw."""
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size)
    qtbot.wait(20)  # the docks are sized once the window has shared out the new size
    window.redraw_all()


def name(widget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    owner = widget
    while owner is not None and not hasattr(owner, "key"):
        owner = owner.parentWidget()
    where = getattr(owner, "key", "window")
    return f"{type(widget).__name__} {text[:40]!r} in {where}"


def _scrolled(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and (
            parent is parent.parentWidget().viewport()
        ):
            return True
        parent = parent.parentWidget()
    return False


def _in_front(widget: QWidget, window) -> bool:
    """Not in a dock behind another's tab (Qt moves those out of the window)."""
    while widget is not None and not isinstance(widget, QDockWidget):
        widget = widget.parentWidget()
    return widget is None or widget.isFloating() or window.rect().intersects(widget.geometry())


def on_screen(window) -> list[QWidget]:
    """The widgets of `window` that the user sees (some of), but those in a scrolled area."""
    return [
        w
        for w in window.findChildren(QWidget)
        if w.isVisible() and _in_front(w, window) and not _scrolled(w)
    ]


def clipped_widgets(window) -> list[str]:
    """Widgets outside the window, labels whose text does not fit, combo boxes that cut their
    text, buttons smaller than their text, sliders squeezed to a dot."""
    problems = []
    frame = window.rect()
    for w in on_screen(window):
        where = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        parked = isinstance(w, QSizeGrip) or not frame.intersects(where)  # Qt places these
        if not parked and not frame.contains(where):
            problems.append(f"{name(w)} outside the window: {where.getRect()}")
        if isinstance(w, QLabel) and w.text():
            if w.wordWrap():
                if w.heightForWidth(w.width()) > w.height():
                    problems.append(f"{name(w)}: wrapped text taller than {w.height()} px")
            elif w.minimumSizeHint().width() > w.width():
                problems.append(f"{name(w)}: text {w.minimumSizeHint().width()} > {w.width()} px")
        elif isinstance(w, QComboBox):
            need = _combo_width(w)
            if need > w.width() + 2:
                problems.append(f"{name(w)} {w.currentText()!r}: needs {need} > {w.width()} px")
        elif isinstance(w, QAbstractButton) and w.text():
            if w.sizeHint().width() > w.width() + 2:
                problems.append(f"{name(w)}: needs {w.sizeHint().width()} > {w.width()} px")
        elif isinstance(w, QSlider) and w.width() < 60:
            problems.append(f"{name(w)}: {w.width()} px wide")
    return problems


def _combo_width(combo: QComboBox) -> int:
    """The width the style needs to show the combo box's current text whole."""
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    text = QSize(combo.fontMetrics().horizontalAdvance(combo.currentText()), combo.height())
    return (
        combo.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option, text, combo).width()
    )


def overlapping_widgets(window) -> list[str]:
    """Sibling widgets of one layout that cover each other."""
    problems = []
    for parent in [window, *on_screen(window)]:
        layout = parent.layout()
        if layout is None:
            continue
        children = [
            layout.itemAt(i).widget()
            for i in range(layout.count())
            if layout.itemAt(i).widget() is not None
        ]
        children = [c for c in children if c.isVisible() and _in_front(c, window)]
        for i, a in enumerate(children):
            for b in children[i + 1 :]:
                if a.geometry().intersects(b.geometry()):
                    problems.append(f"{name(a)} overlaps {name(b)}")
    return problems


def _visible_scene(view: pg.GraphicsView) -> QRectF:
    return view.mapToScene(view.viewport().rect()).boundingRect()


def clipped_plot_items(window) -> list[str]:
    """Plot texts (titles, legends, axis labels, text items) outside their view or the area
    given to them, and legends lying on each other's plots."""
    problems = []
    for view in window.findChildren(pg.GraphicsView):
        if not view.isVisible() or not _in_front(view, window):
            continue
        view.grab()  # text items are placed when painted
        seen = _visible_scene(view).adjusted(-1, -1, 1, 1)
        where = name(view)
        for item in view.scene().items():
            if not item.isVisible() or not _shown_in_tree(item):
                continue
            if isinstance(item, pg.LegendItem | pg.TextItem | pg.LabelItem):
                box = item.sceneBoundingRect()
                if box.width() > 0 and not seen.contains(box):
                    text = _text_of(item)
                    problems.append(f"{type(item).__name__} {text!r} of {where} leaves the view")
            if isinstance(item, pg.LabelItem) and item.text:  # noqa: SIM102
                if item.item.boundingRect().width() > item.boundingRect().width() + 1:
                    problems.append(f"LabelItem {item.text[:40]!r} of {where} wider than its place")
            if isinstance(item, pg.TextItem) and _view_box_of(item) is not None:
                area = _view_box_of(item).sceneBoundingRect().adjusted(-1, -1, 1, 1)
                if not area.contains(item.sceneBoundingRect()):
                    problems.append(f"TextItem {_text_of(item)!r} of {where} out of its plot")
            if isinstance(item, pg.LegendItem):
                need = item.layout.minimumWidth() if item.layout else 0
                if need > item.boundingRect().width() + 1:
                    problems.append(
                        f"legend of {where} cut: {need:.0f} > {item.boundingRect().width():.0f}"
                    )
    return problems


def _shown_in_tree(item) -> bool:
    while item is not None:
        if not item.isVisible():
            return False
        item = item.parentItem()
    return True


def _view_box_of(item):
    parent = item.parentItem()
    while parent is not None and not isinstance(parent, pg.ViewBox):
        parent = parent.parentItem()
    return parent


def _text_of(item) -> str:
    if isinstance(item, pg.TextItem):
        return item.toPlainText()[:40]
    if isinstance(item, pg.LabelItem):
        return item.text[:40]
    return "legend"


def cut_scroll_contents(window) -> list[str]:
    """Scroll areas whose content is wider than their view: they scroll down, never across, so
    its right side is cut (the settings column was, by the dataset list's longest entry)."""
    return [
        f"{name(area.widget())}: {area.widget().width()} px in a {area.viewport().width()} px view"
        for area in window.findChildren(QScrollArea)
        if area.isVisible()
        and _in_front(area, window)
        and area.widget() is not None
        and area.widget().width() > area.viewport().width() + 1
    ]


def problems(window) -> list[str]:
    return (
        clipped_widgets(window)
        + overlapping_widgets(window)
        + clipped_plot_items(window)
        + cut_scroll_contents(window)
    )
