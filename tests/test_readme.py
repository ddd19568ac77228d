"""Every command of the README's "Command line" block, run as a user would (installed command,
empty folder), for three seeds, with the outcome each line's comment promises; the set-up and
test commands, and the figures the README quotes that a test can measure."""

import csv
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from rnnviz.core.data.datasets import bundled_names
from rnnviz.core.data.tasks import TASKS

CHECKOUT = Path(__file__).resolve().parent.parent
README = CHECKOUT / "README.md"
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
    data = CHECKOUT / "data" / "tiny" / "train.tsv"
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
        "report",
    }


@pytest.mark.slow
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
        if argv[0] == "report":
            page = tmp_path / argv[argv.index("--out") + 1]
            assert page.stat().st_size > 2**20 and "Plotly.newPlot" in page.read_text(), shown


@pytest.mark.slow
def test_readme_seeing_inside_examples(installed_rnnviz, tmp_path):
    """The "Seeing inside" block: explain, units, compare and states on a freshly trained model."""
    lines = command_lines("## Seeing inside")
    assert {argv[0] for argv, _ in lines} == {"train", "explain", "units", "compare", "states"}
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
        if argv[0] == "states":
            assert "variance explained: PC1 " in done.stdout, shown
            assert (tmp_path / "states.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shown


@pytest.mark.slow
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
    # What the model of the block's train line learned: 30 continuations of each person
    samples = {}
    for topic, people in story_tables().STORY_PEOPLE.items():
        for person, pronoun, possessive in people:
            argv = ["sample", "--model", "stories.npz", "--prefix", person, "--temperature"]
            done = installed_rnnviz(*argv, "0.7", "-n", "30", "--json", cwd=tmp_path)
            samples[topic, person, pronoun, possessive] = json.loads(done.stdout)["samples"]
    measured = agreement(samples)
    text = " ".join(section("## Language model").split())
    for name, (agreeing, counted) in measured.items():
        quoted = re.search(rf"{name} agrees in (\d+) of (\d+)", text)
        assert quoted, f"the README's {name} agreement"
        rate, quoted_rate = agreeing / counted, int(quoted.group(1)) / int(quoted.group(2))
        assert abs(rate - quoted_rate) < 0.15, (name, measured, quoted.groups())


def section(heading: str) -> str:
    """The README's text under `heading`, up to the next heading of its level."""
    return README.read_text(encoding="utf-8").split(heading, 1)[1].split("\n## ", 1)[0]


def bash_block(heading: str) -> list[str]:
    """The lines of the first bash block under `heading`, comments removed."""
    block = re.search(r"```bash\n(.*?)```", section(heading), re.S).group(1)
    return [line.partition("  #")[0].strip() for line in block.strip().splitlines()]


@pytest.mark.slow
def test_the_set_up_works_where_pip_may_not_install_outside_a_virtual_environment(tmp_path):
    """The set-up line, verbatim, in a copy of the checkout: a virtual environment, then the
    install (Debian's own Python refuses `pip install .` outside one), then the command."""
    setup, start = bash_block("## Set up and run")
    assert setup.startswith("python3 -m venv .venv && . .venv/bin/activate && ") and start == (
        "rnnviz"
    )
    copy = tmp_path / "rnnviz"
    shutil.copytree(
        CHECKOUT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "build")
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    done = subprocess.run(
        ["bash", "-c", f"{setup} && rnnviz --version"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1].startswith("rnnviz ")
    assert (copy / ".venv" / "bin" / "rnnviz").is_file()


def test_the_test_commands_come_after_their_install_with_their_durations(pytestconfig):
    install, fast, full = bash_block("## Run the tests")
    assert install == "python -m pip install '.[test]'"
    assert fast == 'QT_QPA_PLATFORM=offscreen pytest -m "not slow"'
    assert full == "QT_QPA_PLATFORM=offscreen pytest"
    text = section("## Run the tests")
    assert re.search(r"the fast subset: [\d.]+ min", text) and re.search(
        r"every test: [\d.]+", text
    )
    assert any(m.startswith("slow:") for m in pytestconfig.getini("markers"))
    assert "--strict-markers" in pytestconfig.getini("addopts")  # a misspelt marker fails
    assert full in (CHECKOUT / ".ci" / "run").read_text(encoding="utf-8").splitlines()  # CI: all


def test_the_files_the_examples_read_are_said_to_be_the_users_own():
    """A file the command-line block reads that nothing bundled or written before it provides
    is the user's: the paragraph before the block says so, naming it."""
    made = set()
    read = []
    for argv, _ in command_lines():
        for option, value in zip(argv, argv[1:], strict=False):
            if option in ("--save", "--metrics"):
                made.add(value)
            elif option in ("--data", "--test", "--input", "--model") and value not in made:
                read.append(value)
        if argv[0] == "export":
            made.add(argv[-1])
    own = sorted({name for name in read if name not in bundled_names()})
    assert own == ["more.jsonl", "reviews.csv", "sentences.txt"], own
    intro = section("## Command line").split("```bash", 1)[0]
    assert "your own files" in intro and all(f"`{name}`" in intro for name in own), intro


def test_the_dataset_drop_down_lists_every_bundled_set():
    listed = re.search(
        r"Dataset drop-down: ((?:`\w+`, )+)a memory task \(\*\*(\w+)\*\* or \*\*(\w+)\*\*",
        README.read_text(),
    )
    assert listed, "the README's dataset drop-down line"
    assert re.findall(r"`(\w+)`", listed.group(1)) == bundled_names()
    assert [listed.group(2), listed.group(3)] == list(TASKS)  # the generated tasks


@pytest.mark.slow
def test_the_gradient_check_figures_are_what_gradcheck_prints(installed_rnnviz, tmp_path):
    """The README quoted 3.7e-8 where `rnnviz gradcheck --cell vanilla` printed 3.7e-9."""
    quoted = re.search(
        r"largest relative\s+error (\S+) vanilla, (\S+) GRU, (\S+) LSTM", README.read_text()
    )
    assert quoted, "the README's gradient-check figures"
    for cell, figure in zip(("vanilla", "gru", "lstm"), quoted.groups(), strict=True):
        done = installed_rnnviz("gradcheck", "--cell", cell, "--json", cwd=tmp_path)
        measured = json.loads(done.stdout.splitlines()[-1])["max_rel_error"]
        # two significant digits, as the README gives them; BLAS kernels move the last one
        assert abs(float(figure) / measured - 1) < 0.2, (cell, figure, measured)


def story_tables():
    """The stories grammar's tables (data/make_datasets.py): people, deeds, places, reasons."""
    spec = importlib.util.spec_from_file_location(
        "make_datasets", CHECKOUT / "data" / "make_datasets.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def agreement(samples: dict[tuple[str, str, str, str], list[str]]) -> dict[str, tuple[int, int]]:
    """(agreeing, counted) over continuations of each (topic, person, pronoun, possessive):
    "pronoun" in ", and he/she felt", "possessive" his/her before it, "topic" a continuation
    using no deed, object, place or reason word of another topic only."""
    grammar = story_tables()
    words = {
        topic: {
            w
            for phrase in [
                *(f"{verb} {thing}" for verb, thing in grammar.STORY_ACTS[topic]),
                *grammar.STORY_PLACES[topic],
                *grammar.STORY_REASONS[topic],
            ]
            for w in phrase.split()
        }
        - {w for time in grammar.STORY_TIMES for w in time.split()}
        for topic in grammar.STORY_ACTS
    }
    counts = {"pronoun": [0, 0], "possessive": [0, 0], "topic": [0, 0]}
    for (topic, _, pronoun, possessive), texts in samples.items():
        for text in texts:
            deed, _, feeling = text.partition(" and ")
            felt = re.search(r"\b(he|she) felt\b", feeling)
            if felt:
                counts["pronoun"][0] += felt.group(1) == pronoun
                counts["pronoun"][1] += 1
            for word in re.findall(r"\b(his|her)\b", deed):
                counts["possessive"][0] += word == possessive
                counts["possessive"][1] += 1
            used = set(re.findall(r"[a-z]+", text))
            foreign = [t for t in words if t != topic and used & (words[t] - words[topic])]
            counts["topic"][0] += not foreign
            counts["topic"][1] += 1
    return {name: (a, b) for name, (a, b) in counts.items()}
