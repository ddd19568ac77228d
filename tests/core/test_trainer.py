import numpy as np
import pytest

from rnnviz.core.data.datasets import load
from rnnviz.core.errors import ConfigError
from rnnviz.core.insight.flow import gradient_flow
from rnnviz.core.train.config import TrainConfig
from rnnviz.core.train.experiment import Experiment
from rnnviz.core.train.trainer import GOOD_WEIGHTS_EVERY


def make_trainer(config, data):
    """The trainer of a freshly built experiment."""
    return Experiment.build(config, data).trainer


@pytest.fixture(scope="module")
def tiny():
    return load(["tiny"])


def losses(trainer, steps):
    return [trainer.step().loss for _ in range(steps)]


def test_same_config_and_seed_give_identical_loss_history(tiny):
    cfg = TrainConfig.classic(seed=5)
    assert losses(make_trainer(cfg, tiny), 40) == losses(make_trainer(cfg, tiny), 40)
    assert losses(make_trainer(cfg.updated(seed=6), tiny), 40) != losses(
        make_trainer(cfg, tiny), 40
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_classic_setup_learns_tiny_to_full_test_accuracy_in_100_epochs(tiny, seed):
    trainer = make_trainer(TrainConfig.classic(epochs=100, seed=seed), tiny)
    trainer.run()
    assert trainer.evaluate("test").accuracy == 1.0


def test_the_step_that_completes_an_epoch_ends_it(tiny):
    """Epochs count the same way in the window (stepping) and the CLI (run): after step k * n,
    with n steps per epoch, k epochs are complete and the k-th evaluation has been made."""
    # 60 sentences: 4 steps per epoch
    trainer = make_trainer(TrainConfig.classic(batch_size=16), tiny)
    evaluations = []
    trainer.on("evaluation", evaluations.append)
    for step in range(1, 13):
        record = trainer.step()
        assert record.epoch == (step - 1) // 4
        assert trainer.epoch == step // 4
    assert [(e.epoch, e.step) for e in evaluations] == [(1, 4), (2, 8), (3, 12)]


def test_step_record_carries_clip_numbers(tiny):
    trainer = make_trainer(TrainConfig.classic(clip_mode="norm", clip=1e-3), tiny)
    record = trainer.step()
    assert record.clipped and record.global_after == pytest.approx(1e-3)
    assert set(record.norms_before) == {"W_ih", "W_hh", "b_ih", "W_hy", "b_y"}
    assert record.tokens > 0 and record.seconds > 0 and record.lr == trainer.config.lr


def test_epochs_evaluations_and_events(tiny):
    trainer = make_trainer(TrainConfig.classic(batch_size=16, epochs=3), tiny)
    seen = {"evaluation": [], "epoch_end": []}
    for event, store in seen.items():
        trainer.on(event, store.append)
    trainer.run()
    assert seen["epoch_end"] == [1, 2, 3]
    assert [e.epoch for e in seen["evaluation"]] == [1, 2, 3]
    assert trainer.step_count == 3 * 4  # 60 sentences / 16 = 4 batches per epoch


def test_live_changes_between_steps(tiny):
    trainer = make_trainer(TrainConfig.classic(), tiny)
    trainer.step()
    trainer.apply(lr=0.5, clip_mode="value", clip=0.01, optimizer="sgd", batch_size=5)
    record = trainer.step()
    assert record.lr == 0.5 and trainer.optimizer.name == "sgd"
    assert all(
        v <= 0.01 * np.sqrt(trainer.model.params[n].size) + 1e-12
        for n, v in record.norms_after.items()
    )
    with pytest.raises(ConfigError):
        trainer.apply(lr=-1)
    with pytest.raises(ConfigError):
        trainer.apply(learning_rate=1)


def test_nan_guard_restores_last_good_weights(tiny):
    trainer = make_trainer(TrainConfig.classic(), tiny)
    for _ in range(GOOD_WEIGHTS_EVERY + 3):
        trainer.step()
    good = {n: p.copy() for n, p in trainer._good[1].items()}
    trainer.model.params["W_hy"][0, 0] = np.nan  # poison the weights
    halts = []
    trainer.on("halt", halts.append)
    record = trainer.step()
    assert record.halted and halts and "non-finite loss" in halts[0].reason
    assert f"weights restored to step {GOOD_WEIGHTS_EVERY + 1}." in halts[0].reason
    for name, value in good.items():
        np.testing.assert_array_equal(trainer.model.params[name], value)


def test_exploding_run_halts_instead_of_corrupting_weights(tiny):
    # tanh saturates, so even lr=10 without clipping stays finite for this model; an absurd
    # learning rate in float32 overflows within a few steps
    cfg = TrainConfig.classic(lr=1e37, clip_mode="none", optimizer="sgd", dtype="float32")
    trainer = make_trainer(cfg, tiny)
    trainer.run(epochs=50)
    assert trainer.halt is not None and trainer.step_count < 50
    assert all(np.isfinite(p).all() for p in trainer.model.params.values())
    assert "lower the learning rate" in trainer.halt.reason.lower()


def test_early_stopping_on_validation_loss(tiny):
    cfg = TrainConfig(validation_fraction=0.2, patience=2, epochs=500, lr=0.05)
    trainer = make_trainer(cfg, tiny)
    trainer.run()
    assert trainer.finished and trainer.epoch < 500


def test_gradient_flow_is_aligned_on_sentence_ends(tiny):
    trainer = make_trainer(TrainConfig.classic(), tiny)
    trainer.step()
    flow = gradient_flow(trainer.last)
    assert list(flow) == ["h"]  # the vanilla cell has no cell state
    assert flow["h"].shape == (trainer.last.dh_norms.shape[1],) and flow["h"][0] > 0


def test_a_batch_size_change_mid_epoch_rechunks_the_rest_of_the_epoch(tiny, monkeypatch):
    """Every sentence still comes exactly once per epoch, in batches of the new size."""
    from rnnviz.core.data.batching import EncodedSet

    trainer = make_trainer(TrainConfig.classic(batch_size=16), tiny)  # 60 sentences: 3 x 16 and 12
    seen = []
    original = EncodedSet.batch

    def recording(self, indices):
        if self is trainer.train_set:  # not the evaluation at the epoch's end
            seen.append(np.array(indices))
        return original(self, indices)

    monkeypatch.setattr(EncodedSet, "batch", recording)
    trainer.step()
    trainer.apply(batch_size=5)
    while trainer.epoch == 0:
        trainer.step()
    sizes = [len(s) for s in seen]
    assert sizes[0] in (12, 16) and sum(sizes) == 60
    assert max(sizes[1:]) == 5 and sum(size < 5 for size in sizes[1:]) <= 1
    np.testing.assert_array_equal(np.sort(np.concatenate(seen)), np.arange(60))
