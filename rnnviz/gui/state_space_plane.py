"""The state space's plane (PC1, PC2) of one analysis (core/insight/state_space.py): the probe
states as dots by class (a language model's by position), the typed sentence's path word by word,
the initial state h₀, the readout's directions from the basis' mean (the origin) and a two-class
readout's zero line, the fixed points coloured by log10 q."""

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from ..core.insight.probe import Probe
from ..core.insight.state_space import Q_TOLERANCE, StateSpace
from .class_rows import TOP_CLASSES
from .dots import Dots
from .panel import MAX_DRAWN_WORDS
from .theme import Theme, colour_bar, inside_legend, style_plot

Q_COLOURS = pg.colormap.get("CET-L8")  # log10 q: dark (slowest) to bright
POSITION_COLOURS = pg.colormap.get("viridis")  # a language model's word position
POSITION_BINS = 8  # dot items of a language model's states, by position
ARROW_REACH = 0.45  # a readout direction wholly in the plane reaches this share of the cloud's span
HEAD = 0.15  # an arrow head's length, of its arrow's
BOUNDARY_AT = 0.12  # the boundary's label, this share along its line in view
VIEW_PADDING = 0.08  # of the data's span on each side of the plane's view
MAX_LABELLED = 30  # words labelled along the path (its last ones): more would be a blot
LABEL_POINTS = 8  # font size of the words along the path


def dot_alpha(count: int) -> int:
    """Opacity of a dot: dense clouds lighter, so that their density shows (0-255)."""
    return int(np.clip(6000 / math.sqrt(max(count, 1)), 40, 200))


def groups(space: StateSpace, classes: tuple, language_model: bool, theme: Theme) -> list:
    """[(name or None, colour, mask (M,))] of the probe states: by class (the TOP_CLASSES most
    frequent one by one when there are more than TOP_CLASSES + 1, the rest as one), or by word
    position in POSITION_BINS equal bins (a language model: named by the colour bar)."""
    labels = space.point_labels.astype(int)
    if language_model:
        top = max(int(labels.max(initial=0)), 1)
        bins = np.minimum(labels * POSITION_BINS // (top + 1), POSITION_BINS - 1)
        return [
            (None, POSITION_COLOURS.map((b + 0.5) / POSITION_BINS, mode="qcolor").name(), bins == b)
            for b in range(POSITION_BINS)
        ]
    counts = np.bincount(labels, minlength=len(classes))
    shown = np.arange(len(counts))
    if len(counts) > TOP_CLASSES + 1:
        shown = np.sort(np.argsort(-counts, kind="stable")[:TOP_CLASSES])
    found = [
        (str(classes[c]) if c < len(classes) else str(c), class_colour(theme, c), labels == c)
        for c in shown
    ]
    rest = ~np.isin(labels, shown)
    if rest.any():
        found.append((f"{len(counts) - len(shown)} more classes", theme.faint, rest))
    return found


def class_colour(theme: Theme, c: int) -> str:
    return theme.classes[c % len(theme.classes)]


def q_levels(q: np.ndarray) -> tuple[float, float]:
    """The colour bar's log10 q range: whole decades from the slowest point to Q_TOLERANCE."""
    high = math.log10(Q_TOLERANCE)
    low = math.floor(float(np.log10(np.maximum(q, 1e-300)).min())) if len(q) else high - 1
    return float(max(min(low, high - 1), -30)), high


class Plane:
    def __init__(self, plot: pg.PlotItem, theme: Theme):
        self.plot, self.theme = plot, theme
        style_plot(plot, "Hidden states h", "PC2", "PC1")
        plot.setAspectLocked(True)  # angles and distances as they are in h
        self.legend = inside_legend(plot, "left")
        self.q_bar = colour_bar(Q_COLOURS, (-12, -6), "log10 q", 10)
        self.position_bar = colour_bar(POSITION_COLOURS, (1, 2), "word position", 10)
        fg = theme.foreground
        self.dots: list[Dots] = []
        self.shown_groups: list[tuple] = []  # (name, colour) of each of self.dots
        self.boundary = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(theme.threshold, width=1, style=Qt.PenStyle.DashLine)
        )
        self.readouts: list[tuple[pg.PlotCurveItem, pg.TextItem]] = []
        path = theme.highlight
        self.path = pg.PlotDataItem(
            pen=pg.mkPen(path, width=2), symbol="o", symbolSize=6, symbolBrush=path, symbolPen=None
        )
        self.ends = pg.ScatterPlotItem()
        self.initial = pg.ScatterPlotItem(symbol="+", size=14, pen=None, brush=fg)
        self.fixed = pg.ScatterPlotItem(symbol="d", size=11, pen=pg.mkPen(fg, width=1))
        self.ring = pg.ScatterPlotItem(symbol="o", size=20, pen=pg.mkPen(fg, width=2), brush=None)
        self.slow = pg.PlotCurveItem(pen=pg.mkPen(fg, width=2, style=Qt.PenStyle.DotLine))
        self.reach = 1.0  # data length of a direction wholly in the plane (ARROW_REACH)
        for item in (self.fixed, self.initial):  # in the view's bounds, the dots too
            plot.addItem(item)
        for item in (self.boundary, self.slow, self.path, self.ends, self.ring):
            plot.addItem(item, ignoreBounds=True)
        self.boundary.setZValue(5)
        self.slow.setZValue(6)
        self.path.setZValue(10)
        self.ends.setZValue(11)
        self.fixed.setZValue(12)
        self.ring.setZValue(13)
        self.initial_label = self._label("h₀", fg)
        self.boundary_label = self._label("boundary", theme.threshold)
        self.words: list[pg.TextItem] = []  # a pool: the first `labelled` label the path
        self.labelled = 0
        self.readout_labels: list[pg.TextItem] = []
        view = plot.getViewBox()
        view.sigRangeChanged.connect(self._place_labels)
        view.disableAutoRange()  # the view follows the analyses in steps (follow)
        view.sigRangeChangedManually.connect(self._user_moved)
        self.following = True  # until the user pans or zooms; "A" (auto-range) resumes
        self.target: np.ndarray | None = None  # (2, 2) the view's [low, high] per axis
        self.clear()

    def _label(self, text: str, colour: str) -> pg.TextItem:
        label = pg.TextItem(text, color=colour, fill=self.theme.background + "a0")
        font = QFont()
        font.setPointSize(LABEL_POINTS)
        label.setFont(font)
        label.textItem.document().setDocumentMargin(1)  # a tight box: fewer labels overlap
        label.setZValue(20)
        self.plot.addItem(label, ignoreBounds=True)
        return label

    def clear(self) -> None:
        for dots in self.dots:
            dots.set_points(np.zeros((0, 2)))
        for item in (self.fixed, self.initial):
            item.setData([], [])
        self.choose(None, -1)
        self.boundary.setVisible(False)
        self.boundary_label.setVisible(False)
        self.initial_label.setVisible(False)
        self._show_readouts(np.zeros((0, 2)), ())
        self.show_path(None, None, "")

    # ------------------------------------------------------------ analysis
    def show(self, space: StateSpace, classes: tuple, language_model: bool) -> None:
        """A new analysis: dots, h₀, readout, fixed points (the path: show_path)."""
        found = groups(space, classes, language_model, self.theme)
        if [(name, colour) for name, colour, _ in found] != self.shown_groups:
            self._make_dots(found)
        alpha = dot_alpha(len(space.points))
        for dots, (_, _, mask) in zip(self.dots, found, strict=True):
            dots.set_points(space.points[mask], alpha)
        if language_model:
            self.position_bar.setLevels((1, max(int(space.point_labels.max(initial=0)) + 1, 2)))
        self.initial.setData([space.initial[0]], [space.initial[1]])
        self.initial_label.setPos(*space.initial)
        self.initial_label.setVisible(True)
        span = float(np.ptp(space.points, axis=0).max()) if len(space.points) else 1.0
        self.reach = ARROW_REACH * span if span > 0 else 1.0
        self._show_readouts(space.readout, classes)
        self._show_boundary(space)
        levels = q_levels(space.fixed.q)
        self.q_bar.setLevels(levels)
        shares = (np.log10(np.maximum(space.fixed.q, 1e-300)) - levels[0]) / np.ptp(levels)
        brushes = [pg.mkBrush(c) for c in Q_COLOURS.map(np.clip(shares, 0, 1), mode="qcolor")]
        self.fixed.setData(pos=space.fixed_points, brush=brushes)
        self._follow(np.vstack([space.points, space.fixed_points, space.initial[None]]))
        self._place_labels()

    def _user_moved(self, *_) -> None:
        self.following = False

    def _follow(self, xy: np.ndarray) -> None:
        """Show all of xy (N, 2) with VIEW_PADDING, moving the view only when xy leaves it or
        spans less than half of it (each move re-renders the axes: not at every analysis)."""
        view = self.plot.getViewBox()
        if any(view.autoRangeEnabled()):  # the user pressed "A": follow again
            view.disableAutoRange()
            self.following, self.target = True, None
        if not self.following:
            return
        low, high = xy.min(axis=0), xy.max(axis=0)
        span = np.maximum(high - low, 1e-6)
        if self.target is not None:
            inside = (self.target[0] <= low).all() and (high <= self.target[1]).all()
            if inside and (span >= 0.5 * (self.target[1] - self.target[0])).all():
                return
        self.target = np.array([low - VIEW_PADDING * span, high + VIEW_PADDING * span])
        (x0, y0), (x1, y1) = self.target
        view.setRange(xRange=(float(x0), float(x1)), yRange=(float(y0), float(y1)), padding=0)

    def _make_dots(self, found: list) -> None:
        for dots in self.dots:
            self.plot.removeItem(dots)  # its legend entry too
        self.dots = [Dots(colour, name) for name, colour, _ in found]
        for dots in self.dots:
            self.plot.addItem(dots)
        self.shown_groups = [(name, colour) for name, colour, _ in found]

    def _show_readouts(self, readout: np.ndarray, classes: tuple) -> None:
        """An arrow from the origin (the basis' mean) along each of the first TOP_CLASSES readout
        directions w_c - w_0 in the plane, as long as the share of it in the plane, named by c."""
        while len(self.readouts) < min(len(readout), TOP_CLASSES):
            arrow = pg.PlotCurveItem(connect="pairs")
            self.plot.addItem(arrow, ignoreBounds=True)
            arrow.setZValue(8)
            self.readouts.append((arrow, self._label("", self.theme.foreground)))
        for r, (arrow, label) in enumerate(self.readouts):
            shown = r < len(readout)
            arrow.setVisible(shown)
            label.setVisible(shown)
            if not shown:
                continue
            tip = self.reach * readout[r]
            arrow.setData(*_arrow(tip), pen=pg.mkPen(self.theme.foreground, width=2))
            label.setText(str(classes[r + 1]) if r + 1 < len(classes) else "")
            label.setPos(*tip)

    def _show_boundary(self, space: StateSpace) -> None:
        """Two classes: where the logit difference is 0 for a state in the plane, the line
        {p : b + r·p = 0} (r: the readout direction in the plane, b: the offset at the mean)."""
        binary = len(space.readout) == 1 and np.linalg.norm(space.readout[0]) > 1e-9
        self.boundary.setVisible(bool(binary))
        self.boundary_label.setVisible(bool(binary))
        if binary:
            r, b = space.readout[0], float(space.readout_offset[0])
            self.boundary.setPos(-b * r / float(r @ r))
            self.boundary.setAngle(math.degrees(math.atan2(r[1], r[0])) + 90)

    def choose(self, space: StateSpace | None, index: int) -> None:
        """Ring fixed point `index` of `space` (-1: none) and draw its slow mode through it: the
        eigenvector of its largest |λ| (its h part) in the plane, as long as the readout arrows
        would draw a direction of that share in the plane."""
        if space is None or index < 0:
            self.ring.setData([], [])
            self.slow.setData([], [])
            return
        point = space.fixed_points[index]
        self.ring.setData([point[0]], [point[1]])
        H = len(space.basis.mean)
        mode = space.basis.components[:2] @ space.fixed.slow_modes[index, :H]
        ends = np.array([point - self.reach * mode, point + self.reach * mode])
        self.slow.setData(ends[:, 0], ends[:, 1])

    # ---------------------------------------------------------------- path
    def show_path(self, probe: Probe | None, space: StateSpace | None, end_colour: str) -> None:
        """The typed sentence's states h_t in the plane (its last MAX_DRAWN_WORDS words), its
        last MAX_LABELLED words labelled; hollow: its first word, filled in `end_colour`: its
        last."""
        H = len(space.basis.mean) if space is not None else -1
        if probe is None or not len(probe.tokens) or probe.states.shape[1] != H:
            self.path.setData([], [])
            self.ends.setData([], [])
            self._label_words([], np.zeros((0, 2)))
            return
        shown, _ = probe.last(MAX_DRAWN_WORDS)
        xy = space.basis.project(shown.states)[:, :2]
        self.path.setData(xy[:, 0], xy[:, 1])
        pen = pg.mkPen(self.theme.foreground, width=1.5)
        first = {"pos": xy[0], "symbol": "s", "size": 10, "brush": self.theme.background}
        last = {"pos": xy[-1], "symbol": "o", "size": 12, "brush": end_colour or pen.color()}
        self.ends.setData([first, last], pen=pen)
        words = [t if not u else f"{t}?" for t, u in zip(shown.tokens, shown.unknown, strict=True)]
        self._label_words(words[-MAX_LABELLED:], xy[-MAX_LABELLED:])

    def _label_words(self, words: list[str], xy: np.ndarray) -> None:
        while len(self.words) < len(words):
            self.words.append(self._label("", self.theme.foreground))
        for label, word, point in zip(self.words, words, xy, strict=False):
            if label.toPlainText() != word:
                label.setText(word)
            label.setPos(*point)
        for label in self.words[len(words) : self.labelled]:
            label.setVisible(False)
        self.labelled = len(words)
        self._place_labels()

    def word_labels(self) -> list[str]:
        return [label.toPlainText() for label in self.words[: self.labelled]]

    def _place_labels(self, *_) -> None:
        """Each label shown while its point is in view, on the first side of its point (the one
        it prefers first: the view's middle; an arrow's: past its tip) where it fits in the view
        and covers no label placed before it (else where it fits)."""
        view = self.plot.getViewBox()
        (x0, x1), (y0, y1) = view.viewRange()
        pixel = view.viewPixelSize()
        middle = ((x0 + x1) / 2, (y0 + y1) / 2)
        inward = [*self.words[: self.labelled]]
        if len(self.initial.data):
            inward.append(self.initial_label)
        if self.boundary.isVisible():
            on_line = _on_line(self.boundary, (x0, x1), (y0, y1))
            if on_line is not None:
                self.boundary_label.setPos(*on_line)
            inward.append(self.boundary_label)
        outward = [label for arrow, label in self.readouts if arrow.isVisible()]
        placed = np.zeros((0, 4))  # (left, top, right, bottom) in pixels, y down
        for label in outward + inward:
            x, y = label.pos().x(), label.pos().y()
            shown = bool(x0 <= x <= x1 and y0 <= y <= y1)
            label.setVisible(shown)
            if not shown:
                continue
            towards = (2 * x, 2 * y) if label in outward else middle
            point = ((x - x0) / pixel[0], (y1 - y) / pixel[1])
            size = label.boundingRect()
            limits = ((x1 - x0) / pixel[0], (y1 - y0) / pixel[1])
            anchor, box = _free_side(point, (size.width(), size.height()), limits, placed,
                                     (x < towards[0], y < towards[1]))  # fmt: skip
            if anchor != tuple(label.anchor):
                label.setAnchor(anchor)
            placed = np.vstack([placed, box])


def _free_side(point, size, limits, placed, prefer) -> tuple:
    """(anchor, box) of a label of `size` px at `point` px: its corners tried from `prefer`
    (right of the point?, above it?), the first in the view (0..limits) clear of `placed`."""
    (X, Y), (w, h) = point, size
    right, up = prefer
    fitting = []
    for r, u in ((right, up), (right, not up), (not right, up), (not right, not up)):
        anchor = (-0.1 if r else 1.1, 1.0 if u else 0.0)
        left, top = X - anchor[0] * w, Y - anchor[1] * h
        box = np.array([left, top, left + w, top + h])
        if left < 0 or top < 0 or box[2] > limits[0] or box[3] > limits[1]:
            continue
        covers = (placed[:, 0] < box[2]) & (placed[:, 2] > left)
        covers &= (placed[:, 1] < box[3]) & (placed[:, 3] > top)
        if not covers.any():
            return anchor, box
        fitting.append((anchor, box))
    if fitting:
        return fitting[0]
    anchor = (-0.1 if right else 1.1, 1.0 if up else 0.0)
    return anchor, np.array([X, Y, X, Y])


def _on_line(line: pg.InfiniteLine, xs: tuple, ys: tuple) -> tuple | None:
    """A point of `line` in view, BOUNDARY_AT of the way along its visible part (None: none)."""
    x, y = line.pos().x(), line.pos().y()
    dx, dy = math.cos(math.radians(line.angle)), math.sin(math.radians(line.angle))
    low, high = -math.inf, math.inf
    for start, step, (lo, hi) in ((x, dx, xs), (y, dy, ys)):  # Liang-Barsky clipping
        if abs(step) < 1e-12:
            if not lo <= start <= hi:
                return None
            continue
        a, b = sorted(((lo - start) / step, (hi - start) / step))
        low, high = max(low, a), min(high, b)
    if low > high:
        return None
    t = low + BOUNDARY_AT * (high - low)
    return x + t * dx, y + t * dy


def _arrow(tip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y of an arrow from the origin to `tip` as segment pairs: its shaft and two barbs."""
    length = float(np.hypot(*tip))
    if length == 0:
        return np.zeros(0), np.zeros(0)
    back = -tip / length * HEAD * length
    barbs = [_rotate(back, sign * math.radians(25)) + tip for sign in (1, -1)]
    points = np.array([[0.0, 0.0], tip, tip, barbs[0], tip, barbs[1]])
    return points[:, 0], points[:, 1]


def _rotate(v: np.ndarray, angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])
