"""The typed sentence as rich text: each word's background says how much it pushes the model
towards the predicted class (its colour) or away from it (the other class's colour)."""

import html

import numpy as np
from PySide6.QtGui import QColor

STRONGEST = 0.8  # opacity of the word with the largest |score|


def blend(colour: str, background: str, opacity: float) -> str:
    """colour over background at `opacity` in [0, 1], as an opaque #rrggbb (rich text has no
    alpha)."""
    top, bottom = QColor(colour), QColor(background)
    mix = [
        round(opacity * a + (1 - opacity) * b)
        for a, b in zip(top.getRgb()[:3], bottom.getRgb()[:3], strict=True)
    ]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def words_html(
    tokens: list[str],
    unknown: np.ndarray,
    scores: np.ndarray | None,
    colours: tuple[str, str],
    background: str,
    warning: str,
    separator: str = " ",
) -> str:
    """Tokens joined by `separator`; with scores (NaN: not scored), a background of colours[0]
    (score > 0, for the class) or colours[1] (< 0, against it), opacity |score| / max |score|;
    unknown words struck through in the warning colour."""
    scale = 0.0
    if scores is not None and np.isfinite(scores).any():
        scale = float(np.nanmax(np.abs(scores)))
    parts = []
    for t, (token, unk) in enumerate(zip(tokens, unknown, strict=True)):
        word = html.escape(token)
        style = []
        if unk:
            style.append(f"color:{warning}; text-decoration:line-through")
        score = scores[t] if scores is not None else np.nan
        if scale > 0 and np.isfinite(score) and score != 0:
            fill = blend(
                colours[0] if score > 0 else colours[1], background, STRONGEST * abs(score) / scale
            )
            style.append(f"background-color:{fill}")
        parts.append(f'<span style="{"; ".join(style)}">{word}</span>' if style else word)
    return separator.join(parts)
