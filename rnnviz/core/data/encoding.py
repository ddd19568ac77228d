"""How a text file's bytes become text: its byte-order mark, else UTF-16 told by where its NUL
bytes fall, else UTF-8 if most lines holding non-ASCII bytes are valid UTF-8, else latin-1.

A file is decoded as one whole, never line by line in different encodings: a stray bad byte among
valid UTF-8 lines is one replaced character on a named line, not a reason to read every "café"
as "cafÃ©".
"""

import codecs
import re

BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
SNIFF_BYTES = 1 << 16  # NUL bytes are counted in the first 64 KiB
NUL_SHARE = 0.25  # UTF-16 without a mark: at least this share of one parity's bytes are NUL ...
OTHER_PARITY = 0.1  # ... and the other parity has fewer than this share of that many
SHOWN_LINES = 5  # bad lines named in a note
_ESCAPED = re.compile("[\udc80-\udcff]")  # the bytes surrogateescape could not decode


def decode(data: bytes, name: str, complete: bool = True) -> tuple[str, str | None]:
    """(text, note): the note (None when there is nothing to say) tells how the file was read.
    complete=False: `data` is the start of a longer file, so a character cut at its end is not an
    error (it is left out)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _decoded(data[len(bom) :], encoding, name, complete)
    utf16 = _utf16_by_nul_bytes(data[:SNIFF_BYTES])
    if utf16:
        text, note = _decoded(data, utf16, name, complete)
        mark = f"{name} has no byte-order mark, but its NUL bytes say {utf16.upper()}"
        return text, f"{mark}: read as such" + (f"; {note}" if note else "")
    return _utf8_or_latin1(data, name, complete)


def _decoded(data: bytes, encoding: str, name: str, complete: bool) -> tuple[str, str | None]:
    """`data` in `encoding`, bad bytes replaced by U+FFFD (and then a note)."""
    try:
        return _incremental(data, encoding, "strict", complete), None
    except UnicodeDecodeError:
        text = _incremental(data, encoding, "replace", complete)
        return text, f"{name} is not valid {encoding.upper()}: bad bytes read as U+FFFD"


def _incremental(data: bytes, encoding: str, errors: str, complete: bool) -> str:
    return codecs.getincrementaldecoder(encoding)(errors).decode(data, final=complete)


def _utf16_by_nul_bytes(sample: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when NUL bytes sit on one parity only, as the high bytes of
    Latin characters do in UTF-16 (UTF-8 text holds no NUL bytes, bar a stray one), else None."""
    pairs = len(sample) // 2
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    high, low = max(even, odd), min(even, odd)
    if not pairs or high < NUL_SHARE * pairs or low >= OTHER_PARITY * high:
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def _utf8_or_latin1(data: bytes, name: str, complete: bool) -> tuple[str, str | None]:
    """UTF-8 when valid, or when the lines holding non-ASCII characters that are valid UTF-8
    outnumber the lines that are not (those are named, their bad bytes U+FFFD); else latin-1."""
    try:
        return _incremental(data, "utf-8", "strict", complete), None
    except UnicodeDecodeError:
        pass
    text = _incremental(data, "utf-8", "surrogateescape", complete)
    lines = text.split("\n")
    bad = [number for number, line in enumerate(lines, start=1) if _ESCAPED.search(line)]
    valid = sum(not line.isascii() for line in lines) - len(bad)
    more = f", ... ({len(bad)} in all)" if len(bad) > SHOWN_LINES else ""
    shown = ", ".join(map(str, bad[:SHOWN_LINES])) + more
    which = f"line {shown} is" if len(bad) == 1 else f"lines {shown} are"
    if valid > len(bad):
        note = f"{name}: {which} not valid UTF-8, unlike the rest: bad bytes read as U+FFFD"
        return _ESCAPED.sub("\ufffd", text), note
    note = f"{name} is not valid UTF-8 ({which} not); read as latin-1"
    return data.decode("latin-1"), note
