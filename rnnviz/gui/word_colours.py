"""The typed sentence as rich text: each word's background says how much it pushes the model
towards the predicted class (its colour) or away from it (the other class's colour)."""

import html

import numpy as np
from PySide6.QtGui import QColor

STRONGEST = 0.8  # opacity of the word with the largest |score|
MIN_CONTRAST = 4.5  # WCAG AA for text: a word must stay readable on its background


def blend(colour: str, background: str, opacity: float) -> str:
    """colour over background at `opacity` in [0, 1], as an opaque #rrggbb (rich text has no
    alpha)."""
    top, bottom = QColor(colour), QColor(background)
    mix = [
        round(opacity * a + (1 - opacity) * b)
        for a, b in zip(top.getRgb()[:3], bottom.getRgb()[:3], strict=True)
    ]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def luminance(colour: str) -> float:
    """WCAG relative luminance: 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels."""
    channels = []
    for c in QColor(colour).getRgbF()[:3]:
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio (L_light + 0.05) / (L_dark + 0.05), 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def legible(colour: str, background: str) -> str:
    """colour, or the least shift of it towards black or white (whichever stands out more on
    background) that reads on background with a contrast of at least MIN_CONTRAST (black or
    white always does: their contrasts multiply to 21)."""
    extreme = max("#000000", "#ffffff", key=lambda e: contrast(e, background))
    for step in range(21):
        shifted = blend(extreme, colour, step / 20)
        if contrast(shifted, background) >= MIN_CONTRAST:
            return shifted
    return extreme


def words_html(
    tokens: list[str],
    unknown: np.ndarray,
    scores: np.ndarray | None,
    colours: tuple[str, str],
    background: str,
    foreground: str,
    warning: str,
    separator: str = " ",
) -> str:
    """Tokens joined by `separator`; with scores (NaN: not scored), a background of colours[0]
    (score > 0, for the class) or colours[1] (< 0, against it), opacity |score| / max |score|;
    unknown words struck through in the warning colour. A word's text colour (foreground, or
    warning) is made legible on its background."""
    scale = 0.0
    if scores is not None and np.isfinite(scores).any():
        scale = float(np.nanmax(np.abs(scores)))
    parts = []
    for t, (token, unk) in enumerate(zip(tokens, unknown, strict=True)):
        word = html.escape(token)
        style = []
        fill = background
        score = scores[t] if scores is not None else np.nan
        if scale > 0 and np.isfinite(score) and score != 0:
            fill = blend(
                colours[0] if score > 0 else colours[1], background, STRONGEST * abs(score) / scale
            )
        text = legible(warning if unk else foreground, fill)
        if text != foreground:
            style.append(f"color:{text}")
        if unk:
            style.append("text-decoration:line-through")
        if fill != background:
            style.append(f"background-color:{fill}")
        parts.append(f'<span style="{"; ".join(style)}">{word}</span>' if style else word)
    return separator.join(parts)
