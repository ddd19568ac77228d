"""The window's docks: an arrangement for each screen with nothing clipped or overlapping, the
user's own arrangement kept (and remembered), maximising one panel, View → Reset layout."""

import pytest
from PySide6.QtCore import QSettings, Qt

from rnnviz.gui.layout import CUSTOM, SETTINGS, arrangement_for

from .geometry import fit, problems

SCREENS = {(1024, 700): "narrow", (1366, 768): "compact", (1920, 1080): "wide"}


def trained(window, steps=40) -> None:
    window.runner.train_steps(steps).result(60)
    window.runner.record_insight().result(10)
    window.redraw_all()


@pytest.mark.parametrize("size", list(SCREENS), ids=lambda s: f"{s[0]}x{s[1]}")
def test_at_each_screen_size_nothing_is_clipped_or_overlapping(qtbot, window, size):
    trained(window)
    fit(qtbot, window, size)
    assert window.panel_layout.arrangement == SCREENS[size]
    found = []
    for key in window.panels:  # each panel in front of its tabs in turn
        window.show_tab(key)
        qtbot.waitUntil(lambda k=key: window.panel_shown(k))
        window.redraw_all()
        assert window.panels[key].width() >= 280 and window.panels[key].height() >= 200, key
        found += [p for p in problems(window) if p not in found]
    assert found == [], "\n".join(found)


def test_the_arrangement_follows_the_width_until_the_user_moves_a_panel(qtbot, window):
    layout = window.panel_layout
    for size, arrangement in SCREENS.items():
        fit(qtbot, window, size)
        assert layout.arrangement == arrangement == arrangement_for(size[0])
        behind_loss = {d.objectName() for d in window.tabifiedDockWidgets(layout.docks["loss"])}
        behind_hidden = {d.objectName() for d in window.tabifiedDockWidgets(layout.docks["hidden"])}
        expected = {
            "wide": (set(), set()),
            "compact": (set(), {"dock:calibration", "dock:state_space"}),
            "narrow": (
                {"dock:gradients", "dock:dynamics"},
                {"dock:calibration", "dock:state_space"},
            ),
        }
        assert (behind_loss, behind_hidden) == expected[arrangement]
    layout.docks["calibration"].setFloating(True)  # the user's own
    assert layout.custom
    fit(qtbot, window, (1366, 768))
    assert layout.arrangement == "wide" and layout.docks["calibration"].isFloating()
    window.actions["layout:reset"].trigger()
    assert not layout.custom and layout.arrangement == "compact"
    assert not layout.docks["calibration"].isFloating()
    assert all(not d.isHidden() for d in layout.docks.values())
    for key in ("loss", "gradients", "prediction", "hidden"):
        qtbot.waitUntil(lambda k=key: window.panel_shown(k))


def test_the_users_arrangement_comes_back_in_the_next_session(qtbot, window, tmp_path):
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    layout = window.panel_layout
    window.tabifyDockWidget(layout.docks["loss"], layout.docks["hidden"])
    layout.docks["dynamics"].close()
    layout.custom = True  # as a drag of the tab would have made it
    window.save_settings()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert settings.value("arrangement") == CUSTOM
    again = MainWindow(settings=settings, dataset="tiny")
    try:
        again.show()
        docks = again.panel_layout.docks
        assert again.panel_layout.custom
        assert docks["hidden"] in again.tabifiedDockWidgets(docks["loss"])
        assert docks["dynamics"].isHidden() and not again.panel_shown("dynamics")
        assert not again.actions["panel:dynamics"].isChecked()
    finally:
        again.unsaved.mark_kept()
        dispose(again)


def test_an_automatic_arrangement_is_chosen_again_for_the_new_width(qtbot, window, tmp_path):
    """Not the user's own: a session that ends wide and starts on a laptop gets the laptop's."""
    from rnnviz.gui.app import dispose
    from rnnviz.gui.main_window import MainWindow

    window.save_settings()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert settings.value("arrangement") == "wide"
    again = MainWindow(settings=settings, dataset="tiny")
    try:
        again.resize(1366, 768)
        again.show()
        qtbot.waitUntil(lambda: again.panel_layout.arrangement == "compact")
    finally:
        again.unsaved.mark_kept()
        dispose(again)


def test_maximising_a_panel_shows_it_alone_and_gives_the_others_back(qtbot, window):
    layout = window.panel_layout
    before = {k: d.geometry() for k, d in layout.docks.items()}
    window.actions["maximise:hidden"].trigger()
    assert layout.maximised
    others = [k for k in window.panels if k != "hidden"]
    assert all(layout.docks[k].isHidden() for k in others)
    assert not layout.docks[SETTINGS].isHidden() and window.panel_shown("hidden")
    qtbot.waitUntil(lambda: window.panels["hidden"].width() > before["hidden"].width())
    window.actions["maximise:off"].trigger()
    assert not layout.maximised
    qtbot.waitUntil(lambda: all(window.panel_shown(k) for k in ("loss", "gradients", "hidden")))
    assert layout.docks["loss"].geometry() == before["loss"]


def test_a_closed_panel_is_not_drawn_and_is_drawn_when_opened(qtbot, window):
    panel, dock = window.panels["gradients"], window.panel_layout.docks["gradients"]
    window.actions["panel:gradients"].trigger()
    assert dock.isHidden() and not window.panel_shown("gradients")
    trained(window, 20)
    window.scheduler.stale.add("gradients")
    for _ in range(12):
        window.refresh()
    assert "gradients" in window.scheduler.stale  # closed: not drawn
    window.actions["panel:gradients"].trigger()
    qtbot.waitUntil(lambda: "gradients" not in window.scheduler.stale)
    assert len(panel.before.line.getData()[0]) > 0


def test_every_dock_can_move_float_and_close(window):
    for dock in window.panel_layout.docks.values():
        features = dock.features()
        for feature in ("DockWidgetMovable", "DockWidgetFloatable", "DockWidgetClosable"):
            assert features & getattr(dock.DockWidgetFeature, feature)
        assert dock.allowedAreas() == Qt.DockWidgetArea.AllDockWidgetAreas


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_an_lstm_in_the_dark_scheme_fits_a_laptop_too(qtbot, size):
    """The LSTM adds ‖∂L/∂c_t‖ to the flow plot's legend and its gates to the layer box."""
    from rnnviz.gui.screenshot import scripted_window

    with scripted_window("tiny", 40, size, "lstm", "dark") as window:
        window.unsaved.mark_kept()
        found = []
        for key in window.panels:
            window.show_tab(key)
            qtbot.waitUntil(lambda k=key: window.panel_shown(k))
            window.redraw_all()
            found += [p for p in problems(window) if p not in found]
        assert found == [], "\n".join(found)
