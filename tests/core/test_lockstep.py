"""Runs side by side: the same batches in the same order, each run on its own."""

import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.errors import ConfigError
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.lockstep import Lockstep, parse_run


@pytest.fixture(scope="module")
def tiny():
    return load(["tiny"])


def recorded_batches(lockstep: Lockstep) -> list[list]:
    """Wrap each run's trainer.step to remember the batches it is given."""
    seen = []
    for experiment in lockstep.experiments:
        trainer, batches = experiment.trainer, []
        step = trainer.step

        def recording(batch=None, step=step, batches=batches):
            batches.append(batch.indices.tolist())
            return step(batch)

        trainer.step = recording
        seen.append(batches)
    return seen


def test_runs_see_the_same_batches_and_keep_their_own_epochs(tiny):
    runs = [parse_run("cell=vanilla"), parse_run("cell=lstm, hidden-size=16, lr=0.01")]
    lockstep = Lockstep.build(TrainConfig.classic(batch_size=8), tiny, runs)
    assert lockstep.labels == ["cell=vanilla", "cell=lstm,hidden-size=16,lr=0.01"]
    vanilla, lstm = lockstep.experiments
    assert vanilla.vocab == lstm.vocab and lstm.model.hidden_size == 16
    seen = recorded_batches(lockstep)
    lockstep.run_epoch()
    lockstep.run_epoch()
    n = len(vanilla.train_set)
    per_epoch = -(-n // 8)
    assert seen[0] == seen[1] and len(seen[0]) == 2 * per_epoch
    assert sorted(i for batch in seen[0][:per_epoch] for i in batch) == list(range(n))
    assert seen[0][:per_epoch] != seen[0][per_epoch:]  # each epoch shuffled anew
    assert vanilla.trainer.epoch == lstm.trainer.epoch == 2
    assert vanilla.trainer.step_count == lstm.trainer.step_count == 2 * per_epoch


def test_a_halted_run_stops_while_the_others_go_on(tiny):
    # an absurd learning rate in float32 overflows within a few steps (see test_trainer)
    runs = [parse_run("lr=0.1"), parse_run("lr=1e37,clip-mode=none,optimizer=sgd,dtype=float32")]
    lockstep = Lockstep.build(TrainConfig.classic(), tiny, runs)
    for _ in range(3):
        lockstep.run_epoch()
    steady, exploded = lockstep.experiments
    assert exploded.trainer.halt is not None and exploded not in lockstep.active
    assert steady.trainer.epoch == 3 and exploded.trainer.step_count < steady.trainer.step_count


@pytest.mark.parametrize(
    "text, message",
    [
        ("cell", "KEY=VALUE"),
        ("batch_size=4", "keys"),
        ("hidden-size=big", "wants a int"),
    ],
)
def test_run_strings_are_checked(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_run(text)


def test_a_run_takes_the_command_line_names_of_a_setting():
    # train said --hidden while a run wanted hidden-size=; each now takes both
    assert parse_run("hidden-size=16") == parse_run("hidden=16") == {"hidden_size": 16}
    assert parse_run("hidden_size=16, word-dropout=0.1") == {"hidden_size": 16, "word_dropout": 0.1}


def test_identical_runs_and_too_many_runs_are_refused(tiny):
    with pytest.raises(ConfigError, match="same settings"):
        Lockstep.build(TrainConfig.classic(), tiny, [{"lr": 0.1}, {"lr": 0.1}])
    with pytest.raises(ConfigError, match="1 to 4 runs"):
        Lockstep.build(TrainConfig.classic(), tiny, [{"lr": 0.1 * k} for k in range(1, 6)])
