"""Live prediction: type a sentence, see class probabilities, unknown words and how the
network's opinion moves word by word; with a step pinned as A, A's answer beside the one shown."""

import html

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.insight.probe import Probe
from ..core.insight.saliency import METHODS, Saliency, explain
from ..core.insight.units import units_for_span
from ..core.train.telemetry import Snapshot
from ..core.words import percent
from .class_rows import ClassRows
from .next_token_view import NextTokenView, shown_token
from .panel import MAX_DRAWN_WORDS, PROBE, Panel, PanelContext, weights_at
from .theme import (
    Theme,
    inside_legend,
    plain_label,
    plot_rows,
    set_ticks,
    set_view,
    style_plot,
    word_ticks,
)
from .view_state import ViewState
from .word_colours import words_html

DEBOUNCE_MS = 0  # fires once the queued key events are handled: a burst costs one update
MAX_TYPED_CHARS = 200_000
SALIENCY_WORDS = 50  # words coloured by saliency (the last ones): occlusion costs ~T² H²
WHY = {"": "no colours", "occlusion": "occlusion", "gradient": "gradient × input"}
PHRASE_UNITS = 5  # units listed for a selected phrase
OPINION = "Opinion after each word"


class PredictionPanel(QWidget, Panel):
    """Owns the sentence entry; the window probes what is typed once and hands the result to every
    panel that reads PROBE."""

    key, slot, reads = "prediction", "bottom", frozenset({PROBE})
    title = "Try a sentence"

    def __init__(self, theme: Theme, state: ViewState, parent=None):
        super().__init__(parent)
        self.theme = theme
        self.view_state = state
        self.shown: Probe | None = None  # what the bars and the plot currently describe
        self.entry = QLineEdit(state.text)
        self.entry.setPlaceholderText("Type a sentence…")
        self.entry.setClearButtonEnabled(True)
        self.entry.setMaxLength(MAX_TYPED_CHARS)
        self.entry.setToolTip("Type any sentence: the prediction follows every keystroke.")
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(lambda: state.set_text(self.entry.text()))
        self.entry.textChanged.connect(lambda _: self.debounce.start())
        self.entry.selectionChanged.connect(
            lambda: state.set_selection(self.entry.selectionStart(), self.entry.selectionLength())
        )
        if state.selection[0] >= 0:  # a panel rebuilt (new colours) shows the selection too
            self.entry.setSelection(*state.selection)
        state.text_changed.connect(self._show_text)
        state.selection_changed.connect(self._show_selection)
        self.tokens_label = QLabel()
        self.tokens_label.setTextFormat(Qt.TextFormat.RichText)
        self.tokens_label.setWordWrap(True)
        self.why_box = QComboBox()
        for method, title in WHY.items():
            self.why_box.addItem(title, method)
        self.why_box.setCurrentIndex(1)
        self.why_box.setToolTip(
            "Colour each word by how much it pushes the prediction: towards the predicted "
            "class in its colour, away from it in the other class's. Occlusion: "
            f"{METHODS['occlusion']}. Gradient × input: {METHODS['gradient']}; it is small "
            f"once the model is sure (log p saturates). The last {SALIENCY_WORDS} words."
        )
        self.why_box.currentIndexChanged.connect(lambda _: self._recolour())
        self.saliency: Saliency | None = None
        self.saliency_timer = QTimer(self)  # saliency after the answer is painted: a keystroke
        self.saliency_timer.setSingleShot(True)  # shows the bars first, the colours a moment later
        self.saliency_timer.setInterval(0)
        self.saliency_timer.timeout.connect(self._recolour)
        self.context: PanelContext | None = None
        self.phrase_label = QLabel()
        self.phrase_label.setTextFormat(Qt.TextFormat.RichText)
        self.phrase_label.setWordWrap(True)
        self.phrase_label.linkActivated.connect(lambda unit: state.select_unit(int(unit)))
        self.phrase_label.setToolTip(
            "Select words in the sentence: the units whose mean h over them differs most from "
            "their mean over the other words. Click a unit to inspect it."
        )
        self.bars_grid = QGridLayout()
        self.verdict = plain_label()
        bold = self.verdict.font()
        bold.setBold(True)
        self.verdict.setFont(bold)
        self.verdict.setFixedHeight(self.verdict.fontMetrics().lineSpacing() + 4)
        self.runs_label = QLabel()  # each run beside this one's answer
        self.runs_label.setTextFormat(Qt.TextFormat.RichText)
        self.runs_label.setWordWrap(True)
        self.runs_label.setVisible(False)
        self.runs_label.setToolTip("The typed sentence under each run beside this one (Runs menu).")
        self.graphics, (self.plot,) = plot_rows((1,), legends=(False,))
        style_plot(self.plot, OPINION, "p(class)", "")
        self.opinion_title = OPINION
        inside_legend(self.plot, "left")  # a row of its own squeezed the plot on a laptop
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setToolTip(
            "softmax(W_hy h_t + b_y) for every prefix of the sentence: what the "
            "network would answer if the sentence stopped at that word."
        )
        self.rows = ClassRows(theme, self.bars_grid, self.plot)
        self.next_view = NextTokenView(theme)
        self.language_model = False  # the model continues text instead of classifying it
        classifier_page = QWidget()
        page = QVBoxLayout(classifier_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.addLayout(self.bars_grid)
        page.addWidget(self.graphics, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(classifier_page)
        self.pages.addWidget(self.next_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()  # the dock's title says "Try a sentence"
        header.addStretch(1)
        self.why_title = QLabel("Colour words by")
        header.addWidget(self.why_title)
        header.addWidget(self.why_box)
        layout.addLayout(header)
        layout.addWidget(self.entry)
        layout.addWidget(self.tokens_label)
        layout.addWidget(self.phrase_label)
        layout.addWidget(self.verdict)
        layout.addWidget(self.runs_label)
        layout.addWidget(self.pages, 1)

    @property
    def text(self) -> str:
        return self.view_state.text

    def _show_text(self, text: str) -> None:
        """The sentence set elsewhere (a script, a saved session) is shown in the entry."""
        if text != self.entry.text():
            self.entry.setText(text)
            self.debounce.stop()

    def _show_selection(self) -> None:
        """The selection set elsewhere (a script) is shown in the entry; then its units."""
        start, length = self.view_state.selection
        if start >= 0 and (self.entry.selectionStart(), self.entry.selectionLength()) != (
            start,
            length,
        ):
            self.entry.setSelection(start, length)
        self._show_phrase_units()

    def show_overview(self, overview) -> None:
        """A new experiment: no answer, samples or runs' answers of the old one's weights stay
        (the new weights' come with the next draw)."""
        self.context = self.shown = self.saliency = None
        self.saliency_timer.stop()
        self.verdict.setText("")
        self._show_runs(())
        self.next_view.clear()

    def take_focus(self) -> bool:
        self.entry.setFocus()
        self.entry.selectAll()
        return True

    def draw(self, context: PanelContext) -> None:
        snapshot = context.snapshot
        if snapshot is None or context.probe is None:
            return
        self._set_language_model(snapshot.model.is_language_model)
        if snapshot.classes != self.rows.classes:
            self.rows.build(snapshot.classes)
        self.context = context
        self.show_probe(context.probe, snapshot)
        self._show_pinned(context)
        self.saliency_timer.start()
        self._show_runs(context.runs)
        self._show_phrase_units()

    def _set_language_model(self, on: bool) -> None:
        """A language model: the next token and samples in place of the class bars, and the
        words coloured by surprise in place of saliency."""
        if on == self.language_model:
            return
        self.language_model = on
        self.pages.setCurrentIndex(1 if on else 0)
        self.why_title.setVisible(not on)
        self.why_box.setVisible(not on)
        self.entry.setPlaceholderText("Type the start of a sentence…" if on else "Type a sentence…")
        self.tokens_label.setToolTip(
            "Surprise of each token: −log p(token | <s> and the tokens before it), darker where "
            "the model expected it least (unknown tokens struck through)."
            if on
            else ""
        )

    def _show_runs(self, runs) -> None:
        """One coloured line per run beside this one: its prediction for the typed sentence."""
        lines = []
        for run in runs:
            final = run.probe.final if run.probe is not None else None
            if final is None:
                continue
            best = int(np.argmax(final))
            snapshot = run.view.snapshot
            answer = (
                f"next “{shown_token(snapshot.vocab.tokens[best])}”"
                if run.probe.surprise is not None
                else snapshot.classes[best]
            )
            lines.append(
                f'<span style="color:{run.colour}">■</span> {html.escape(run.label)}: '
                f"{html.escape(answer)} ({percent(final[best])})"
            )
        self.runs_label.setVisible(bool(lines))
        text = "<br>".join(lines)
        if text != self.runs_label.text():
            self.runs_label.setText(text)

    def _show_pinned(self, context: PanelContext) -> None:
        """A's answer beside the one shown (B): on the bars and dashed in the plot, or a
        language model's next token after B's."""
        pinned, a = context.pinned, context.pinned_probe
        b = context.probe
        compared = (  # A of another model (a tick before its overview came) is not compared
            pinned is not None
            and a is not None
            and b is not None
            and a.final is not None
            and b.final is not None
            and a.final.shape == b.final.shape
            and a.tokens == b.tokens
        )
        title = f"{OPINION} · A (step {pinned.step:,}) dashed" if compared else OPINION
        if title != self.opinion_title:  # a new title re-lays out the plot: only on change
            self.opinion_title = title
            self.plot.setTitle(title, size="10pt")
        if not compared:
            self.rows.show_pinned(np.arange(0), None)
        elif self.language_model:
            best = int(np.argmax(a.final))
            token = shown_token(context.snapshot.vocab.tokens[best])
            said = f" · A (step {pinned.step:,}): “{token}” ({percent(a.final[best])})"
            self.verdict.setText(self.verdict.text() + said)
        else:
            drawn, start = a.last(MAX_DRAWN_WORDS)
            self.rows.show_pinned(np.arange(start, start + len(drawn.tokens)), drawn.probs)

    def _explain(self) -> Saliency | None:
        """The chosen saliency of the typed sentence under the newest weights (None: off)."""
        method = self.why_box.currentData()
        snapshot = self.context.snapshot if self.context else None
        if not method or snapshot is None or self.language_model:
            return None
        return explain(snapshot.model, snapshot.vocab, self.text, method, last=SALIENCY_WORDS)

    def _recolour(self) -> None:
        """The saliency of the sentence shown, under the newest weights, on its words."""
        if self.context is None or self.shown is None:
            return
        self.saliency = self._explain()
        self._show_tokens(self.shown)

    def _show_phrase_units(self) -> None:
        """The units the selected words switch on, as links to the unit inspector (the
        selection is read with the model's own tokenizer; nothing is tokenized without one)."""
        result = self.shown
        if result is None or self.view_state.selection[0] < 0 or not len(result.tokens):
            self._set_phrase_text("<i>Select words above to find the units they switch on.</i>")
            return
        first, stop = self.view_state.selected_tokens() or (0, 0)
        if stop <= first:
            self._set_phrase_text("<i>The selection holds no whole word.</i>")
            return
        ranked = units_for_span(result.states, first, stop, PHRASE_UNITS)
        phrase = html.escape(" ".join(result.tokens[first:stop]))
        links = ", ".join(
            f'<a href="{r["unit"]}">unit {r["unit"]}</a> ({r["score"]:+.2f})' for r in ranked
        )
        self._set_phrase_text(f"“{phrase}” switches on {links}")

    def _set_phrase_text(self, text: str) -> None:
        if text != self.phrase_label.text():  # rich text is re-parsed on every setText
            self.phrase_label.setText(text)

    def show_probe(self, result: Probe, snapshot: Snapshot) -> None:
        """Bars for the whole sentence; the opinion after each word and the tokens for at most its
        last MAX_DRAWN_WORDS words."""
        self.shown = result
        drawn, start = self._show_tokens(result)
        final = result.final
        if self.language_model:
            self._show_next(result, snapshot)
            return
        x = np.arange(start, start + len(drawn.tokens))
        self.rows.show(final, x, drawn.probs)
        if final is None:
            self.verdict.setText("")
            set_ticks(self.plot.getAxis("bottom"), [])
            return
        best = int(np.argmax(final))
        self.verdict.setText(  # plain text: a rich one is re-parsed on every step
            f"Prediction: {self.rows.classes[best]} ({percent(final[best])}) {weights_at(snapshot)}"
        )
        bottom = self.plot.getAxis("bottom")
        words = list(zip(x.tolist(), drawn.tokens, strict=True))
        set_ticks(bottom, word_ticks(bottom, words, self.plot.getViewBox().width()))
        set_view(self.plot, (start - 0.5, start + len(drawn.tokens) - 0.5), padding=0.02)

    def _show_tokens(self, result: Probe) -> tuple[Probe, int]:
        """The token line of (the last MAX_DRAWN_WORDS words of) `result`; returns them and the
        position of the first."""
        drawn, start = result.last(MAX_DRAWN_WORDS)
        tokens = self._tokens_html(drawn, start, len(result.tokens))
        if tokens != self.tokens_label.text():  # rich text is re-parsed on every setText
            self.tokens_label.setText(tokens)
        return drawn, start

    def _show_next(self, result: Probe, snapshot: Snapshot) -> None:
        following = result.final
        best = int(np.argmax(following))
        token = shown_token(snapshot.vocab.tokens[best])
        self.verdict.setText(f"Next: “{token}” ({following[best]:.1%}) {weights_at(snapshot)}")
        self.next_view.present(result, snapshot, self.text)

    def _tokens_html(self, result: Probe, start: int, total: int) -> str:
        """The drawn tokens, unknown ones struck through; says what was not drawn or was cut."""
        if not result.tokens:
            return "<i>no words yet</i>"
        scores = colours = None
        saliency = self.saliency
        if result.surprise is not None:  # a language model: how surprised it was by each token
            scores, colours = result.surprise, (self.theme.test, self.theme.test)
        elif saliency is not None and saliency.tokens == self.shown.tokens:  # not a stale one
            scores = saliency.scores[start:]
            ranked = np.argsort(-saliency.probs)
            against = int(ranked[1]) if len(ranked) > 1 else saliency.target
            colours = (self.rows.colour(saliency.target), self.rows.colour(against))
        words = words_html(
            result.tokens,
            result.unknown,
            scores,
            colours or ("", ""),
            self.tokens_label.palette().color(QPalette.ColorRole.Window).name(),
            self.tokens_label.palette().color(QPalette.ColorRole.WindowText).name(),
            self.theme.warning,
            separator="" if self._characters() else " ",
        )
        warn = f'<span style="color:{self.theme.warning};">'
        n_unknown = int(result.unknown.sum())
        notes = []
        if n_unknown:
            notes.append(
                f"{n_unknown} unknown word{'s' if n_unknown > 1 else ''} (read as &lt;unk&gt;)"
            )
        if start:
            notes.append(f"showing the last {len(result.tokens)} of {total:,} words")
        if len(self.text) >= MAX_TYPED_CHARS:
            notes.append(f"the text was cut at {MAX_TYPED_CHARS:,} characters")
        note = f" {warn}· {' · '.join(notes)}</span>" if notes else ""
        prefix = "Tokens: … " if start else "Tokens: "
        if result.surprise is not None:
            prefix = "Surprise: … " if start else "Surprise: "
        return prefix + words + note

    def _characters(self) -> bool:
        snapshot = self.context.snapshot if self.context else None
        return snapshot is not None and snapshot.level == "char" and self.language_model
