"""The one JSON reader for what rnnviz reads from files: data lines, checkpoint metadata, remembered
settings. Every way a hostile text can fail is one JsonError with a reason, for the caller to
name the file (and line): not JSON, a number beyond Python's integer digit limit, nesting deeper
than the interpreter's stack, NaN and infinities (not JSON, though Python writes them), and an
object naming a key twice (Python keeps the last silently).
"""

import json
import math
import sys
from typing import Any


class JsonError(ValueError):
    """Why a text is refused as JSON (without the file: the caller knows it)."""


def read_json(text: str) -> Any:
    """The value `text` holds, as json.loads reads it, or JsonError."""
    try:
        return json.loads(
            text,
            parse_constant=_no_constant,
            parse_float=_finite_float,
            object_pairs_hook=_distinct_keys,
        )
    except JsonError:
        raise
    except json.JSONDecodeError as error:
        raise JsonError(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise JsonError("not readable JSON (nested too deeply)") from None
    except ValueError:  # int() past sys.get_int_max_str_digits(), the only other ValueError
        limit = sys.get_int_max_str_digits()
        raise JsonError(f"not readable JSON (a number of more than {limit} digits)") from None


def _no_constant(name: str) -> float:
    raise JsonError(f"not valid JSON ({name} is not a JSON number)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonError(f"not valid JSON (the number {text[:20]} is beyond floating point)")
    return value


def _distinct_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for key, value in pairs:
        if key in record:
            raise JsonError(f"the key {key!r} appears twice in an object")
        record[key] = value
    return record
