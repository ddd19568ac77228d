"""Validated numbers for command-line options: argparse types that refuse what the command
cannot use (NaN, infinity, out of range, not a number) with the option's range in one line."""

import argparse
import math
from collections.abc import Callable

SEED_RANGE = (0, 2**32 - 1)  # NumPy's generators take seeds in [0, 2^32)
MAX_SCREEN = (7680, 4320)  # 8K UHD: a larger picture needs gigabytes (4 bytes a pixel)
MIN_SCREEN = (320, 240)


def whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer n with low <= n <= high."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low:,} to {high:,}, not {_quoted(text)}"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be from {low:,} to {high:,}, not {_shown(value)}"
            )
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


def real(low: float, high: float, low_open: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number x with low <= x <= high (low < x when low_open)."""
    bound = f"above {_number(low)}" if low_open else f"from {_number(low)}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number {bound} to {_number(high)}, not {_quoted(text)}"
            ) from None
        below = value <= low if low_open else value < low
        if not math.isfinite(value) or below or value > high:  # NaN fails isfinite
            raise argparse.ArgumentTypeError(
                f"must be a number {bound} to {_number(high)}, not {_quoted(text)}"
            )
        return value

    parse.__name__ = "number"
    return parse


seed = whole(*SEED_RANGE)  # an argparse type: a random seed


def screen_size(text: str) -> tuple[int, int]:
    """An argparse type: WIDTHxHEIGHT in pixels, from MIN_SCREEN to MAX_SCREEN."""
    parts = text.lower().replace("×", "x").split("x")
    low, high = MIN_SCREEN, MAX_SCREEN
    shape = f"WIDTHxHEIGHT from {low[0]}x{low[1]} to {high[0]}x{high[1]}"
    try:
        width, height = (int(p.strip()) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {shape}, not {_quoted(text)}") from None
    if not (low[0] <= width <= high[0] and low[1] <= height <= high[1]):
        raise argparse.ArgumentTypeError(f"must be {shape}, not {_quoted(text)}")
    return width, height


def _number(value: float) -> str:
    """A bound for a message: 1,048,576 rather than 1.04858e+06; 0.001 as it is."""
    return f"{int(value):,}" if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def _quoted(text: str, shown: int = 40) -> str:
    """The user's text for a message, quoted; a long one cut, with its length."""
    if len(text) <= shown:
        return repr(text)
    return f"{text[:shown]!r}... ({len(text):,} characters)"


def _shown(value: int) -> str:
    """An integer for a message: a huge one by its digit count (it may be thousands long)."""
    digits = len(str(abs(value)))
    return f"{value:,}" if digits <= 24 else f"a {digits}-digit number"
