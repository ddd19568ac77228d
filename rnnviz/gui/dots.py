"""Many small dots of one colour, cheap to set and to paint: the state space's probe states.

pyqtgraph's ScatterPlotItem looks each point's symbol up in Python when its data is set (40 ms
for 20,000 points here), and a round pen wider than a pixel makes QPainter.drawPoints slow (20
ms). These dots are five one-pixel drawPoints calls (a plus sign, about 3 px across): 20,000 are
set in 2 ms and painted in 3. Legends and the report read them as pyqtgraph's own data items.
"""

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions as fn
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem

PLUS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))  # device pixels of one dot


class Dots(pg.GraphicsObject):
    def __init__(self, colour: str, name: str | None = None):
        super().__init__()
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)  # typing: not repainted
        self._colour = colour
        self._pen = QPen()
        self._pen.setCosmetic(True)
        self._pen.setWidth(1)
        self.xy = np.zeros((0, 2))
        self._polygon = fn.create_qpolygonf(0)
        self._rect = QRectF()
        solid = QColor(colour)  # the legend's sample: opaque, legible
        self.opts = {"pen": None, "symbol": "o", "size": 7, "brush": solid, "name": name}

    def set_points(self, xy: np.ndarray, alpha: int = 255) -> None:
        """Show the points xy (N, 2) at opacity `alpha` (0-255)."""
        colour = QColor(self._colour)
        colour.setAlpha(alpha)
        self._pen.setColor(colour)
        self.prepareGeometryChange()
        self.xy = np.asarray(xy, dtype=float)
        self._polygon = fn.create_qpolygonf(len(self.xy))
        if len(self.xy):  # (an empty polygon's array is read-only)
            fn.ndarray_from_qpolygonf(self._polygon)[:] = self.xy
            (x0, y0), (x1, y1) = self.xy.min(axis=0), self.xy.max(axis=0)
            self._rect = QRectF(x0, y0, x1 - x0, y1 - y0)
        else:
            self._rect = QRectF()
        self.informViewBoundsChanged()
        self.update()

    # pyqtgraph's data-item interface: legends (LegendItem), the report (report.write_curves)
    def implements(self, interface=None):
        return interface == "plotData" if interface is not None else ["plotData"]

    def name(self) -> str | None:
        return self.opts["name"]

    def getData(self):  # noqa: N802 (pyqtgraph's name)
        return self.xy[:, 0], self.xy[:, 1]

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._rect

    def pixelPadding(self) -> int:  # noqa: N802 (pyqtgraph's name: room for a dot's arms)
        return 1

    def paint(self, painter: QPainter, *args) -> None:
        if not len(self.xy):
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(self._pen)
        transform = painter.transform()
        for dx, dy in PLUS:
            painter.setTransform(transform * QTransform.fromTranslate(dx, dy))
            painter.drawPoints(self._polygon)
        painter.setTransform(transform)
