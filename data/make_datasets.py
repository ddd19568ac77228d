"""Writes rnnviz's bundled datasets (data/tiny, data/negation) from small hand-written grammars.

    python data/make_datasets.py

Deterministic (seeded): running it again rewrites the same files. Every sentence is generated
here; nothing is copied from another dataset.
"""

import itertools
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
POS, NEG = "positive", "negative"


def flip(label: str) -> str:
    return NEG if label == POS else POS


def write(name: str, train: list[tuple[str, str]], test: list[tuple[str, str]]) -> None:
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    for part, rows in (("train", train), ("test", test)):
        lines = ["text\tlabel"] + [f"{text}\t{label}" for text, label in rows]
        (folder / f"{part}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def balanced_sample(rows, n, rng):
    """n rows, half of each label, drawn without replacement."""
    pos = [r for r in rows if r[1] == POS]
    neg = [r for r in rows if r[1] == NEG]
    picked = rng.sample(pos, n // 2) + rng.sample(neg, n - n // 2)
    rng.shuffle(picked)
    return picked


# ---------------------------------------------------------------- tiny (about 20 words)
def tiny() -> None:
    """Short statements: an optional 'not' flips the adjective's polarity. 60 train, 20 test.
    Every (modifier, adjective) pair appears in training at least twice, negated ones 4 times;
    the test sentences are new combinations of subject, modifier, adjective and ending."""
    rng = random.Random(7)
    subjects = ["i am", "you are", "this is", "this was", "it is"]
    adjectives = {"good": POS, "happy": POS, "great": POS, "bad": NEG, "sad": NEG, "awful": NEG}
    modifiers = ["", "very", "really", "not"]
    endings = ["", "now", "today", "at all"]
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for modifier, (adj, polarity) in itertools.product(modifiers, adjectives.items()):
        label = flip(polarity) if modifier == "not" else polarity
        rows = [
            (" ".join(w for w in (subject, modifier, adj, ending) if w), label)
            for subject, ending in itertools.product(subjects, endings)
            if ending != "at all" or modifier == "not"  # "at all" only after a negation
        ]
        rng.shuffle(rows)
        groups[(modifier, adj)] = rows
    pairs = list(groups)
    # 24 pairs x 2 training sentences, plus 2 more for each negated pair (negation is the hard
    # part): 60 in all. The test set takes one unused sentence from 20 pairs (10 per class).
    train = [row for pair in pairs for row in groups[pair][: 4 if pair[0] == "not" else 2]]
    used = set(train)
    test_pos = [groups[p][4] for p in pairs if groups[p][4][1] == POS]
    test_neg = [groups[p][4] for p in pairs if groups[p][4][1] == NEG]
    test = rng.sample(test_pos, 10) + rng.sample(test_neg, 10)
    assert not used & set(test)
    rng.shuffle(train)
    rng.shuffle(test)
    train_words = {w for text, _ in train for w in text.split()}
    assert all(w in train_words for text, _ in test for w in text.split())
    write("tiny", train, test)


# ------------------------------------------------- negation (word order carries the meaning)
SUBJECTS = {
    "movie": [
        "the movie",
        "this film",
        "the plot",
        "the acting",
        "the ending",
        "the soundtrack",
        "the script",
        "the story",
    ],
    "food": [
        "the food",
        "the service",
        "our waiter",
        "the pasta",
        "the dessert",
        "the coffee",
        "the place",
        "the staff",
    ],
    "gadget": [
        "the phone",
        "this charger",
        "the battery",
        "the screen",
        "the headset",
        "the case",
        "this camera",
        "the keyboard",
    ],
}
POSITIVE = [
    "good",
    "great",
    "wonderful",
    "excellent",
    "brilliant",
    "charming",
    "delightful",
    "enjoyable",
    "pleasant",
    "impressive",
    "fun",
    "solid",
]
NEGATIVE = [
    "bad",
    "awful",
    "terrible",
    "boring",
    "dull",
    "bland",
    "disappointing",
    "poor",
    "weak",
    "annoying",
    "mediocre",
    "sloppy",
]
VERBS = ["was", "is", "felt", "seemed", "turned out to be"]
INTENSIFIERS = ["very", "really", "truly", "quite", "incredibly", "so", "rather"]
NEGATORS = ["not", "never", "hardly", "not at all"]
OPENERS = [
    "honestly ,",
    "to be fair ,",
    "after a long week ,",
    "overall ,",
    "in the end ,",
    "i have to say",
    "as expected ,",
    "for what it cost ,",
    "if you ask me ,",
]
CONTRASTS = [
    ("{a} but {b}", "b"),
    ("{a} , however {b}", "b"),
    ("although {a} , {b}", "b"),
    ("{a} even though {b}", "a"),
    ("{a} , yet {b}", "b"),
]
ARCS = [
    ("it started {p} but ended {q}", "q"),
    ("it began {p} and then became {q}", "q"),
    ("at first it seemed {p} , later it felt {q}", "q"),
]


def clause(rng: random.Random, domain: str, polarity: str, negate: bool) -> tuple[str, str]:
    """'<subject> <verb> [negator] [intensifier] <adjective>' and its polarity."""
    adjective_polarity = flip(polarity) if negate else polarity
    adjective = rng.choice(POSITIVE if adjective_polarity == POS else NEGATIVE)
    words = [rng.choice(SUBJECTS[domain]), rng.choice(VERBS)]
    if negate:
        negator = rng.choice(NEGATORS)
        if negator == "never":  # "seemed never good" reads badly: never goes with was / is
            words[1] = rng.choice(["was", "is"])
        if negator == "not at all":
            words += ["not at all", adjective]
        else:
            words += [
                negator,
                *([rng.choice(INTENSIFIERS)] if rng.random() < 0.3 else []),
                adjective,
            ]
    else:
        words += [*([rng.choice(INTENSIFIERS)] if rng.random() < 0.5 else []), adjective]
    return " ".join(words), polarity


def negation_sentence(rng: random.Random, label: str) -> str:
    """One sentence whose label is `label`, drawn from four kinds in equal measure."""
    domain = rng.choice(list(SUBJECTS))
    kind = rng.choice(["negated", "contrast", "arc", "plain"])
    if kind == "negated":
        text, _ = clause(rng, domain, label, negate=True)
    elif kind == "plain":
        text, _ = clause(rng, domain, label, negate=rng.random() < 0.3)
        if rng.random() < 0.5:
            more, _ = clause(rng, domain, label, negate=rng.random() < 0.5)
            text = f"{text} and {more}"
    elif kind == "contrast":
        template, decisive = rng.choice(CONTRASTS)
        other = flip(label)
        first = label if decisive == "a" else other
        second = label if decisive == "b" else other
        a, _ = clause(rng, domain, first, negate=rng.random() < 0.3)
        b, _ = clause(rng, domain, second, negate=rng.random() < 0.3)
        text = template.format(a=a, b=b)
    else:
        template, decisive = rng.choice(ARCS)
        words = {"p": None, "q": None}
        for slot in words:
            polarity = label if slot == decisive else flip(label)
            words[slot] = rng.choice(POSITIVE if polarity == POS else NEGATIVE)
        text = template.format(**words)
    if rng.random() < 0.25:
        text = f"{rng.choice(OPENERS)} {text}"
    return text + rng.choice([" .", " .", " !", ""])


def negation() -> None:
    """1,500 balanced sentences (1,200 train, 300 test), no sentence repeated."""
    rng = random.Random(2026)
    seen, rows = set(), []
    while len(rows) < 1500:
        label = POS if len(rows) % 2 == 0 else NEG
        text = negation_sentence(rng, label)
        if text not in seen:
            seen.add(text)
            rows.append((text, label))
    rng.shuffle(rows)
    write("negation", rows[:1200], rows[1200:])


if __name__ == "__main__":
    tiny()
    negation()
    print("wrote", ", ".join(str(p.relative_to(HERE)) for p in sorted(HERE.glob("*/*.tsv"))))
