"""A run you can hand on (issue 30): one self-contained HTML page of a saved model or history,
its plots interactive (Plotly, its JavaScript inlined: the page makes no network request) and the
data behind each one downloadable as CSV. Imported only by `rnnviz report` and the window's
File → Export report as HTML: Plotly's 4.8 MB script is read from disk only then."""
