"""Writes rnnviz's bundled datasets (data/tiny, data/negation, data/stories) from small
hand-written grammars.

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
        "the director's cut",
        "the sequel",
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
        "the soup",
        "the menu",
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
        "the speaker",
        "the app",
    ],
    "stay": [
        "the hotel",
        "our room",
        "the view",
        "the bed",
        "the pool",
        "the breakfast",
        "the trip",
        "the tour",
        "the beach",
        "the flight",
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
    "lovely",
    "superb",
    "fantastic",
    "amazing",
    "friendly",
    "comfortable",
    "reliable",
    "tasty",
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
    "horrible",
    "dreadful",
    "rude",
    "noisy",
    "useless",
    "cheap",
    "broken",
    "tedious",
]
LIKE = ["like", "love", "enjoy", "recommend", "trust", "appreciate"]  # base forms, positive
HATE = ["hate", "dislike", "regret", "mind", "resent"]  # base forms, negative
PAST = {
    "like": "liked",
    "love": "loved",
    "enjoy": "enjoyed",
    "recommend": "recommended",
    "trust": "trusted",
    "appreciate": "appreciated",
    "hate": "hated",
    "dislike": "disliked",
    "regret": "regretted",
    "mind": "minded",
    "resent": "resented",
}
COPULAS = ["was", "is", "felt", "seemed", "turned out to be", "looked"]
BE = ["was", "is"]
INTENSIFIERS = ["very", "really", "truly", "quite", "incredibly", "so", "rather", "pretty"]
NOT_INTENSIFIERS = ["very", "really", "that", "particularly", "especially", "too"]
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
    "sadly ,",
    "to my surprise ,",
]

# Clause templates: name -> (template, flips). {adj} has the polarity the clause needs before a
# flip; {verb}/{verbed} is a LIKE verb for a positive meaning, a HATE verb for a negative one.
CLAUSES = {
    "plain": ("{s} {cop} {adj}", False),
    "intensified": ("{s} {cop} {int} {adj}", False),
    "always": ("{s} {be} always {adj}", False),
    "found": ("i found {s} {adj}", False),
    "verbed": ("i {verbed} {s}", False),
    "really_verbed": ("i really {verbed} {s}", False),
    "not": ("{s} {be} not {adj}", True),
    "not_intensified": ("{s} {be} not {notint} {adj}", True),
    "contracted": ("{s} {be}n't {adj}", True),
    "never": ("{s} {be} never {adj}", True),
    "hardly": ("{s} {be} hardly {adj}", True),
    "not_at_all": ("{s} {be} not {adj} at all", True),
    "no_longer": ("{s} is no longer {adj}", True),
    "did_not_verb": ("i did not {verb} {s}", True),
    "didnt_verb": ("i didn't {verb} {s}", True),
    "never_verbed": ("i never {verbed} {s}", True),
    "would_not_call": ("i would not call {s} {adj}", True),
    "far_from": ("{s} {be} far from {adj}", True),
    "nothing_about": ("nothing about {s} {be} {adj}", True),
    "did_not_seem": ("{s} did not seem {adj}", True),
}
NEGATED = [name for name, (_, flips) in CLAUSES.items() if flips]
# Sentence frames: name -> (template, which clause decides the label). "same": both clauses agree.
FRAMES = {
    "single": ("{a}", "a"),
    "and": ("{a} and {b}", "same"),
    "but": ("{a} but {b}", "b"),
    "although_first": ("although {a} , {b}", "b"),
    "although_second": ("{a} , although {b}", "a"),
    "even_though": ("{a} even though {b}", "a"),
    "however": ("{a} , however {b}", "b"),
    "yet": ("{a} , yet {b}", "b"),
    "though_first": ("though {a} , {b}", "b"),
}
# (frame, negated clause in the deciding slot) pairs that appear only in the test split: a model
# must carry negation into sentence shapes it has never been trained on. Every frame and every
# clause template still appears in training, in other combinations.
HELD_OUT = {
    ("single", "hardly"),
    ("single", "would_not_call"),
    ("and", "never"),
    ("and", "did_not_verb"),
    ("but", "not_at_all"),
    ("but", "no_longer"),
    ("although_first", "contracted"),
    ("although_first", "never_verbed"),
    ("although_second", "far_from"),
    ("even_though", "not"),
    ("even_though", "nothing_about"),
    ("however", "didnt_verb"),
    ("yet", "did_not_seem"),
    ("yet", "not_intensified"),
    ("though_first", "hardly"),
    ("though_first", "not_at_all"),
}


def clause(rng: random.Random, domain: str, polarity: str, name: str) -> str:
    """One clause of template `name` that means `polarity`."""
    template, flips = CLAUSES[name]
    word_polarity = flip(polarity) if flips else polarity
    verb = rng.choice(LIKE if word_polarity == POS else HATE)
    return template.format(
        s=rng.choice(SUBJECTS[domain]),
        cop=rng.choice(COPULAS),
        be=rng.choice(BE),
        int=rng.choice(INTENSIFIERS),
        notint=rng.choice(NOT_INTENSIFIERS),
        adj=rng.choice(POSITIVE if word_polarity == POS else NEGATIVE),
        verb=verb,
        verbed=PAST[verb],
    )


def negation_sentence(rng: random.Random, label: str, frame: str, decider: str) -> str:
    """A sentence of `frame` meaning `label`, whose deciding clause has template `decider`."""
    template, deciding = FRAMES[frame]
    domain = rng.choice(list(SUBJECTS))
    clauses = {"a": None, "b": None}
    for slot in ("a", "b") if "{b}" in template else ("a",):
        if deciding in (slot, "same"):
            name, polarity = decider, label
        else:
            name, polarity = rng.choice(list(CLAUSES)), flip(label)
        if deciding == "same" and slot == "b":
            name = rng.choice(list(CLAUSES))
        clauses[slot] = clause(rng, domain, polarity, name)
    text = template.format(**clauses)
    if rng.random() < 0.2:
        text = f"{rng.choice(OPENERS)} {text}"
    return text + rng.choice([" .", " .", " !", ""])


def negation() -> None:
    """3,000 training and 600 test sentences, balanced, no sentence repeated. Half the deciding
    clauses are negated; a third of the sentences are a single clause, as short reviews are. The
    test split is half held-out frames (HELD_OUT), half new sentences of frames seen in training;
    the held-out half is also written alone to held_out_frames.tsv."""
    rng = random.Random(2026)
    frame_weights = [4 if frame == "single" else 1 for frame in FRAMES]
    seen: set[str] = set()

    def draw(count: int, held_out: bool) -> list[tuple[str, str]]:
        rows = []
        while len(rows) < count:
            label = POS if len(rows) % 2 == 0 else NEG
            negated = len(rows) // 2 % 2 == 0
            if held_out:
                frame, decider = rng.choice(sorted(HELD_OUT))
            else:
                frame = rng.choices(list(FRAMES), frame_weights)[0]
                deciders = [
                    name
                    for name, (_, flips) in CLAUSES.items()
                    if flips == negated and (frame, name) not in HELD_OUT
                ]
                decider = rng.choice(deciders)
            text = negation_sentence(rng, label, frame, decider)
            if text not in seen:
                seen.add(text)
                rows.append((text, label))
        return rows

    train = draw(3000, held_out=False)
    held_out = draw(300, held_out=True)
    test = held_out + draw(300, held_out=False)
    rng.shuffle(train)
    rng.shuffle(test)
    train_words = {w for text, _ in train for w in text.split()}
    assert all(w in train_words for text, _ in test for w in text.split())
    write("negation", train, test)
    lines = ["text\tlabel"] + [f"{text}\t{label}" for text, label in held_out]
    (HERE / "negation" / "held_out_frames.tsv").write_text("\n".join(lines) + "\n", "utf-8")


# --------------------------------------- stories (a corpus for the language model, by topic)
STORY_PEOPLE = {  # (noun phrase, pronoun, possessive)
    "sea": [
        ("the old fisherman", "he", "his"),
        ("the captain", "she", "her"),
        ("a young sailor", "he", "his"),
        ("the girl from the harbour", "she", "her"),
    ],
    "farm": [
        ("the farmer", "he", "his"),
        ("my grandmother", "she", "her"),
        ("the shepherd", "he", "his"),
        ("a tired farmhand", "she", "her"),
    ],
    "city": [
        ("the baker", "she", "her"),
        ("a taxi driver", "he", "his"),
        ("the old librarian", "she", "her"),
        ("my neighbour", "he", "his"),
    ],
}
STORY_ACTS = {  # (verb, object): "pulled" "the heavy net"
    "sea": [
        ("pulled", "the heavy net"),
        ("mended", "the torn sail"),
        ("watched", "the grey waves"),
        ("rowed", "the small boat"),
        ("counted", "the silver fish"),
    ],
    "farm": [
        ("fed", "the hungry goats"),
        ("milked", "the brown cow"),
        ("ploughed", "the long field"),
        ("gathered", "the warm eggs"),
        ("mended", "the broken fence"),
    ],
    "city": [
        ("opened", "the little shop"),
        ("crossed", "the busy street"),
        ("sold", "the fresh bread"),
        ("waited for", "the late bus"),
        ("carried", "the heavy books"),
    ],
}
STORY_PLACES = {
    "sea": ["on the deck", "by the harbour", "near the rocks", "out at sea"],
    "farm": ["in the barn", "behind the house", "in the muddy yard", "by the old well"],
    "city": ["on the corner", "near the station", "in the crowded square", "by the river"],
}
STORY_TIMES = ["at dawn", "in the evening", "before the rain", "after lunch", "every morning"]
STORY_REASONS = {
    "sea": ["the storm was coming", "the tide was turning", "the wind had dropped"],
    "farm": ["the winter was near", "the animals were restless", "the harvest was late"],
    "city": ["the market was busy", "the trains were late", "the streets were quiet"],
}
STORY_FEELINGS = ["happy", "tired", "worried", "proud", "cold", "calm"]


def story_sentence(rng: random.Random, topic: str) -> str:
    """One sentence about a person of `topic`: a deed, where and when, and sometimes why or how
    they felt (pronouns agree with the person)."""
    person, pronoun, possessive = rng.choice(STORY_PEOPLE[topic])
    verb, thing = rng.choice(STORY_ACTS[topic])
    if rng.random() < 0.3:
        thing = thing.replace("the ", f"{possessive} ", 1)
    words = [person, verb, thing, rng.choice(STORY_PLACES[topic])]
    if rng.random() < 0.5:
        words.append(rng.choice(STORY_TIMES))
    shape = rng.random()
    if shape < 0.3:
        words += ["because", rng.choice(STORY_REASONS[topic])]
    elif shape < 0.55:
        words += [",", "and", pronoun, "felt", rng.choice(STORY_FEELINGS)]
    return " ".join(words) + " ."


def stories() -> None:
    """6,000 training and 1,000 test sentences about people at sea, on a farm and in a city,
    labelled by topic (for the language model; it also makes a three-class topic task). Every
    sentence is different, so the test sentences are new to a model trained on the others."""
    rng = random.Random(11)
    seen: set[str] = set()
    rows = []
    while len(rows) < 7000:
        topic = rng.choice(list(STORY_PEOPLE))
        text = story_sentence(rng, topic)
        if text not in seen:
            seen.add(text)
            rows.append((text, topic))
    train, test = rows[:6000], rows[6000:]
    train_words = {w for text, _ in train for w in text.split()}
    assert all(w in train_words for text, _ in test for w in text.split())
    write("stories", train, test)


if __name__ == "__main__":
    tiny()
    negation()
    stories()
    print("wrote", ", ".join(str(p.relative_to(HERE)) for p in sorted(HERE.glob("*/*.tsv"))))
