"""How counts and figures read in the text rnnviz prints: "1 epoch" but "2 epochs", class counts
as "negative: 1,320, positive: 1,320", and figures rounded to what the largest of them makes
meaningful (no "-4.46e-10" beside 0.401)."""

import math
from collections.abc import Sequence


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """ "1 epoch", "2 epochs", "1,320 sentences" (nouns: an irregular plural)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def class_summary(classes: Sequence[str], counts: Sequence[int]) -> str:
    """ "1: 105, 5: 95": each class with its number of examples (a class named by a number
    cannot be read as a count)."""
    return ", ".join(f"{name}: {int(n):,}" for name, n in zip(classes, counts, strict=True))


def relative_figures(values: Sequence[float], digits: int = 3) -> list[str]:
    """Each value with the decimals that give the largest |value| `digits` significant digits,
    signed; a value that rounds to zero there is "0" (numerical noise such as -4.46e-10 beside
    0.401 is shown as what it is: nothing). NaN stays "nan"."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    largest = max(finite, default=0.0)
    if largest == 0:
        return ["nan" if math.isnan(v) else "0" for v in values]
    decimals = max(0, digits - 1 - math.floor(math.log10(largest)))
    shown = []
    for v in values:
        text = f"{v:+.{decimals}f}"
        if math.isnan(v):
            text = "nan"
        elif float(text) == 0:
            text = "0"
        shown.append(text)
    return shown


def bytes_text(n: float) -> str:
    """A size for a message: '512 bytes', '3.2 MB', '1.5 GB' (powers of 1024)."""
    value, unit = float(n), "bytes"
    for bigger in ("KB", "MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.0f} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
