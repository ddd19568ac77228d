"""Start the window: check that a display can be used, create the QApplication, run."""

import ctypes
import gc
import os
import sys

# Qt 6's X11 plugin needs these libraries; on a minimal Debian/Ubuntu they are often missing and
# Qt then aborts the whole process. soname -> Debian package.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-randr.so.0": "libxcb-randr0",
}


def display_problem() -> str | None:
    """Why the window cannot open here (with the fix), or None when it can."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: the user chose
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "no display: DISPLAY is not set. Run rnnviz on a desktop, or over ssh -X, or "
            "train without a window: rnnviz train --data tiny"
        )
    if not os.environ.get("DISPLAY"):
        return None  # Wayland only: Qt picks its wayland plugin
    missing = []
    for soname, package in XCB_LIBRARIES.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    if missing:
        return (
            "Qt's X11 plugin needs system libraries that are missing: "
            f"{', '.join(missing)}. Install them with:\n"
            f"    sudo apt-get install {' '.join(missing)}\n"
            "(rnnviz train works without a display.)"
        )
    return None


_APP = None  # the QApplication outlives every widget: it is kept here, not in a local


def application():
    """The process's QApplication, created once."""
    global _APP
    from PySide6.QtWidgets import QApplication

    _APP = QApplication.instance() or QApplication(sys.argv[:1])
    _APP.setApplicationName("rnnviz")
    _APP.setOrganizationName("rnnviz")
    return _APP


def dispose(window) -> None:
    """Stop the window's work and delete it while the application still exists (a widget left to
    the interpreter's final garbage collection can outlive Qt and crash the exit)."""
    window.shutdown()
    window.close_now()  # the caller decided: no question about an unsaved model
    window.deleteLater()
    application().processEvents()
    gc.collect()


def run(dataset: str | None = None, history_mb: float | None = None) -> int:
    """Open the window (on `dataset`, else the last one used) with the crash reporter on and run
    the event loop; returns the exit status."""
    problem = display_problem()
    if problem:
        print(f"rnnviz: cannot open the window: {problem}", file=sys.stderr)
        return 1
    from PySide6.QtGui import QIcon

    from ..resources import resource_dir
    from . import crash_report
    from .main_window import MainWindow

    app = application()
    app.setWindowIcon(QIcon(str(resource_dir("assets") / "icon.svg")))
    note = crash_report.start()  # before the window: a fault while it is built is reported too
    window = MainWindow(dataset=dataset, notes=[note] if note else [], history_mb=history_mb)
    window.show()
    status = app.exec()
    dispose(window)
    return status
