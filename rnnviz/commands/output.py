"""Where a command's words go: JSON Lines on stdout with --json, human text elsewhere.

With --json, stdout carries JSON and nothing else (one object per line), so `rnnviz train --json |
jq` works; the human-readable lines then go to stderr. --quiet silences the human lines (errors
still reach stderr). Notes about the input always go to stderr.

Every human line passes through printable(): text from a file (a class name, a vocabulary token, a
sentence) or typed by the user can hold terminal escapes and line breaks, which must reach the
terminal as visible escapes, never as a retitled window, a cleared screen or a forged line.
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from ..core.errors import RnnvizError
from ..core.words import bytes_text

MIN_FREE_BYTES = 1 << 20  # what a model, a CSV or a picture needs at the least

# C0 controls but the tab, DEL, C1 controls, the Arabic letter mark, LRM/RLM, the line and paragraph
# separators, bidi embeddings, overrides and isolates, and lone surrogates (undecodable file names)
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def printable(text: str) -> str:
    """`text` with each character that a terminal acts on, or that breaks or reorders a line,
    written as a visible escape: \\x1b, \\n, \\u202e (as Python writes them)."""
    return _UNPRINTABLE.sub(lambda m: _escape(m.group()), text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def add_output_arguments(parser: argparse.ArgumentParser, json_help: str) -> None:
    parser.add_argument("--json", action="store_true", help=json_help)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print no human-readable lines or progress bar"
    )


class Output:
    def __init__(self, json_lines: bool = False, quiet: bool = False):
        self.json_lines = json_lines
        self.quiet = quiet

    @classmethod
    def of(cls, args: argparse.Namespace) -> "Output":
        return cls(getattr(args, "json", False), getattr(args, "quiet", False))

    @property
    def human_stream(self):
        return sys.stderr if self.json_lines else sys.stdout

    def say(self, line: str = "") -> None:
        """A human-readable line (stdout, or stderr under --json; nothing under --quiet)."""
        if not self.quiet:
            print(printable(line), file=self.human_stream, flush=True)

    def note(self, line: str) -> None:
        """Something the user should know about the input: always on stderr."""
        if not self.quiet:
            print(f"note: {printable(line)}", file=sys.stderr, flush=True)

    def record(self, payload: dict) -> None:
        """One JSON object on its own stdout line (only under --json)."""
        if self.json_lines:
            print(json.dumps(payload), flush=True)


MANY_UNKNOWN = 0.2  # a share of <unk> tokens above which a model's figures say little


def note_unknown(out: Output, share: float, what: str) -> None:
    """A note when more than MANY_UNKNOWN of the tokens of `what` are outside the model's
    vocabulary (a language model scored 71% <unk> without a word said)."""
    if share > MANY_UNKNOWN:
        out.note(
            f"{share:.0%} of the tokens of {what} are not in the model's vocabulary and are read "
            "as <unk>: the figures say little about this model (was it trained on other data?)"
        )


def checked_output_path(
    text: str | None, what: str, need_bytes: int = MIN_FREE_BYTES, into_folder: bool = False
) -> Path | None:
    """The path a command will write at its end, refused now (one line) if it cannot be written:
    an existing folder (a file, when `into_folder`: a folder to write into), a missing or read-only
    parent folder, a file system with less than `need_bytes` free."""
    if text is None:
        return None
    path = Path(text).expanduser()
    if path.is_dir() != into_folder and path.exists():
        kind = "a file" if into_folder else "a folder"
        raise RnnvizError(f"cannot write the {what} to {path}: it is {kind}")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise RnnvizError(f"cannot write the {what} to {path}: folder {folder} does not exist")
    if path.exists() and not os.access(path, os.W_OK):
        raise RnnvizError(f"cannot write the {what} to {path}: permission denied")
    try:  # access() says yes to root even where nothing can be created (/sys, /proc): try it
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise RnnvizError(f"cannot write the {what} to {path}: {reason}") from None
    if not path.exists() or path.is_file() or path.is_dir():  # a device is written in place
        free = shutil.disk_usage(folder).free
        if free < need_bytes:
            raise RnnvizError(
                f"cannot write the {what} to {path}: {bytes_text(free)} free on its disk, "
                f"{bytes_text(need_bytes)} needed"
            )
    return path
