"""The HTML report in a real browser (issue 30): Debian's Chromium, headless, driven by
Playwright. The page opens with the network off and asks for nothing, every plot draws, hovering
a loss point shows its step and value, each plot's CSV downloads, and no plot is blank. CI sets
RNNVIZ_BROWSER=required: without Chromium the test fails there instead of skipping."""

import pytest

from .browser import chromium_page, distinct_colours


@pytest.fixture(scope="module")
def opened(report):
    path, record, _ = report
    with chromium_page() as (page, requests):
        page.goto(path.as_uri())
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot').length === {record['plots']}"
        )
        yield page, requests, record


def test_it_opens_offline_and_asks_for_nothing(opened):
    page, requests, _ = opened
    assert [url for url in requests if not url.startswith("file://")] == []
    assert len(requests) == 1  # the page itself


def test_every_plot_draws_its_data(opened):
    page, _, record = opened
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => [gd.id,
            gd.querySelectorAll('.scatterlayer .trace path.js-line, .scatterlayer .point,'
              + ' .barlayer .point, .heatmaplayer image').length])"""
    )
    assert len(drawn) == record["plots"]
    assert all(count > 0 for _, count in drawn), drawn


def test_hovering_a_loss_point_shows_its_step_and_value(opened):
    page, _, _ = opened
    page.locator("#loss").scroll_into_view_if_needed()
    point = page.evaluate(
        """() => {
        const gd = document.getElementById('loss');
        const trace = gd.data.findIndex(t => (t.name || '').startsWith('train (mean'));
        const k = Math.floor(gd.data[trace].x.length / 2);  // a point in the middle
        const x = gd.data[trace].x[k], y = gd.data[trace].y[k];
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.getBoundingClientRect();
        return {x, y, left: box.left + xa._offset + xa.l2p(x),
                 top: box.top + ya._offset + ya.l2p(y)};
        }"""
    )
    page.mouse.move(point["left"], point["top"])
    hover = page.locator(".hoverlayer .hovertext").first
    hover.wait_for(timeout=5000)
    said = hover.text_content()
    assert f"step {point['x']}" in said and f"loss (cross-entropy) {point['y']:.4g}" in said, said


def test_each_plot_downloads_its_table_as_csv(opened, tmp_path):
    page, _, _ = opened
    with page.expect_download() as download:
        page.locator("#loss").locator("xpath=..").get_by_role("button", name="Download CSV").click()
    saved = tmp_path / "loss.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "loss.csv"
    rows = saved.read_text().splitlines()
    assert (
        rows[0].startswith("step,train_loss_mean,train_loss_min,train_loss_max") and len(rows) > 10
    )


def test_no_plot_is_blank_in_a_screenshot(opened):
    page, _, _ = opened
    whole = page.screenshot(full_page=True)  # bytes: a path= would start a thread of asyncio's
    assert distinct_colours(whole) > 50
    for key in ("loss", "gradient_norm", "gradient_flow", "s0_opinion", "s0_h", "s0_z"):
        shot = page.locator(f"#{key}").screenshot()
        assert distinct_colours(shot) > 20, key
