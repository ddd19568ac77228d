"""`rnnviz states`: the state space of a saved model on a dataset (insight/state_space.py).

The probe sentences are the ones the window analyses: the dataset split as the model's own
settings split it (seeded), its validation part (else test), at most STATE_SPACE_SENTENCES.
--untrained analyses the weights the same settings start from instead.
"""

import argparse

import numpy as np

from ..core.errors import RnnvizError
from ..core.insight import state_space
from ..core.train.experiment import Experiment
from .options import add_data_arguments, add_model_arguments, load_data, load_model
from .output import Output, add_output_arguments, checked_output_path, note_unknown

SHOWN_POINTS = 5  # fixed points listed (the slowest), with their top eigenvalues
SHOWN_EIGENVALUES = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_arguments(parser)
    add_data_arguments(parser, held_out=False)
    parser.add_argument(
        "--untrained",
        action="store_true",
        help="analyse the weights the model's settings start from (same seed), not the trained",
    )
    parser.add_argument(
        "--plot",
        metavar="OUT.png",
        help="also draw the window's state-space panel of it to this file (headless)",
    )
    parser.add_argument(
        "--text",
        metavar="SENTENCE",
        help="with --plot: draw this sentence's path through the plane, word by word",
    )
    add_output_arguments(
        parser,
        "stdout is one JSON object: the summary figures, the fixed points (q, PC1-2, top "
        "eigenvalues) and the variance explained per component",
    )


def run(args: argparse.Namespace) -> int:
    out = Output.of(args)
    if args.plot and not args.plot.lower().endswith(".png"):
        raise RnnvizError(f"--plot writes a .png picture, not {args.plot}")
    if args.text is not None and not args.plot:
        raise RnnvizError("--text draws a sentence's path in the picture: give --plot OUT.png too")
    checked_output_path(args.plot, "picture")
    ckpt = load_model(args)
    data = load_data(args, out)
    if not ckpt.model.is_language_model and set(data.classes) - set(ckpt.classes):
        raise RnnvizError(
            f"the data has classes {list(data.classes)}, the model knows {list(ckpt.classes)}"
        )
    model = None if args.untrained else ckpt.model
    experiment = Experiment.build(ckpt.config, data, vocab=ckpt.vocab, model=model)
    batch = experiment.state_space_batch
    note_unknown(out, experiment.train_set.unknown_share(), data.name)
    step = 0 if args.untrained else int(ckpt.summary.get("step", 0))
    space = state_space.analyse(
        experiment.model, batch.ids, batch.lengths, batch.labels, step, seed=ckpt.config.seed
    )
    _say(out, space, experiment, len(batch.lengths), args.untrained)
    if args.plot:
        _plot(space, experiment, args.plot, args.text)
        out.say(f"wrote {args.plot}")
    out.record(_record(space, experiment))
    return 0


def _say(out: Output, space, experiment, sentences: int, untrained: bool) -> None:
    s = space.summary
    model = experiment.model
    paired = model.cell.state_size(model.params) > model.hidden_size
    part = "fixed points searched in (h, c), h projected" if paired else "h"
    out.say(
        f"{'untrained' if untrained else 'trained'} {model.cell.name}, H={model.hidden_size}: "
        f"{len(space.points):,} states of {sentences:,} held-out sentences ({part})"
    )
    out.say(
        f"variance explained: PC1 {s['pc1']:.1%}, PC1-2 {s['pc1_2']:.1%}, PC1-10 {s['pc1_10']:.1%}"
    )
    fixed = space.fixed
    out.say(
        f"fixed points (no input, q < {state_space.Q_TOLERANCE:g}): {len(fixed.q)} of "
        f"{fixed.searched} searches; on their first PC: {_share(s['fixed_points_1d_share'])}; "
        f"largest |eigenvalue| (median): {_figure(s['largest_eigenvalue'], '.3f')}; "
        f"readout vs the slow direction: {_figure(s['readout_line_angle'], '.1f')}°"
    )
    slowest = zip(fixed.q, space.fixed_points, fixed.eigenvalues, strict=True)
    for q, point, values in list(slowest)[:SHOWN_POINTS]:
        shown = ", ".join(_complex(v) for v in values[:SHOWN_EIGENVALUES])
        out.say(f"  q {q:.1e} at PC ({point[0]:+.2f}, {point[1]:+.2f}); eigenvalues {shown}")


def _share(value: float) -> str:
    return "n/a (fewer than 3 points)" if np.isnan(value) else f"{value:.1%} of their variance"


def _figure(value: float, spec: str) -> str:
    return "n/a" if np.isnan(value) else format(value, spec)


def _complex(value: complex) -> str:
    if abs(value.imag) < 1e-9:
        return f"{value.real:+.3f}"
    return f"{value.real:+.3f}{value.imag:+.3f}i"


def _record(space, experiment) -> dict:
    fixed = space.fixed
    return {
        "cell": experiment.model.cell.name,
        "hidden_size": experiment.model.hidden_size,
        "step": space.step,
        "states": len(space.points),
        "summary": {k: (None if np.isnan(v) else v) for k, v in space.summary.items()},
        "explained": space.explained_now.tolist(),
        "fixed_points": [
            {
                "q": float(q),
                "pc": [float(point[0]), float(point[1])],
                "eigenvalues": [[float(v.real), float(v.imag)] for v in values],
            }
            for q, point, values in zip(fixed.q, space.fixed_points, fixed.eigenvalues, strict=True)
        ],
    }


def _plot(space, experiment, path: str, text: str | None) -> None:
    """The window's panel, drawn offscreen and saved (Qt is imported only here)."""
    from ..gui.state_space_picture import save_picture

    save_picture(space, experiment, path, text)
