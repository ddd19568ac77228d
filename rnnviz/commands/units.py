"""`rnnviz units`: what hidden units of a saved model respond to on a dataset.

--unit U: the words (in their sentences) where unit U is most positive and most negative.
--text T --words A:B: the units that words A..B-1 of sentence T switch on most.
"""

import argparse

import numpy as np

from ..core.data.batching import EncodedSet
from ..core.data.corpus import NextTokenSet
from ..core.errors import RnnvizError
from ..core.generate import read_prefix
from ..core.insight import units
from ..core.insight.probe import probe
from ..core.words import plural
from .numbers import whole
from .options import add_data_arguments, add_model_arguments, load_data, load_model
from .output import Output, add_output_arguments, note_unknown

MAX_UNIT = 1_000_000  # the model's own size is checked once it is loaded
MAX_TOP = 100_000  # positions listed per side


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    add_data_arguments(parser, required=False, held_out=False)
    parser.add_argument(
        "--unit",
        type=whole(0, MAX_UNIT),
        action="append",
        default=[],
        metavar="U",
        help="a unit (repeatable)",
    )
    parser.add_argument(
        "--top", type=whole(1, MAX_TOP), default=20, metavar="K", help="positions per side"
    )
    parser.add_argument("--text", help="a sentence whose phrase --words selects")
    parser.add_argument(
        "--words", metavar="A:B", help="words A to B-1 of --text (0-based, like Python slices)"
    )
    add_output_arguments(
        parser,
        "stdout is one JSON object: per unit its top positive and negative contexts, "
        "and the phrase's units",
    )


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    if not args.unit and not args.text:
        raise RnnvizError("give --unit U (and --data), or --text and --words A:B")
    ckpt = load_model(args)
    H = ckpt.model.hidden_size
    bad = [u for u in args.unit if not 0 <= u < H]
    if bad:
        raise RnnvizError(f"no unit {bad[0]}: the model has units 0 to {H - 1}")
    record: dict = {"hidden_size": H}
    if args.unit:
        record["units"] = _unit_contexts(args, out, ckpt)
    if args.text:
        record["phrase"] = _phrase_units(args, out, ckpt)
    out.record(record)
    return 0


def _unit_contexts(args, out: Output, ckpt) -> dict:
    if not args.data:
        raise RnnvizError("--unit needs --data: the sentences to look for the unit's words in")
    data = load_data(args, out)
    max_len = ckpt.config.max_len or None
    level = ckpt.config.level
    language_model = ckpt.model.is_language_model
    if language_model:
        encoded = NextTokenSet.build_lm(data.texts, ckpt.vocab, level, max_len)
    else:
        labels = np.zeros(len(data), dtype=np.int64)
        encoded = EncodedSet.build(data.texts, labels, ckpt.vocab, max_len)
    acts = units.activations(ckpt.model, encoded, data.texts)
    tokens_of, glue = units.token_reader(language_model, level)
    out.say(
        f"{data.name}: {plural(len(acts.sentence), 'word position')} in "
        f"{plural(len(encoded), 'sentence')}"
    )
    note_unknown(out, encoded.unknown_share(), data.name)
    found = {}
    for unit in args.unit:
        sides = {
            side: units.contexts(acts, unit, args.top, sign, tokens_of, glue)
            for side, sign in (("positive", 1), ("negative", -1))
        }
        found[str(unit)] = {side: [c.as_dict() for c in cs] for side, cs in sides.items()}
        for side, cs in sides.items():
            out.say(f"unit {unit}, most {side}:")
            for c in cs:
                out.say(f"  {c.value:+.3f}  {c.as_dict()['context']}")
    return found


def _phrase_units(args, out: Output, ckpt) -> dict:
    if ckpt.model.is_language_model:  # states after each token, <s> first
        prefix = read_prefix(ckpt.model, ckpt.vocab, args.text, ckpt.config.level)
        tokens, states = prefix.tokens, prefix.states[1:]
    else:
        result = probe(ckpt.model, ckpt.vocab, args.text)
        tokens, states = result.tokens, result.states
    T = len(tokens)
    start, stop = _span(args.words, T)
    ranked = units.units_for_span(states, start, stop)
    phrase = " ".join(tokens[start:stop])
    out.say(f'units that "{phrase}" switches on (mean h inside − mean h outside):')
    for row in ranked:
        out.say(f"  unit {row['unit']:>4}  {row['score']:+.3f}")
    return {"tokens": tokens, "start": start, "stop": stop, "units": ranked}


def _span(text: str | None, T: int) -> tuple[int, int]:
    """A:B (Python slice bounds, negatives from the end) -> a non-empty range of words."""
    if T == 0:
        raise RnnvizError("the text has no words")
    if text is None:
        return 0, T
    try:
        start, stop = slice(*(int(x) if x else None for x in text.split(":"))).indices(T)[:2]
    except (TypeError, ValueError):
        raise RnnvizError(f"--words wants A:B (word positions), got {text!r}") from None
    if stop <= start:
        raise RnnvizError(f"--words {text} selects no word of the {T} in the text")
    return start, stop
