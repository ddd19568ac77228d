"""A run's history (issue 29): the weights replayed to any step are the run's weights at that step,
bit for bit, for every cell and both tasks, through live changes, an optimizer change, a plateau
schedule's epoch ends, a Restore best, a halt and a side run fed the same batches; and the copies
stay within the budget."""

from queue import Queue

import numpy as np
import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.errors import RnnvizError
from rnnviz.core.insight.flow import gradient_flow
from rnnviz.core.nn.registry import ALL_CELLS
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment
from rnnviz.core.train.history import NEAR_SPACING, NEAR_SPAN, SPACING, History
from rnnviz.core.train.runner import TrainingRunner
from rnnviz.core.train.scrub import PastModels, past_snapshot
from rnnviz.core.train.telemetry import Telemetry

STEPS = 140
LIVE = {  # after step: live changes, as the window's controls make them
    20: {"lr": 0.004},
    35: {"clip": 0.25, "clip_mode": "value"},
    50: {"dropout": 0.3, "word_dropout": 0.1},
    65: {"batch_size": 5},
    80: {"optimizer": "momentum", "lr": 0.05},
    95: {"bptt_truncate": 3},
}
RESTORE_AT = 110  # Restore best, then training goes on from the best weights


def run_with_history(cell: str, task: str, budget_bytes: int):
    data = load(["tiny"])
    config = TrainConfig(
        cell=cell,
        task=task,
        hidden_size=8,
        batch_size=4,
        lr=0.01,
        lr_schedule="plateau",
        validation_fraction=0.2,
        patience=0,
        dropout=0.0,
        max_len=12,
        max_vocab=60,
    )
    main = Experiment.build(config, data)
    side = Experiment.build(TrainConfig(cell="vanilla", hidden_size=4, task=task), data)
    history = History(budget_bytes=budget_bytes)
    history.attach(main.trainer)
    seen = {0: {n: p.copy() for n, p in main.model.params.items()}}
    for step in range(1, STEPS + 1):
        main.trainer.step()
        side.trainer.step(main.trainer.last_batch)  # a run beside it, on the same batch
        if step in LIVE:
            main.trainer.apply(**LIVE[step])
        if step == RESTORE_AT:
            assert main.trainer.restore_best() is not None
        seen[step] = {n: p.copy() for n, p in main.model.params.items()}
    return main, history, seen


def same_bits(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[n].dtype == b[n].dtype and a[n].tobytes() == b[n].tobytes() for n in a
    )


@pytest.mark.parametrize("task", ["classify", "lm"])
@pytest.mark.parametrize("cell", sorted(ALL_CELLS))
def test_replayed_weights_are_the_runs_bits_at_every_step(cell, task):
    main, history, seen = run_with_history(cell, task, budget_bytes=6 * 2**10)
    assert history.spacing > 25  # the small budget thinned the copies: replays run long
    if task == "classify":  # (a language model's validation loss still falls at step 140)
        assert any(e.kind == "lr_scale" for e in history.events)  # the plateau schedule acted
    assert len(history.states) < 12
    for step in range(STEPS + 1):
        assert same_bits(history.weights_at(step), seen[step]), f"step {step}"
    assert same_bits(history.weights_at(STEPS), main.model.params)


def test_a_halted_step_is_replayed_from_the_weights_put_back():
    """A non-finite step restores the last good weights (up to 25 steps old): the history keeps
    the state after it, so no replay has to run through the halt."""
    main = Experiment.build(TrainConfig(cell="vanilla", hidden_size=8), load(["tiny"]))
    history = History(budget_bytes=2**30)
    history.attach(main.trainer)
    seen = {}
    for step in range(1, 61):
        if step == 40:  # as an overflow would (test_trainer.py makes one, in hundreds of steps)
            main.model.params["W_hy"][0, 0] = np.nan
        record = main.trainer.step()
        assert record.halted == (step == 40)
        seen[step] = {n: p.copy() for n, p in main.model.params.items()}
    assert history.states[40].pinned
    for step in (38, 39, 40, 41, 55, 60):
        assert same_bits(history.weights_at(step), seen[step]), f"step {step}"


def test_the_budget_holds_and_the_pinned_copies_stay():
    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    one_copy = sum(p.nbytes for p in main.model.params.values()) * 3  # weights and Adam's m, v
    history = History(budget_bytes=4 * one_copy)
    history.attach(main.trainer)
    for _ in range(400):
        main.trainer.step()
        assert history.nbytes <= 4 * one_copy + one_copy // 2  # (+ the epoch plan's indices)
    assert 0 in history.states and history.states[0].pinned
    assert history.per_level == 1  # thinned as far as age levels go


def test_copies_are_denser_near_the_present():
    """Over the budget, a step d back is fewer than 2 (spacing + d / per_level) steps after a
    copy: scrubs near the present replay a few steps, far back ones more."""
    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    one_copy = sum(p.nbytes for p in main.model.params.values()) * 3
    history = History(budget_bytes=14 * one_copy)
    history.attach(main.trainer)
    for _ in range(3000):
        main.trainer.step()
    assert 1 < history.per_level < 1024 and history.nbytes <= 15 * one_copy
    now, kept = history.last_step, sorted(history.states)
    for step in range(now + 1):
        replay = step - max(s for s in kept if s <= step)
        assert replay < 2 * (history.spacing + (now - step) / history.per_level), step
    gaps = np.diff(kept)
    assert gaps[-1] < gaps[0]  # the newest copies are closer together than the oldest


def test_the_newest_steps_have_a_copy_every_few_steps_while_they_fit():
    """Up to NEAR_SPAN back from the present a step is at most NEAR_SPACING - 1 steps after a copy
    when they fit in NEAR_SHARE of the budget, while someone looks back; in a tight budget
    there are none."""
    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    one_copy = sum(p.nbytes for p in main.model.params.values()) * 3
    roomy, full = History(budget_bytes=2**30), History(budget_bytes=4 * one_copy)
    roomy.attach(main.trainer)
    roomy.expect_looks()  # as the window's timeline does (none are taken otherwise: below)
    for step in range(1, 201):
        main.trainer.step()
        if step == 100:
            full.attach(main.trainer)  # a second history of the run, room for four copies
        kept = sorted(roomy.states)
        for back in range(min(NEAR_SPAN + 1, step + 1)):  # at every step, the steps near it
            assert step - back - max(s for s in kept if s <= step - back) < NEAR_SPACING
        assert full.nbytes <= 4 * one_copy + one_copy // 2
    now, kept = roomy.last_step, sorted(roomy.states)
    assert [s for s in kept if s < now - NEAR_SPAN] == list(range(0, now - NEAR_SPAN, SPACING))
    assert all(s % full.spacing == 0 or s == 100 for s in full.states)  # no room: none extra
    assert same_bits(roomy.weights_at(now - 3), full.weights_at(now - 3))
    unwatched = History(budget_bytes=2**30)
    unwatched.attach(main.trainer)
    for _ in range(30):
        main.trainer.step()
    assert sorted(unwatched.states) == [200, 225]  # nobody looked back: only the spaced copies


def test_pinned_copies_filling_the_budget_do_not_thin_it_for_nothing():
    """Copies that must stay (after halts, Restore best) fill the share of the other copies:
    the spacing does not double at every extra copy near the present (it did at first)."""
    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    one_copy = sum(p.nbytes for p in main.model.params.values()) * 3
    history = History(budget_bytes=48 * one_copy)
    history.attach(main.trainer)
    for _ in range(46):  # 47 pinned copies: more than the other copies' 7/8 of the budget
        main.trainer.step()
        history._restored(None)
    history.expect_looks()
    for _ in range(100):
        main.trainer.step()
    assert history.spacing <= 8 * SPACING  # once a spaced copy, as without the extra ones
    assert history.nbytes <= 48 * one_copy + one_copy


def test_steps_outside_the_history_are_refused():
    main = Experiment.build(TrainConfig(cell="vanilla", hidden_size=4), load(["tiny"]))
    for _ in range(5):
        main.trainer.step()
    history = History()
    history.attach(main.trainer)  # from step 5 on
    main.trainer.step()
    with pytest.raises(RnnvizError, match="steps 5 to 6"):
        history.weights_at(4)
    with pytest.raises(RnnvizError, match="not in the history"):
        history.weights_at(7)


def test_the_runner_replays_a_past_step_while_training_goes_on():
    runner = TrainingRunner(
        Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"])), Telemetry()
    )
    seen: dict[int, dict] = {}
    runner.call(lambda e: e.trainer.on("stepped", lambda r: seen.update({r.step: copied(e)})))
    runner.start()
    try:
        runner.train_steps(60).result(timeout=30)
        runner.train()  # it goes on while the past is replayed
        answers: Queue = Queue()
        spaces: Queue = Queue()
        for step in (7, 30, 59):
            runner.past_snapshot(
                step,
                lambda snapshot, error: answers.put((snapshot, error)),
                on_space=lambda space, error: spaces.put((space, error)),
            )
            snapshot, error = answers.get(timeout=30)
            assert error is None and snapshot.past and snapshot.step == step
            assert snapshot.epoch == seen[step]["epoch"]
            assert same_bits(snapshot.model.params, seen[step]["params"]), f"step {step}"
            assert snapshot.gradient_flow["h"].shape[0] > 0  # the replayed step's own
            space, error = spaces.get(timeout=30)  # once the asks rest, its state space
            assert error is None and space.step == step
        runner.past_snapshot(10**6, lambda snapshot, error: answers.put((snapshot, error)))
        assert "not in the history" in str(answers.get(timeout=30)[1])
    finally:
        assert runner.stop(5.0)


@pytest.mark.parametrize("cell", sorted(ALL_CELLS))
def test_a_past_step_shows_its_own_gradient_flow_copied_or_replayed(cell):
    """A copied step cannot replay its batch: its copy keeps the step's gradient flow."""
    main = Experiment.build(TrainConfig(cell=cell, hidden_size=8), load(["tiny"]))
    history = History()
    history.attach(main.trainer)
    flows = {}
    for _ in range(60):
        main.trainer.step()
        flows[main.trainer.step_count] = gradient_flow(main.trainer.last)
    assert {25, 50} <= history.states.keys()
    for step in (24, 25, 26, 50):
        shown = past_snapshot(history, main, step).gradient_flow
        assert shown.keys() == flows[step].keys() == ({"h", "c"} if cell == "lstm" else {"h"})
        assert same_bits(shown, flows[step]), f"step {step}"


def copied(experiment) -> dict:
    params = {n: p.copy() for n, p in experiment.model.params.items()}
    return {"params": params, "epoch": experiment.trainer.epoch}


def test_a_newer_ask_stops_a_long_replay_which_says_how_far_it_got(monkeypatch):
    monkeypatch.setattr("rnnviz.core.train.scrub.PROGRESS_EVERY_S", 0.0)  # every step said
    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    history = History(budget_bytes=1)  # only the first copy: every replay starts at step 0
    history.attach(main.trainer)
    for _ in range(80):
        main.trainer.step()
    past, answers, said = PastModels(), Queue(), []

    def progressed(step, share):
        said.append((step, share))
        if step == 70 and len(said) == 3:  # the slider moved on while step 70 was replayed
            past.ask(history, main, 20, lambda *answer: answers.put(answer), progressed)

    try:
        past.ask(history, main, 70, lambda *answer: answers.put(answer), progressed)
        snapshot, error = answers.get(timeout=30)
        assert error is None and snapshot.step == 20  # step 70 got no answer
        assert answers.empty()
    finally:
        past.stop()
    assert [share for step, share in said if step == 70] == [1 / 70, 2 / 70, 3 / 70]
    assert [share for step, share in said if step == 20][-1] == 1.0


def test_a_replay_goes_on_from_the_last_one_when_the_step_is_ahead(monkeypatch):
    """A drag to the right asked for steps 60, 61, 62, ... and each was replayed from the copy at
    50: now from the step answered before it, or from where a replay stopped by a newer ask got
    to, and the answer already given keeps its own weights."""
    monkeypatch.setattr("rnnviz.core.train.scrub.PROGRESS_EVERY_S", 0.0)  # every step said
    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    history = History(budget_bytes=2**30)  # copies every SPACING steps: 0, 25, 50, 75
    history.attach(main.trainer)
    seen = {}
    for step in range(1, 81):
        main.trainer.step()
        if step == 62:
            main.trainer.apply(lr=0.02)  # a live change on the way
        seen[step] = {n: p.copy() for n, p in main.model.params.items()}
    past, answers, said = PastModels(), Queue(), []

    def progressed(step, share):
        said.append((step, share))
        if step == 70 and len(said) == 3:  # the slider moved on to 74 meanwhile
            past.ask(history, main, 74, answer, progressed)

    def answer(*answered):
        answers.put(answered)

    def replayed(asked, answered=None):
        said.clear()
        past.ask(history, main, asked, answer, progressed)
        snapshot, error = answers.get(timeout=30)
        step = answered or asked
        assert error is None and snapshot.step == step
        return snapshot, [share for at, share in said if at == step]

    try:
        at_60, shares = replayed(60)
        assert shares[0] == 1 / 10  # from the copy at 50
        at_64, shares = replayed(64)
        assert shares[0] == 1 / 4  # from 60, through the change after 62
        assert same_bits(at_60.model.params, seen[60])  # the answer for 60 is still step 60's
        assert same_bits(at_64.model.params, seen[64])
        _, shares = replayed(63)
        assert shares[0] == 1 / 3  # behind the last one: from 60, which the replay to 64 passed
        at_74, shares = replayed(70, answered=74)  # 70 goes on from 63; at 66 the ask for 74
        assert shares[0] == 1 / 7  # comes, and the next step's end (67) gives way to it: from 67
        assert same_bits(at_74.model.params, seen[74]) and answers.empty()
    finally:
        past.stop()


def test_a_step_back_replays_from_a_state_an_earlier_replay_went_through(monkeypatch):
    """The <- key after a look at step 74 replayed 23 steps from the copy at 50: now from the
    states the replay to 74 went through (every TRAIL_SPACING steps), exactly, flow and all."""
    monkeypatch.setattr("rnnviz.core.train.scrub.PROGRESS_EVERY_S", 0.0)  # every step said
    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    history = History(budget_bytes=2**30)  # copies at 0, 25, 50, 75
    history.attach(main.trainer)
    seen = {}
    for step in range(1, 81):
        main.trainer.step()
        seen[step] = {n: p.copy() for n, p in main.model.params.items()}
    past, answers, said = PastModels(), Queue(), []

    def replayed(step):
        said.clear()
        past.ask(
            history, main, step, lambda *a: answers.put(a), lambda s, share: said.append(share)
        )
        snapshot, error = answers.get(timeout=30)
        assert error is None and same_bits(snapshot.model.params, seen[step])
        assert len(snapshot.gradient_flow["h"])  # the step's own flow: it was replayed
        return said[0]

    try:
        assert replayed(74) == 1 / 24  # from the copy at 50, through 55, 60, 65, 70
        assert replayed(73) == 1 / 3  # from 70
        assert replayed(70) == 1 / 5  # from 65: a step is left to replay
        assert replayed(52) == 1 / 2  # the copy at 50 is nearer
    finally:
        past.stop()


def test_a_state_space_is_analysed_only_once_the_asks_rest():
    """A drag asks again within ANALYSE_AFTER_S of each answer: only where it stops is analysed
    (an analysis of 0.4-0.7 s would hold up every next replay)."""
    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    history = History()
    history.attach(main.trainer)
    for _ in range(40):
        main.trainer.step()
    past, analysed, answered, spaces = PastModels(), [], Queue(), Queue()

    def analyse(model, step):
        analysed.append(step)
        return step

    def on_space(space, error):
        spaces.put((space, error))

    def done(snapshot, error):
        answered.put(snapshot.step)
        if snapshot.step == 10:  # the slider moved on at once
            past.ask(history, main, 20, done, None, analyse, on_space)

    try:
        past.ask(history, main, 10, done, None, analyse, on_space)
        assert [answered.get(timeout=30), answered.get(timeout=30)] == [10, 20]
        assert spaces.get(timeout=30) == (20, None)
        assert analysed == [20]  # step 10's analysis never ran
    finally:
        past.stop()


def test_a_halted_steps_copy_keeps_no_flow():
    """A halted step's norms are not finite: its copy says its flow is unknown, so that the
    history file it goes into can be read back."""
    from rnnviz.core.train.history import state_of

    main = Experiment.build(TrainConfig(cell="gru", hidden_size=8), load(["tiny"]))
    main.trainer.step()
    main.trainer.last.dh_norms[:] = np.nan  # as a halted step leaves them
    assert state_of(main.trainer, pinned=True).flow == {}
