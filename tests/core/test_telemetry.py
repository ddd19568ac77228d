import time

import numpy as np
import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.errors import ConfigError
from rnnviz.core.history import DecimatingHistory
from rnnviz.core.insight.flow import DEPTH, FlowHistory
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment
from rnnviz.core.train.runner import TrainingRunner
from rnnviz.core.train.telemetry import Telemetry


def test_history_keeps_everything_until_full():
    h = DecimatingHistory(("a",), capacity=8)
    for i in range(8):
        h.append(i, [float(i)])
    view = h.view()
    assert view.width == 1 and list(view.mean["a"]) == list(range(8))


def test_history_stays_bounded_and_keeps_the_envelope():
    h = DecimatingHistory(("loss",), capacity=64)
    rng = np.random.default_rng(0)
    values = rng.normal(size=10_000)
    values[7777] = 50.0  # a spike must survive decimation
    for i, v in enumerate(values):
        h.append(i, [v])
    view = h.view()
    assert len(view) <= 64 and h.total == 10_000
    assert view.high["loss"].max() == 50.0 and view.low["loss"].min() == values.min()
    assert np.average(view.mean["loss"], weights=np.diff(np.append(view.x, 10_000))) == (
        pytest.approx(values.mean())
    )
    assert h.nbytes() == DecimatingHistory(("loss",), capacity=64).nbytes()


@pytest.fixture
def runner():
    telemetry = Telemetry()
    r = TrainingRunner(
        Experiment.build(TrainConfig.classic(), load(["tiny"])), telemetry, publish_every=0.02
    )
    r.start()
    yield r
    assert r.stop(2.0)


def steps_done(runner) -> int:
    """The trainer's step count, read on the training thread: the answer comes after every
    command sent before it, and after the worker's next step if it is training."""
    return runner.call(lambda experiment: experiment.trainer.step_count).result(timeout=5)


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_runner_trains_pauses_and_steps(runner):
    telemetry = runner.telemetry
    runner.train()
    assert wait_for(lambda: telemetry.read().status.step > 50)
    runner.pause()
    assert wait_for(lambda: telemetry.read().status.state == "paused")
    paused_at = steps_done(runner)
    assert steps_done(runner) == paused_at  # the worker went round its loop without a step
    assert telemetry.read().status.step == paused_at
    runner.step_once()
    assert wait_for(lambda: telemetry.read().status.step == paused_at + 1)
    view = telemetry.read()
    assert view.steps is not None and len(view.steps) == paused_at + 1
    assert view.snapshot is not None and view.snapshot.step == paused_at + 1
    assert view.evaluations["test"].mean["accuracy"].size > 0 and view.epoch_marks


class Clock:
    """A stand-in for the runner's `time` module whose perf_counter moves only when told."""

    sleep = staticmethod(time.sleep)

    def __init__(self):
        self.now = time.perf_counter()

    def perf_counter(self) -> float:
        return self.now


def test_a_paused_status_has_no_speed_and_training_measures_it_again(runner, monkeypatch):
    """No speed is shown as current when nothing trains (it said "Paused" beside "7,383
    tokens/s"); the speed of a new stretch counts no time spent paused."""
    clock = Clock()
    monkeypatch.setattr("rnnviz.core.train.run_status.time", clock)
    runner.train()
    assert wait_for(lambda: steps_done(runner) > 10)  # (the clock stands: no status published)
    clock.now += 1.0  # the speed is measured over half-second stretches
    runner.apply({}).result(timeout=2)  # a command that republishes the status
    trained = runner.telemetry.read().status.tokens_per_s
    assert trained > 0
    runner.pause()
    assert wait_for(lambda: runner.telemetry.read().status.state == "paused")
    assert runner.telemetry.read().status.tokens_per_s == 0
    clock.now += 1000.0  # a long pause
    runner.train()
    assert wait_for(lambda: runner.telemetry.read().status.state == "training")
    before = steps_done(runner)
    assert wait_for(lambda: steps_done(runner) > before + 10)
    clock.now += 1.0
    runner.apply({}).result(timeout=2)
    # the stretch began at Train: not ~1,000 times slower for the pause before it
    assert runner.telemetry.read().status.tokens_per_s > trained / 100


@pytest.mark.slow
def test_early_stopping_ends_the_run_on_the_best_weights_calibrated():
    telemetry = Telemetry()
    config = TrainConfig(hidden_size=16, patience=2, lr=0.05)
    experiment = Experiment.build(config, load(["negation"]))
    runner = TrainingRunner(experiment, telemetry, publish_every=0.02)
    runner.start()
    try:
        runner.set_speed(None)
        runner.train()
        assert wait_for(lambda: telemetry.read().status.state == "finished", timeout=60)
        view = telemetry.read()
        best = experiment.trainer.best
        assert f"kept the weights of epoch {best.epoch}" in view.status.message
        assert view.status.best_step == best.step and view.status.best_epoch == best.epoch
        assert any(text.startswith(f"kept epoch {best.epoch}") for _, text in view.events)
        assert view.snapshot.model.temperature == experiment.model.temperature != 1.0
        latest = view.latest["validation"]
        assert latest.temperature == experiment.model.temperature
        assert latest.reliability.counts.sum() == len(experiment.evaluation_sets["validation"])
        for name, value in best.params.items():
            np.testing.assert_array_equal(view.snapshot.model.params[name], value)
        assert view.snapshot.restored == (best.epoch, best.step)  # it says whose weights
        runner.step_once()
        assert wait_for(lambda: telemetry.read().snapshot.step == view.snapshot.step + 1)
        assert telemetry.read().snapshot.restored is None  # trained on: its own step's
    finally:
        assert runner.stop(2.0)


def test_every_read_sees_the_weights_and_the_status_of_one_step(runner, monkeypatch):
    """The prediction said step 1,968 while the status bar said 1,963: a reader between the
    snapshot and the status (while the insight was recorded) saw one with the other's step.
    Also a pause publishes the weights of the step it paused at, whenever the last snapshot was."""
    seen = []
    recorder = runner.call(lambda _: runner._insight).result(5)
    record = recorder.record_dynamics

    def reading(force=False):  # a reader at the moment in between
        view = runner.telemetry.read()
        seen.append((view.snapshot.step, view.status.step))
        record(force)

    monkeypatch.setattr(recorder, "record_dynamics", reading)
    runner.publish_every = 1e9  # no snapshot from the loop: only the ones commands publish
    runner.train()
    assert wait_for(lambda: steps_done(runner) > 20)
    runner.pause()
    assert wait_for(lambda: runner.telemetry.read().status.state == "paused")
    view = runner.telemetry.read()
    assert view.snapshot.step == view.status.step == steps_done(runner)
    runner.step_once()
    assert wait_for(lambda: runner.telemetry.read().status.step == view.status.step + 1)
    assert seen and all(snapshot == status for snapshot, status in seen), seen


def test_runner_applies_changes_and_records_an_event(runner):
    runner.step_once()
    config = runner.apply({"lr": 0.123}).result(timeout=2)
    assert config.lr == 0.123
    runner.step_once()
    assert wait_for(lambda: runner.telemetry.read().status.lr == 0.123)
    assert any("lr" in text for _, text in runner.telemetry.read().events)
    with pytest.raises(Exception, match="learning rate"):
        runner.apply({"lr": 0}).result(timeout=2)


def test_runner_reset_clears_history(runner):
    runner.train()
    assert wait_for(lambda: runner.telemetry.read().status.step > 10)
    runner.reset(lambda: Experiment.build(TrainConfig(seed=3), load(["tiny"]))).result(timeout=5)
    view = runner.telemetry.read()
    assert view.status.step == 0 and view.steps is None and view.status.state == "ready"


def test_runner_pauses_on_halt(runner):
    runner.apply({"lr": 1e37, "clip_mode": "none", "optimizer": "sgd"}).result(timeout=2)
    runner.reset(
        lambda: Experiment.build(
            TrainConfig(lr=1e37, clip_mode="none", optimizer="sgd", dtype="float32"), load(["tiny"])
        )
    ).result(timeout=5)
    runner.train()
    assert wait_for(lambda: runner.telemetry.read().status.state == "halted")
    assert "non-finite" in runner.telemetry.read().status.message


def test_stop_ends_the_thread_while_training(runner):
    runner.train()
    assert wait_for(lambda: runner.telemetry.read().status.step > 5)
    assert runner.stop(2.0)  # True: the thread has ended


def test_telemetry_memory_is_bounded():
    telemetry = Telemetry(capacity=256)
    record = Experiment.build(TrainConfig(), load(["tiny"])).trainer.step()
    for _ in range(5000):
        telemetry.record_step(record)
        telemetry.record_epoch(1)
    size = telemetry.nbytes()
    for _ in range(5000):
        telemetry.record_step(record)
        telemetry.record_epoch(1)
    assert telemetry.nbytes() == size
    view = telemetry.read()
    assert len(view.steps) <= 256 and len(view.epoch_marks) <= 256
    assert telemetry.read(view.version) is None  # nothing changed since


def test_runner_records_gradient_flow_dynamics_and_unit_words(runner, monkeypatch):
    monkeypatch.setattr("rnnviz.core.train.recorder.DYNAMICS_EVERY", 0.0)
    runner.train()

    def recorded():
        insight = runner.telemetry.read().insight
        return insight.unit_words and len(insight.flow["h"].steps) >= 2

    assert wait_for(recorded)
    runner.pause()
    insight = runner.telemetry.read().insight
    flow = insight.flow["h"]
    assert flow.image.shape[0] == len(flow.steps) >= 2 and 1 <= flow.depth <= flow.image.shape[1]
    assert np.all(np.diff(flow.steps) > 0) and np.isfinite(flow.image[:, 0]).all()
    assert set(insight.dynamics.mean) == {"sigma_max", "rho", "saturation"}
    assert (insight.dynamics.mean["sigma_max"] >= insight.dynamics.mean["rho"] - 1e-9).all()
    words = insight.unit_words[0]
    assert len(words.positive) == len(words.negative) == 64 and words.step > 0
    assert runner.reset(lambda: Experiment.build(TrainConfig.classic(), load(["tiny"]))).result(5)
    assert runner.telemetry.read().insight.flow == {}


def test_flow_history_averages_the_depths_each_batch_reached():
    history = FlowHistory(capacity=4)
    history.append(1, np.array([1.0, 2.0]))
    history.append(2, np.array([3.0]))
    image = history.view()
    assert image.steps.tolist() == [1, 2] and image.width == 1 and image.depth == 2
    assert image.image[0, :2].tolist() == [1.0, 2.0] and np.isnan(image.image[1, 1])
    for step in range(3, 6):  # fills and merges pairs: (1, 2), (3, 4), 5
        history.append(step, np.full(DEPTH + 5, float(step)))  # longer than DEPTH: cut
    merged = history.view()
    assert merged.steps.tolist() == [1, 3, 5] and merged.width == 2
    assert merged.image[0, 0] == 2.0 and merged.image[0, 1] == 2.0  # depth 1: one batch
    assert merged.image[1, DEPTH - 1] == 3.5 and np.isnan(merged.image[0, 2])


def test_runs_beside_the_window_run_share_its_batches_and_can_pause(runner):
    label, telemetry = runner.add_run({"cell": "gru", "hidden_size": 8}).result(10)
    assert label == "cell=gru,hidden-size=8"
    seen = {"main": [], "side": []}
    runner.call(
        lambda e: e.trainer.on("step", lambda _: seen["main"].append(e.trainer.last_batch.indices))
    ).result(5)
    companion = runner._side_runs.runs[0]
    side = companion.experiment.trainer
    runner.call(
        lambda _: side.on("step", lambda _: seen["side"].append(side.last_batch.indices))
    ).result(5)
    runner.call(lambda e: [e.trainer.step() for _ in range(12)]).result(10)  # 3 epochs of tiny
    assert [b.tolist() for b in seen["main"]] == [b.tolist() for b in seen["side"]]
    assert side.step_count == 12 and side.epoch == 3
    assert side.model.hidden_size == 8 and companion.experiment.vocab is not None
    runner.pause_run(label, True)
    runner.call(lambda e: [e.trainer.step() for _ in range(4)]).result(10)
    assert side.step_count == 12
    assert wait_for(lambda: telemetry.read().status.state == "paused")
    runner.pause_run(label, False)
    runner.call(lambda e: e.trainer.step()).result(10)
    assert side.step_count == 13
    assert wait_for(lambda: telemetry.read().snapshot.step == 13)
    assert len(telemetry.read().steps) == 13 and telemetry.read().evaluations["test"]
    with pytest.raises(ConfigError, match="already there"):
        runner.add_run({"cell": "gru", "hidden_size": 8}).result(10)
    runner.reset(lambda: Experiment.build(TrainConfig.classic(), load(["tiny"]))).result(10)
    side_runs = runner._side_runs.runs
    assert side_runs[0].experiment.trainer.step_count == 0  # rebuilt beside the new run
    assert telemetry.read().steps is None
    runner.remove_run(label)
    assert wait_for(lambda: not runner._side_runs.runs)


def test_a_run_beside_a_loaded_model_counts_on_from_its_step(runner):
    """Beside a model resumed at step 37 (or one that has trained 37 steps) a run takes its
    first step as step 38, on the same axis: the plots spanned 0-3,900 for a run at 3,736."""
    runner.call(lambda e: [e.trainer.step() for _ in range(37)]).result(10)
    label, telemetry = runner.add_run({"hidden_size": 8}).result(10)
    runner.step_once()
    assert wait_for(lambda: telemetry.read().steps is not None)
    assert telemetry.read().steps.x.tolist() == [38]
    assert telemetry.read().status.epoch == runner.telemetry.read().status.epoch

    def resumed():
        experiment = Experiment.build(TrainConfig.classic(), load(["tiny"]))
        experiment.trainer.resume(3736, 934, {})
        return experiment

    runner.reset(resumed).result(10)
    runner.step_once()
    assert wait_for(lambda: telemetry.read().steps is not None)
    assert telemetry.read().steps.x.tolist() == [3737]


def test_every_step_counts_on_the_trained_clock_train_step_or_script(runner):
    """The status's `elapsed` sums the time of the window's steps, whoever asked for them."""
    status = lambda: runner.telemetry.read().status  # noqa: E731
    runner.step_once()
    assert wait_for(lambda: status().step == 1)
    after_one = status().elapsed
    assert after_one > 0
    assert runner.train_steps(20).result(30) == 20
    runner.set_speed(None)  # any command republishes the status
    assert wait_for(lambda: status().step == 21 and status().elapsed > after_one)
    assert status().state == "paused"  # a script steps as Step does: it does not start Train


def test_step_after_early_stopping_trains_on(runner):
    """Step, like Train, is the user asking for more: a finished run takes the step."""
    runner.call(lambda experiment: setattr(experiment.trainer, "finished", True)).result(5)
    runner.step_once()
    assert wait_for(lambda: runner.telemetry.read().status.step == 1)
    assert runner.call(lambda experiment: experiment.trainer.finished).result(5) is False


@pytest.mark.parametrize(
    "live",
    [
        {"lr": 0.0321},
        {"clip_mode": "value", "clip": 0.25},
        {"dropout": 0.1, "word_dropout": 0.05, "weight_decay": 0.001},
        {"batch_size": 3, "bptt_truncate": 4, "optimizer": "sgd"},
    ],
)
def test_a_run_added_after_a_live_change_starts_from_the_live_settings(runner, live):
    """One live config: the trainer's. A side run is the live settings plus its own changes."""
    assert runner.apply(live).result(10).to_dict().items() >= live.items()
    runner.add_run({"cell": "lstm"}).result(10)

    def both(experiment):
        return experiment.config, runner._side_runs.runs[0].experiment.config

    main, side = runner.call(both).result(5)
    assert main.to_dict().items() >= live.items()
    assert side.to_dict() == {**main.to_dict(), "cell": "lstm"}


def test_a_units_contexts_are_a_named_command(runner):
    runner.train_steps(3).result(10)
    step, positive, negative = runner.unit_contexts(0, top=5).result(10)
    assert step == 3 and len(positive) == len(negative) == 5
    assert positive[0].value >= positive[-1].value and negative[0].value <= negative[-1].value
    assert runner.unit_contexts(10_000).result(10) == (3, [], [])  # a unit the model lacks
