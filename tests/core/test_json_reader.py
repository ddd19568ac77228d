"""The one JSON reader: every hostile text is one JsonError with its reason, never a ValueError
or RecursionError from deep inside json; each reader of files names the file (and the line)."""

import json

import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.errors import DatasetError
from rnnviz.core.json_reader import JsonError, read_json

DEEP = 100_000
HOSTILE = {  # JSON text -> what the refusal says
    "a 5,000-digit integer": ("9" * 5000, "a number of more than 4300 digits"),
    "a 5,000-digit negative integer": ("-" + "1" * 5000, "a number of more than 4300 digits"),
    "arrays nested 100,000 deep": ("[" * DEEP + "]" * DEEP, "nested too deeply"),
    "objects nested 100,000 deep": ('{"a":' * DEEP + "1" + "}" * DEEP, "nested too deeply"),
    "NaN": ('{"x": NaN}', "NaN is not a JSON number"),
    "Infinity": ("[Infinity]", "Infinity is not a JSON number"),
    "-Infinity": ("-Infinity", "-Infinity is not a JSON number"),
    "a float beyond the range": ("1e999", "the number 1e999 is beyond floating point"),
    "a key given twice": ('{"text": "a", "text": "b"}', "the key 'text' appears twice"),
    "not JSON": ("{'text': 'a'}", "not valid JSON (Expecting property name"),
    "cut short": ('{"text": "a', "not valid JSON (Unterminated string"),
    "empty": ("", "not valid JSON (Expecting value at column 1)"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_text_is_one_reason(case):
    text, reason = HOSTILE[case]
    with pytest.raises(JsonError) as refused:
        read_json(text)
    assert reason in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.parametrize(
    "text",
    [
        '{"text": "a", "label": "pos"}',
        '[1, -2, 3.5, 1e300, -0.0, true, false, null, "\\u00e9"]',
        "9" * 4300,  # at the limit
        "[" * 500 + "]" * 500,
        '{"a": {"a": 1}}',  # the same key in two objects
    ],
)
def test_ordinary_json_reads_as_json_does(text):
    assert read_json(text) == json.loads(text)


JSONL_LINES = {  # a bad second line of a JSON Lines file -> what the refusal says
    "5,000-digit label": ('{"text": "bad", "label": ' + "9" * 5000 + "}", "4300 digits"),
    "5,000-digit key value": ('{"text": "bad", "label": "neg", "n": ' + "1" * 5000 + "}", "4300"),
    "deep label": ('{"text": "bad", "label": ' + "[" * DEEP + "]" * DEEP + "}", "nested too"),
    "deep text": ('{"text": ' + '{"a":' * DEEP + "1" + "}" * DEEP + ', "label": "neg"}', "nested"),
    "NaN label": ('{"text": "bad", "label": NaN}', "NaN is not a JSON number"),
    "Infinity label": ('{"text": "bad", "label": Infinity}', "Infinity is not a JSON number"),
    "text given twice": ('{"text": "bad", "text": "good", "label": "neg"}', "'text' appears twice"),
    "not JSON": ('{"text": "bad" "label": "neg"}', "not valid JSON (Expecting ',' delimiter"),
}


@pytest.mark.parametrize("case", list(JSONL_LINES))
def test_json_lines_data_names_file_line_and_reason_or_skips_it(case, tmp_path):
    line, reason = JSONL_LINES[case]
    path = tmp_path / "data.jsonl"
    good = ['{"text": "great fun", "label": "pos"}', '{"text": "awful mess", "label": "neg"}'] * 4
    path.write_text("\n".join([good[0], line, *good]) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as refused:
        load([str(path)])
    assert str(refused.value).startswith(f"{path}, line 2: ") and reason in str(refused.value)
    lenient = load([str(path)], lenient=True)
    assert len(lenient) == 9 and "skipped 1 malformed line" in lenient.notes[0]
