"""Where the hidden states go, and the slow points they go to (issue 28): the newest analysis of
the training thread (core/insight/state_space.py, at most every 2 s) in the plane of its first two
principal components with the typed sentence's path (state_space_plane.py); beside it the
eigenvalues of ∂F/∂s at one fixed point (the slowest, or the one hovered) on the complex plane,
and the share of the states' variance along each component. Drawing only: nothing is computed
here but the typed sentence's projection."""

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..core.insight.state_space import EIGENVALUES, Q_TOLERANCE, REFIT_SHARE, StateSpace
from .follow_range import sticky_ceiling
from .hint import EmptyHint
from .panel import PROBE, TELEMETRY, Panel, PanelContext
from .state_space_plane import Plane, class_colour
from .theme import Theme, set_ticks, set_view, style_plot, summary_label, word_ticks
from .view_state import ViewState

ARRANGEMENTS = {  # (row, col, rowspan, colspan) of the plane, the colour bars, the eigenvalues
    # and the variance (None: not shown); the columns' and the rows' stretch factors
    "row": (((0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 1), (0, 3, 1, 1)), ({0: 8, 2: 2, 3: 2}, {0: 1})),
    "grid": (
        ((0, 0, 1, 2), (0, 2, 1, 1), (1, 0, 1, 1), (1, 1, 1, 1)),
        ({0: 1, 1: 1}, {0: 3, 1: 2}),
    ),
    "plane": (((0, 0, 1, 1), (0, 1, 1, 1), None, None), ({0: 1}, {0: 1})),
}
TALL = 1.5  # plots narrower than TALL times their height are arranged in two rows ("grid")
ROOM = (560, 300)  # px of width in a row, of height in two rows, below which only the plane shows
SMALL_AXIS = 40  # px for the left axis of the two small plots
HOVER_PIXELS = 12  # a fixed point this close to the cursor is the one hovered
EMPTY = "Analysed every few seconds while training runs: the first analysis comes with it."
FIRST_HINT = "The state space appears once training runs"
ANALYSING = "Analysing step {step:,}…"  # a past step's, once its weights came
PAST = "The other views show this step already; its fixed points take a moment to find."
PICK = "hover another ◆ for its eigenvalues"


class Plots(pg.GraphicsLayoutWidget):
    """A GraphicsLayoutWidget that says when it was resized (its plots are arranged by size)."""

    resized = Signal()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.resized.emit()


class StateSpacePanel(QWidget, Panel):
    key, slot, reads = "state_space", "tabs", frozenset({TELEMETRY, PROBE})
    title = "State space"
    tab_with = "hidden"  # the hidden states, word by word, and where they go
    refit_requested = Signal()

    def __init__(self, theme: Theme, state: ViewState, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.shown: StateSpace | None = None
        self.shown_probe = self.shown_path_space = None  # what the typed path was drawn from
        self.classes: tuple[str, ...] = ()
        self.axis_labels: tuple[str, ...] = ()
        self.language_model: bool | None = None
        self.chosen = -1  # index of the fixed point whose eigenvalues are shown
        self.moves = 0  # the plane's view moved (view_moves)
        self.graphics = Plots()
        self.graphics.resized.connect(self._plots_resized)
        grid = self.graphics.ci
        self.plane = Plane(grid.addPlot(row=0, col=0), theme)
        self.colour_bars = grid.addLayout(row=0, col=1)  # log10 q (over a LM's positions)
        self.colour_bars.setContentsMargins(0, 0, 0, 0)
        self.colour_bars.addItem(self.plane.q_bar, row=0, col=0)
        self.eigen_plot = grid.addPlot(row=0, col=2)
        self.variance_plot = grid.addPlot(row=0, col=3)
        self.arrangement = ""
        self._arrange("row")
        self._build_eigen_plot()
        self._build_variance_plot()
        self.hints = [
            EmptyHint(self.plane.plot, FIRST_HINT),
            EmptyHint(self.eigen_plot, ""),
            EmptyHint(self.variance_plot, ""),
        ]
        self.plane.plot.getViewBox().sigRangeChanged.connect(self._moved_view)
        self.graphics.scene().sigMouseMoved.connect(self._hover)
        self.refit_button = QPushButton("Refit basis")
        self.refit_button.clicked.connect(self._refit)
        self.readout = summary_label("", lines=1)
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.summary = summary_label("")
        self.said: dict[QLabel, list[str]] = {}  # each label's parts, fitted again on resize
        self._set_tooltips()
        top = QHBoxLayout()
        top.addWidget(self.readout, 1)
        top.addWidget(self.refit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.summary)
        self._show_empty()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        for label, parts in self.said.items():
            _fit(label, parts)

    def _plots_resized(self) -> None:
        width, height = self.graphics.width(), self.graphics.height()
        if width >= TALL * height:
            self._arrange("row" if width >= ROOM[0] else "plane")
        else:
            self._arrange("grid" if height >= ROOM[1] else "plane")

    def _arrange(self, arrangement: str) -> None:
        """Place the plane, the colour bars and the two small plots as ARRANGEMENTS says."""
        if arrangement == self.arrangement:
            return
        self.arrangement = arrangement
        layout = self.graphics.ci.layout
        items = (self.plane.plot, self.colour_bars, self.eigen_plot, self.variance_plot)
        for i in reversed(range(layout.count())):  # what is placed (the plane's shows only two)
            layout.removeAt(i)
        places, (columns, rows) = ARRANGEMENTS[arrangement]
        for item, place in zip(items, places, strict=True):
            item.setVisible(place is not None)
            if place is not None:
                layout.addItem(item, *place)
        for col in range(4):
            layout.setColumnStretchFactor(col, columns.get(col, 0))
        for row in range(2):
            layout.setRowStretchFactor(row, rows.get(row, 0))
        self.graphics.ci.setGeometry(self.graphics.range)  # the view's size, as its resize does
        layout.activate()  # now: a paint before the posted relayout would show the old places

    def _build_eigen_plot(self) -> None:
        plot = self.eigen_plot
        style_plot(plot, "", "Im λ", "Re λ")
        plot.getAxis("left").setWidth(SMALL_AXIS)
        plot.setAspectLocked(True)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        angle = np.linspace(0, 2 * np.pi, 181)
        circle = pg.PlotCurveItem(
            np.cos(angle),
            np.sin(angle),
            pen=pg.mkPen(self.theme.threshold, width=1, style=Qt.PenStyle.DashLine),
        )
        plot.addItem(circle)
        self.eigenvalues = pg.ScatterPlotItem(size=8, pen=None)
        plot.addItem(self.eigenvalues)
        self.eigen_radius: float | None = None

    def _build_variance_plot(self) -> None:
        plot = self.variance_plot
        style_plot(plot, "", "variance %", "PC")
        plot.getAxis("left").setWidth(SMALL_AXIS)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        self.bars = pg.BarGraphItem(
            x=[], height=[], width=0.7, brush=pg.mkBrush(self.theme.train + "b0"), pen=None
        )
        plot.addItem(self.bars)
        plot.getViewBox().sigResized.connect(self._tick_components)
        self.variance_top: float | None = None

    def _set_tooltips(self) -> None:
        self.plane.plot.setToolTip(
            "Each dot is the hidden state h after one word of a held-out sentence, projected on "
            "the first two principal components of those states (PCA), coloured by the "
            "sentence's class (a language model's: by the word's position). The orange line is "
            "the typed sentence word by word (□ its first word, ● its last, in the predicted "
            "class's colour); + is the initial state h₀. ◆ are fixed points of the network with "
            "no input, F(h) = h, coloured by their speed q; the ringed one's dotted line is its "
            "slowest mode (the eigenvector of its largest |λ|). An arrow is a readout direction "
            "w_c − w_0 from the states' mean, as long as the share of it in this plane; the "
            "dashed line is where the two classes' logits are equal for a state in the plane. "
            "A line attractor is fixed points along a line with one eigenvalue near 1: the "
            "network keeps a running sum of the evidence along it. An LSTM's fixed points are "
            "found in (h, c); their h is drawn. Drag to pan, wheel to zoom, A to see it all."
        )
        self.plane.q_bar.setToolTip(
            "Colour of the fixed points: log10 of q = ½‖F(s) − s‖², how far the state moves in "
            f"one step with no input; q < {Q_TOLERANCE:.0e} counts as fixed."
        )
        self.plane.position_bar.setToolTip("Colour of the dots: the word's position (1: first).")
        self.eigen_plot.setToolTip(
            "Eigenvalues λ of the Jacobian ∂F/∂s at the ringed fixed point (the slowest until "
            f"you hover another; the {EIGENVALUES} largest |λ|), and the unit circle. |λ| < 1: a "
            "push along it dies away; |λ| ≈ 1: it stays (a slow direction that remembers); "
            "|λ| > 1: it grows. A line attractor has one λ near 1 and the rest inside."
        )
        self.variance_plot.setToolTip(
            "The share of the probe states' variance along each principal component, now. The "
            "basis is kept across training so that the picture does not jump, and fitted again "
            f"when its plane keeps less than {REFIT_SHARE:.0%} of the variance the best plane "
            "would (or on Refit basis)."
        )
        self.refit_button.setToolTip(
            "Fit the principal components again to the states of now (on the training thread: "
            "the next analysis comes in the new basis)."
        )

    # ------------------------------------------------------------ the window's
    def requests(self) -> dict:
        return {"refit_state_space": self.refit_requested}

    def view_moves(self) -> int:
        return self.moves

    def show_overview(self, overview) -> None:
        self._show_empty()

    def draw(self, context: PanelContext) -> None:
        """The live analysis, or looking back the past step's (analysed once its weights came,
        in the live one's basis)."""
        past, view = context.past, context.view
        if past is not None:
            space, snapshot = past.state_space, past
        else:
            space = view.insight.state_space if view is not None else None
            snapshot = view.snapshot if view is not None else None
        hint = FIRST_HINT if past is None else ANALYSING.format(step=past.step)
        if space is None and (self.shown is not None or self.hints[0].label.toPlainText() != hint):
            self._show_empty(hint)
        elif space is not None and space is not self.shown:
            self._show_space(space, snapshot)
        if context.probe is not self.shown_probe or space is not self.shown_path_space:
            self._show_path(context.probe)

    # ---------------------------------------------------------------- drawing
    def _show_empty(self, headline: str = FIRST_HINT) -> None:
        self.shown = self.shown_probe = self.shown_path_space = None
        self.chosen = -1
        self.plane.clear()
        self.eigenvalues.setData([], [])
        self.bars.setOpts(x=[], height=[])
        for hint in self.hints:
            hint.set_empty(True)
        self.plane.q_bar.setOpacity(0.0)  # hidden before it is shown, its label would lie on it
        self.refit_button.setEnabled(False)
        self._say(self.readout, [])
        self.hints[0].set_text(headline)
        self._say(self.summary, [EMPTY if headline == FIRST_HINT else PAST])

    def _show_space(self, space: StateSpace, snapshot) -> None:
        previous = self.shown
        self.shown = space
        language_model = bool(snapshot is not None and snapshot.model.is_language_model)
        self._place_bars(language_model)
        self.classes = snapshot.classes if snapshot is not None else ()
        self.plane.show(space, self.classes, language_model)
        for hint in self.hints:
            hint.set_empty(False)
        self.plane.q_bar.setOpacity(1.0 if len(space.fixed.q) else 0.0)
        self.refit_button.setEnabled(True)
        explained = space.explained_now
        labels = tuple(f"PC{k + 1} ({share:.0%} of variance)" for k, share in enumerate(explained))
        if labels[:2] != self.axis_labels:  # a new label re-lays out the plots: only on change
            self.axis_labels = labels[:2]
            self.plane.plot.setLabel("bottom", labels[0])
            short = labels[1].replace(" of variance", "") if len(labels) > 1 else ""  # short plots
            self.plane.plot.setLabel("left", short)
            self.hints[0].axes_relabelled()
        self._show_variance(explained)
        self._choose(_same_point(previous, space, self.chosen))
        self._say(self.summary, summary_parts(space))

    def _place_bars(self, language_model: bool) -> None:
        """A language model's dots have a colour bar of their own, under the fixed points'."""
        if language_model == self.language_model:
            return
        self.language_model = language_model
        bars, bar = self.colour_bars, self.plane.position_bar
        if language_model:
            bars.addItem(bar, row=1, col=0)
        elif bar in bars.items:
            bars.removeItem(bar)

    def _show_variance(self, explained: np.ndarray) -> None:
        K = len(explained)
        percent = 100 * explained
        self.bars.setOpts(x=np.arange(1, K + 1), height=percent)
        self.variance_top = sticky_ceiling(self.variance_top, max(float(percent.max()), 1.0))
        set_view(self.variance_plot, (0.4, K + 0.6), (0, self.variance_top))
        top = self.variance_top
        set_ticks(self.variance_plot.getAxis("left"), [(v, f"{v:g}") for v in (0, top / 2, top)])
        self._tick_components()

    def _tick_components(self, *_) -> None:
        """The bars' component numbers, as many as the plot's width holds apart."""
        K = len(self.bars.opts["height"])
        axis = self.variance_plot.getAxis("bottom")
        ticks = [(k, str(k)) for k in range(1, K + 1)]
        set_ticks(axis, word_ticks(axis, ticks, self.variance_plot.getViewBox().width()))

    def _choose(self, index: int) -> None:
        """Show the eigenvalues of fixed point `index` (-1: none found)."""
        space = self.shown
        found = len(space.fixed.q) if space is not None else 0
        self.chosen = index if 0 <= index < found else (0 if found else -1)
        self.plane.choose(space, self.chosen)
        if self.chosen < 0:
            self.eigenvalues.setData([], [])
            self.hints[1].set_text("none found")
            self.hints[1].set_empty(True)
            self._say(self.readout, ["No fixed point found", f"q < {Q_TOLERANCE:.0e}"])
            return
        self.hints[1].set_empty(False)
        i = self.chosen
        values = space.fixed.eigenvalues[i, : min(EIGENVALUES, space.fixed.states.shape[1])]
        brushes = [self.theme.foreground, *[self.theme.train] * (len(values) - 1)]  # λ₁ first
        self.eigenvalues.setData(values.real, values.imag, brush=brushes)
        largest = float(np.abs(values).max(initial=0.0))
        radius = 1.2 if largest <= 1.1 else math.ceil(largest * 11) / 10
        if radius != self.eigen_radius:
            self.eigen_radius = radius
            set_view(self.eigen_plot, (-radius, radius), (-radius, radius))
        q = space.fixed.q[i]
        self._say(
            self.readout,
            [f"fixed point {i + 1} of {found}", f"q {q:.1e}", f"|λ₁| {largest:.3f}", PICK],
        )

    def _show_path(self, probe) -> None:
        self.shown_probe, self.shown_path_space = probe, self.shown
        end = ""
        if probe is not None and self.shown is not None and not self.language_model:
            final = probe.final
            end = class_colour(self.theme, int(np.argmax(final))) if final is not None else ""
        self.plane.show_path(probe, self.shown, end)

    # ------------------------------------------------------------------ input
    def _hover(self, scene_pos) -> None:
        """A fixed point within HOVER_PIXELS of the cursor is chosen (kept when it leaves)."""
        space = self.shown
        view = self.plane.plot.getViewBox()
        if space is None or not len(space.fixed_points):
            return
        if not view.sceneBoundingRect().contains(scene_pos):
            return
        point = view.mapSceneToView(scene_pos)
        width, height = view.viewPixelSize()
        dx = (space.fixed_points[:, 0] - point.x()) / width
        dy = (space.fixed_points[:, 1] - point.y()) / height
        distance = np.hypot(dx, dy)
        nearest = int(np.argmin(distance))
        if distance[nearest] <= HOVER_PIXELS and nearest != self.chosen:
            self._choose(nearest)

    def _refit(self) -> None:
        self.refit_requested.emit()
        self._say(self.readout, ["Fitting a new basis", "the next analysis comes in it"])

    def _moved_view(self, *_) -> None:
        self.moves += 1

    def _say(self, label: QLabel, parts: list[str]) -> None:
        self.said[label] = parts
        _fit(label, parts)


def _fit(label: QLabel, parts: list[str]) -> None:
    """As many of `parts` (the first first) as the label's lines hold at its width, joined by
    " · "; all of them in its tooltip."""
    label.setToolTip(" · ".join(parts))
    for n in range(len(parts), 0, -1):
        label.setText(" · ".join(parts[:n]))
        if label.heightForWidth(label.width()) <= label.height():
            return
    label.setText(" · ".join(parts[:1]))


def _same_point(previous: StateSpace | None, space: StateSpace, chosen: int) -> int:
    """The fixed point of `space` nearest (in the full state) to the one chosen in `previous`,
    so that a new analysis keeps the eigenvalues of the same place; else the slowest (0)."""
    if previous is None or chosen < 0 or not len(space.fixed.states):
        return 0
    old = previous.fixed.states[chosen]
    if old.shape != space.fixed.states.shape[1:]:
        return 0
    return int(np.argmin(np.linalg.norm(space.fixed.states - old, axis=1)))


def summary_parts(space: StateSpace) -> list[str]:
    """The analysis' figures, the most telling first: the variance along the plot's components
    (the kept basis'), then the summary's (NaN where there is nothing to say)."""
    s, explained = space.summary, space.explained_now
    parts = [
        f"step {space.step:,}: PC1 {explained[0]:.0%}, PC1–2 {explained[:2].sum():.0%}, "
        f"PC1–{len(explained)} {explained.sum():.0%} of the variance"
    ]
    found = int(s["fixed_points"])
    fixed = f"{found} fixed point{'' if found == 1 else 's'}"
    if math.isfinite(s["fixed_points_1d_share"]):
        fixed += f", {s['fixed_points_1d_share']:.0%} of their spread on a line"
    if math.isfinite(s["largest_eigenvalue"]):
        fixed += f", median |λ₁| {s['largest_eigenvalue']:.3f}"
    parts.append(fixed)
    if math.isfinite(s["readout_line_angle"]):
        slow = "their line" if found >= 3 else "the slowest mode"
        parts.append(f"readout {s['readout_line_angle']:.0f}° from {slow}")
    parts.append(
        f"basis of step {space.basis.step:,}, its plane {space.plane_share:.0%} of the best"
    )
    return parts
