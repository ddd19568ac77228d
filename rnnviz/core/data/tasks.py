"""Generated tasks that need memory, seeded, with the distance to remember as a knob.

recall: a sentiment word (good, great, ... or bad, awful, ...), then `distance` filler words; the
label is the polarity of the first word. With `distractors` > 0, that share of the filler words
is replaced by sentiment words of random polarity, so that only the first one counts: the network
must carry one bit across `distance` steps. With `noise` > 0, that share of the labels is
flipped, in both parts, as annotators' mistakes would be: no network scores above 1 - noise on
the test part, and one that learns every training label by heart has learnt the noise too.
Written on the command line as a name with knobs: `recall`, `recall:distance=50`,
`recall:distance=50,distractors=0.15,sentences=4000,seed=1`, `recall:distance=5,noise=0.3`.

echo: a name (anna, ben, ... one of NAMES), then `distance` filler words, then the same name:
for a language model (--task lm), whose next word at the end is the first one, however far
back. Its label is the name (a classifier recalls which of them came first). `distractors`
replaces that share of the filler by other names; `noise` ends that share of the sentences on
another name than the first.
"""

from dataclasses import dataclass, fields, replace

import numpy as np

from ..errors import DatasetError
from .datasets import BINARY_CLASSES, Dataset

POSITIVE = ("good", "great", "fine", "nice", "lovely", "superb")
NEGATIVE = ("bad", "awful", "poor", "dull", "boring", "weak")
FILLER_WORDS = (
    "the a of and to in it is was that this with for on as at by from or an be are but so if "
    "then there here when where which who what some any all one two"
)
FILLER = tuple(FILLER_WORDS.split())
NAMES = ("anna", "ben", "cleo", "dan", "eva", "finn", "gus", "hana", "ivo", "jill", "kai", "lena")
MAX_DISTANCE = 2000
MAX_SENTENCES = 200_000


@dataclass(frozen=True)
class Task:
    name: str = "recall"  # or "echo"
    distance: int = 20  # filler words after the word to remember
    distractors: float = 0.0  # share of filler words that are sentiment words of random polarity
    sentences: int = 2000  # training sentences; the test part is a quarter of this
    noise: float = 0.0  # share of the sentences (train and test) whose label (recall) or last
    # word (echo) is wrong
    seed: int = 0  # of the sentences (the training seed is the run's own)

    def __post_init__(self) -> None:
        checks = {  # knob -> (is it in range, the range in words); NaN fails every comparison
            "distance": (1 <= self.distance <= MAX_DISTANCE, f"1 to {MAX_DISTANCE:,}"),
            "distractors": (0.0 <= self.distractors <= 0.9, "0 to 0.9"),
            "noise": (0.0 <= self.noise <= 0.45, "0 to 0.45"),
            "sentences": (20 <= self.sentences <= MAX_SENTENCES, f"20 to {MAX_SENTENCES:,}"),
            "seed": (0 <= self.seed < 2**32, "0 to 2^32 - 1"),
        }
        for knob, (fine, bounds) in checks.items():
            if not fine:
                raise DatasetError(
                    f"{self.name}: {knob} must be {bounds}, not {getattr(self, knob)}"
                )

    @property
    def spec(self) -> str:
        """The name with every knob that differs from its default, as parse() reads it."""
        default = Task(self.name)
        knobs = [
            f"{f.name}={getattr(self, f.name):g}"
            for f in fields(self)
            if f.name != "name" and getattr(self, f.name) != getattr(default, f.name)
        ]
        return self.name + (":" + ",".join(knobs) if knobs else "")

    def with_distance(self, distance: int) -> "Task":
        return replace(self, distance=distance)


TASKS = ("recall", "echo")
_KNOBS = {f.name: f.type for f in fields(Task) if f.name != "name"}


def is_task(source: str) -> bool:
    """Does `source` name a generated task (rather than a file or a bundled dataset)?"""
    return source.split(":", 1)[0] in TASKS


def parse(source: str) -> Task:
    """`recall` or `recall:distance=50,distractors=0.15`: the task, its knobs checked."""
    name, _, knobs = source.partition(":")
    values: dict[str, int | float] = {}
    for item in filter(None, (k.strip() for k in knobs.split(","))):
        key, equals, text = item.partition("=")
        if not equals or key not in _KNOBS:
            raise DatasetError(
                f"{source}: {item!r} is not a knob of {name} (knobs: {', '.join(_KNOBS)}, "
                "e.g. recall:distance=50,distractors=0.15)"
            )
        try:
            values[key] = float(text) if _KNOBS[key] is float else int(text)
        except ValueError:
            raise DatasetError(f"{source}: {key} must be a number, not {text!r}") from None
    return Task(name, **values)  # type: ignore[arg-type]


def _other_names(names: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another of the NAMES for each of `names` (indices): (i + k) mod K, k uniform in 1..K-1."""
    return (names + rng.integers(1, len(NAMES), size=len(names))) % len(NAMES)


def _echo_sentences(task: Task, n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """n sentences: a name of class y (n,), task.distance filler or distractor words, a name
    (the same one, but another for `noise` of them)."""
    labels = rng.integers(0, len(NAMES), size=n)
    words = np.array((*FILLER, *NAMES))
    first = len(FILLER)
    body = rng.integers(0, len(FILLER), size=(n, task.distance))  # (n, distance)
    swap = rng.random((n, task.distance)) < task.distractors
    body[swap] = first + _other_names(np.broadcast_to(labels[:, None], swap.shape)[swap], rng)
    last = labels.copy()
    wrong = rng.random(n) < task.noise
    last[wrong] = _other_names(labels[wrong], rng)
    ids = np.column_stack([first + labels, body, first + last])  # (n, distance + 2)
    return [" ".join(words[row]) for row in ids], labels


def generate(task: Task) -> Dataset:
    """The task's sentences with their own train/test split (test: a quarter as many, drawn
    from another stream of the same seed). recall: `noise` of the labels flipped in both parts
    (a third stream: the sentences are those of the same task without noise)."""
    echo = task.name == "echo"
    sentences = _echo_sentences if echo else _recall_sentences
    train = sentences(task, task.sentences, np.random.default_rng([task.seed, 0]))
    test = sentences(task, max(task.sentences // 4, 10), np.random.default_rng([task.seed, 1]))
    if not echo:  # echo draws its own noise, with its sentences
        noise = np.random.default_rng([task.seed, 2])
        for _, labels in (train, test):
            flipped = noise.random(len(labels)) < task.noise
            labels[flipped] = 1 - labels[flipped]
    texts = train[0] + test[0]
    labels = np.concatenate([train[1], test[1]])
    parts: list[str | None] = ["train" if i < len(train[0]) else "test" for i in range(len(texts))]
    return Dataset(task.spec, texts, labels, NAMES if echo else BINARY_CLASSES, parts)


def _recall_sentences(task: Task, n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """n sentences: a cue word of class y (n,), then task.distance filler or distractor words."""
    labels = rng.integers(0, 2, size=n)  # 1 = positive
    words = np.array((*FILLER, *NEGATIVE, *POSITIVE))
    polar = len(NEGATIVE)
    first = len(FILLER)
    cues = first + labels * polar + rng.integers(0, polar, size=n)  # (n,) indices into words
    body = rng.integers(0, len(FILLER), size=(n, task.distance))  # (n, distance)
    swap = rng.random((n, task.distance)) < task.distractors
    body[swap] = first + rng.integers(0, 2 * polar, size=int(swap.sum()))
    ids = np.column_stack([cues, body])  # (n, distance + 1)
    return [" ".join(words[row]) for row in ids], labels
