"""Every command of the README's "Command line" block, run as a user would (installed command,
empty folder), for three seeds, with the outcome each line's comment promises."""

import csv
import json
import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
CLASSES = ("positive", "negative")
SENTENCES = "the food was great\nthe service was not friendly at all\n"


def command_lines(heading: str = "## Command line") -> list[tuple[list[str], str]]:
    """(argv after `rnnviz`, comment) for each line of the bash block under `heading`."""
    section = README.read_text(encoding="utf-8").split(heading, 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    lines = []
    for line in block.strip().splitlines():
        command, _, comment = line.partition("  #")
        argv = shlex.split(command)
        assert argv[0] == "rnnviz", line
        lines.append((argv[1:], comment.strip()))
    return lines


def write_user_files(folder: Path) -> None:
    """The files the README's examples name (reviews.csv, more.jsonl, sentences.txt), made from
    the bundled tiny sentences, as a user's own data would be."""
    data = Path(__file__).resolve().parent.parent / "data" / "tiny" / "train.tsv"
    rows = [line.split("\t") for line in data.read_text(encoding="utf-8").splitlines()[1:]]
    with (folder / "reviews.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["text", "label"])
        writer.writerows(rows[:40])
    records = [json.dumps({"text": text, "label": label}) for text, label in rows[40:]]
    (folder / "more.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    (folder / "sentences.txt").write_text(SENTENCES, encoding="utf-8")


def test_the_block_is_what_this_test_reads():
    lines = command_lines()
    assert len(lines) >= 8 and {argv[0] for argv, _ in lines} == {
        "train",
        "predict",
        "eval",
        "gradcheck",
        "export",
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_readme_command_line_examples(installed_rnnviz, tmp_path, seed):
    write_user_files(tmp_path)
    for argv, comment in command_lines():
        if argv[0] == "train":
            argv = [*argv, "--seed", str(seed)]
        done = installed_rnnviz(*argv, cwd=tmp_path)
        shown = f"rnnviz {shlex.join(argv)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert done.returncode == 0, shown
        assert "Traceback" not in done.stderr, shown
        if "--json" in argv:
            events = [json.loads(line) for line in done.stdout.splitlines()]
            assert events, shown
        if argv[0] == "train" and "--json" in argv:
            assert events[-1]["event"] == "summary" and "test_acc" in events[-1]
            assert [e["event"] for e in events[:-1]] == ["epoch"] * (len(events) - 1)
        if comment in CLASSES:
            assert argv[0] == "predict"
            predicted = installed_rnnviz(*argv, "--json", cwd=tmp_path)
            assert json.loads(predicted.stdout)["prediction"] == comment, shown
        accuracy = re.search(r"test accuracy (\d\.\d+)", comment)
        if accuracy:
            assert f"test accuracy {accuracy.group(1)}" in done.stdout, shown
        if argv[0] == "eval":
            assert "confusion" in done.stdout and "ECE" in done.stdout, shown
        if "--input" in argv:
            rows = list(csv.reader(done.stdout.splitlines()))
            assert rows[0][:2] == ["text", "prediction"] and len(rows) == 3, shown
            assert [r[1] for r in rows[1:]] == ["positive", "negative"], shown
        if argv[0] == "gradcheck":
            assert events[-1]["passed"] is True, shown
        if "--metrics" in argv:
            assert (tmp_path / argv[argv.index("--metrics") + 1]).is_file()
        if "--save" in argv:
            assert (tmp_path / argv[argv.index("--save") + 1]).is_file()
        if argv[0] == "export":
            written = tmp_path / argv[-1]
            assert written.is_file() and written.with_suffix(".json").is_file()


def test_readme_seeing_inside_examples(installed_rnnviz, tmp_path):
    """The "Seeing inside" block: explain, units and compare on a freshly trained model."""
    lines = command_lines("## Seeing inside")
    assert {argv[0] for argv, _ in lines} == {"train", "explain", "units", "compare"}
    for argv, _ in lines:
        done = installed_rnnviz(*argv, cwd=tmp_path)
        shown = f"rnnviz {shlex.join(argv)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert done.returncode == 0 and "Traceback" not in done.stderr, shown
        events = [json.loads(line) for line in done.stdout.splitlines()] if "--json" in argv else []
        if argv[0] == "explain" and not events:
            assert done.stdout.startswith("negative"), shown
            assert [line.split()[0] for line in done.stdout.splitlines()[1:]] == (
                ["the", "food", "was", "not", "good", "at", "all"]
            ), shown
        if argv[0] == "explain" and events:
            words = events[0]["words"]
            assert events[0]["class"] == "positive" and len(words) == 5, shown
        if "--unit" in argv:
            assert "unit 7, most positive:" in done.stdout and "[" in done.stdout, shown
        if "--words" in argv:
            assert done.stdout.startswith('units that "not" switches on'), shown
        if argv[0] == "compare":
            *epochs, summary = events
            assert len(epochs) == 5 and list(summary["runs"]) == ["cell=vanilla", "cell=lstm"]


def test_readme_language_model_examples(installed_rnnviz, tmp_path):
    """The language-model block: train on the bundled corpus, sample, eval, check, export."""
    lines = command_lines("## Language model")
    assert {argv[0] for argv, _ in lines} == {"train", "sample", "eval", "gradcheck", "export"}
    for argv, _ in lines:
        done = installed_rnnviz(*argv, cwd=tmp_path)
        shown = f"rnnviz {shlex.join(argv)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert done.returncode == 0 and "Traceback" not in done.stderr, shown
        events = [json.loads(line) for line in done.stdout.splitlines()] if "--json" in argv else []
        if argv[0] == "train":
            found = re.search(
                r"Test perplexity ([\d.]+) \(unigram baseline ([\d.]+)\)", done.stdout
            )
            assert found and float(found.group(1)) < float(found.group(2)) / 5, shown
        if argv[0] == "sample" and events:
            assert len(events[0]["next"]) == 10 and len(events[0]["samples"]) == 5, shown
        elif argv[0] == "sample":
            assert done.stdout.count("  the old fisherman ") == 3, shown
        if argv[0] == "eval":
            assert "Perplexity" in done.stdout, shown
        if argv[0] == "gradcheck":
            assert events[-1]["passed"] is True, shown
        if argv[0] == "export":
            assert (tmp_path / "stories.onnx").is_file() and (tmp_path / "stories.json").is_file()
