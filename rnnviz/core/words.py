"""How counts and figures read in the text rnnviz prints: "1 epoch" but "2 epochs", class counts
as "negative: 1,320, positive: 1,320" (of 10,000 classes the 8 largest and "+9,992 more
classes"), and figures rounded to what the largest of them makes meaningful (no "-4.46e-10"
beside 0.401), probabilities with the digits a small one needs."""

import math
from collections.abc import Sequence

MOST_LISTED = 8  # what a line of text names one by one (classes, say); the rest are counted


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """ "1 epoch", "2 epochs", "1,320 sentences" (nouns: an irregular plural)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def percent(p: float) -> str:
    """ "66.0%"; under 0.1% two significant digits, "0.012%" (of 10,000 classes the likeliest may
    have 0.05%: "0.0%" would read as none)."""
    if p >= 0.001 or p <= 0:
        return f"{p:.1%}"
    return f"{100 * p:.{1 - math.floor(math.log10(100 * p))}f}%"


def listed(items: Sequence[str], noun: str) -> str:
    """ "a, b, c": the items, at most MOST_LISTED of them, then "+N more {noun}" (never "+1 more":
    the item itself takes no more room)."""
    if len(items) <= MOST_LISTED + 1:
        return ", ".join(items)
    return ", ".join(items[:MOST_LISTED]) + f", +{len(items) - MOST_LISTED:,} more {noun}"


def class_summary(classes: Sequence[str], counts: Sequence[int]) -> str:
    """ "1: 105, 5: 95": each class with its number of examples (a class named by a number
    cannot be read as a count); of many classes the MOST_LISTED largest, then how many more."""
    order = list(range(len(classes)))
    if len(classes) > MOST_LISTED + 1:
        order = sorted(order, key=lambda i: -counts[i])
    return listed([f"{classes[i]}: {int(counts[i]):,}" for i in order], "classes")


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
