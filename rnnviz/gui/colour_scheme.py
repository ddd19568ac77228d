"""Light or dark, whatever the desktop says: the View menu's choice of colour scheme.

"system" leaves the platform's palette and style alone; "light" and "dark" set Qt's Fusion style
with a palette of their own (platform themes differ in whether they can switch at all)."""

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

Role = QPalette.ColorRole
DARK = {
    Role.Window: "#2b2d31",
    Role.WindowText: "#e3e5e8",
    Role.Base: "#1e1f22",
    Role.AlternateBase: "#26282c",
    Role.ToolTipBase: "#1e1f22",
    Role.ToolTipText: "#e3e5e8",
    Role.PlaceholderText: "#8a8f98",
    Role.Text: "#e3e5e8",
    Role.Button: "#34363b",
    Role.ButtonText: "#e3e5e8",
    Role.BrightText: "#ff6b6b",
    Role.Highlight: "#3d6fd6",
    Role.HighlightedText: "#ffffff",
    Role.Link: "#7fb2ff",
}
DISABLED_TEXT = "#7a7f88"

_system: tuple[str, QPalette] | None = None  # the platform's style and palette, kept once
_current = "system"  # the scheme applied last


def apply(scheme: str) -> None:
    """Set the application's look to `scheme` (one of COLOUR_SCHEMES; others mean "system")."""
    global _system, _current
    scheme = scheme if scheme in ("light", "dark") else "system"
    if scheme == _current:
        return  # a palette change repaints and re-polishes every widget: only on change
    _current = scheme
    app = QApplication.instance()
    if _system is None:
        _system = (app.style().name(), QPalette(app.palette()))
    style, palette = _system
    if scheme == "light":
        style, palette = "Fusion", QStyleFactory.create("Fusion").standardPalette()
    elif scheme == "dark":
        style, palette = "Fusion", _dark_palette()
    if app.style().name().lower() != style.lower():
        app.setStyle(style)
    app.setPalette(palette)


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (Role.Text, Role.ButtonText, Role.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED_TEXT))
    return palette
