"""A run's past, exact at every step, in bounded memory (issue 29).

Full copies of the trainer's state (weights, optimizer slots, the RNG, the epoch's plan, the
schedule's factor) are kept at spaced steps; the weights at step k are replayed from the newest
copy at or before k by the very steps the run took: the same batches and dropout masks (the
copied RNG draws them again), the live setting changes at the steps they came, the same code.
On one BLAS thread the sums run in the same order, so the replayed weights are the run's bits.

Why copies and replay, not deltas: with Adam (or momentum, Adagrad) every weight that has ever
had a gradient moves at every step, its moments decaying but never reaching zero, so one step's
delta is as large as the weights; a copy costs (1 + the optimizer's slots) x the weights.

Retention by age: a copy every `spacing` steps (SPACING at first); while they fit the budget
all stay. Over it, copies thin by age: the newest `per_level` are `spacing` apart, the next
`per_level` twice that, then four times, ... (a copy at age a is kept when its step is a multiple
of spacing x 2^floor(log2(1 + a / (spacing x per_level))), which only grows with age, so a copy
once dropped is never wanted again); per_level halves until they fit, then the spacing doubles.
A step d back then replays fewer than 2 (spacing + d / per_level) steps: near the present
scrubs stay short, and n steps cost O(per_level x log n) copies. The newest NEAR_SPAN steps also
have a copy every NEAR_SPACING steps for NEAR_FOR_S after someone looked back (expect_looks:
the window's timeline; they cost ~4% of the training speed while taken) when those (at most
NEAR_SPAN / NEAR_SPACING + 1) fit in NEAR_SHARE of the budget, which the other copies always
leave them: a look a few steps back, the most common, replays at most NEAR_SPACING - 1 steps. The
first copy and those after a halt or a Restore best are kept whatever the budget (a replay never
runs through a step whose weights came from outside it). Epoch ends are replayed by counting
only: their evaluations change no weight, and the learning-rate factor a plateau schedule sets
there is recorded and put back.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..data.batching import EncodedSet
from ..errors import RnnvizError
from ..insight.flow import gradient_flow
from ..nn.model import SequenceModel
from .config import TrainConfig
from .optim import make_optimizer
from .trainer import Trainer

Progress = Callable[[int, int], None]  # (steps replayed, steps to replay)
SPACING = 25  # steps between copies before the budget thins them
PER_LEVEL = 1024  # copies per age level before the budget thins them (all, in practice)
NEAR_SPAN, NEAR_SPACING = 25, 5  # the newest steps, and the steps between their extra copies
NEAR_SHARE = 1 / 8  # of the budget, at most, for those
NEAR_FOR_S = 120.0  # they are taken this long after the last look back
DEFAULT_BUDGET_MB = 256


@dataclass(frozen=True)
class TrainerState:
    """What the steps after `step` depend on (every array a copy owned by the history)."""

    step: int
    epoch: int
    config: TrainConfig
    params: dict[str, np.ndarray]
    optimizer: dict[str, np.ndarray]  # Optimizer.state_arrays()
    rng: dict  # the bit generator's state
    plan: tuple[np.ndarray, ...]  # the epoch's batches of sentence indices
    position: int  # the next batch of the plan
    lr_scale: float
    pinned: bool  # kept whatever the budget
    train_set: EncodedSet  # what the steps after it read (shared, not copied)
    flow: dict[str, np.ndarray] = field(default_factory=dict)  # the step's own gradient flow
    # back through time (insight/flow.py; {} when unknown), which its copy cannot replay

    @cached_property  # summed once: the budget check adds up every copy at every copy kept
    def nbytes(self) -> int:
        arrays = (*self.params.values(), *self.optimizer.values(), *self.plan)
        return sum(a.nbytes for a in arrays)


@dataclass(frozen=True)
class Event:
    """Something done to the trainer right after step `after` (in the order it was done)."""

    after: int
    kind: str  # "apply" (live changes) or "lr_scale" (the schedule's factor set at an epoch end)
    value: dict | float  # the changes, or the factor


@dataclass
class History:
    """Attach to a trainer before its next step; weights_at(k) for any step since then."""

    budget_bytes: int = DEFAULT_BUDGET_MB * 2**20
    spacing: int = SPACING
    per_level: int = PER_LEVEL
    states: dict[int, TrainerState] = field(default_factory=dict)  # step -> copy
    events: list[Event] = field(default_factory=list)
    trainer: Trainer | None = None
    model: SequenceModel | None = None  # of the run's cell and shape: replays copy it
    blas_threads: int = 1  # the run's BLAS threads: a replay on as many repeats its sums
    _pin_next = False  # the step under way halted: its end is kept
    _near_bytes = 0  # what the copies near the present may take (_near_reserve at the last copy)
    _near_until = 0.0  # time.monotonic() until which they are taken
    _lr_scale = 1.0
    _first = 0

    def attach(self, trainer: Trainer, go_on: bool = False) -> None:
        """Record `trainer` from its state now on: a new history, or with go_on this one's
        continued (the trainer starts where it ends: a history opened from a file, trained on)."""
        if go_on and trainer.step_count != self.last_step:
            raise RnnvizError(
                f"the history ends at step {self.last_step:,}, the model is at step "
                f"{trainer.step_count:,}"
            )
        self.detach()
        if not go_on:
            self.states, self.events, self._first = {}, [], trainer.step_count
        self.trainer, self.model, self._lr_scale = trainer, trainer.model, trainer.lr_scale
        self._keep(pinned=True)
        trainer.on("stepped", self._stepped)
        trainer.on("halt", self._halted)
        trainer.on("applied", self._applied)
        trainer.on("restored", self._restored)

    def detach(self) -> None:
        """Stop recording (a history given up, or about to go on with another trainer)."""
        if self.trainer is not None:
            for event, callback in (
                ("stepped", self._stepped),
                ("halt", self._halted),
                ("applied", self._applied),
                ("restored", self._restored),
            ):
                self.trainer.off(event, callback)
        self.trainer = None

    # --------------------------------------------------------------- recording
    @property
    def recorded(self) -> Trainer:
        """The trainer being recorded (RnnvizError when none is)."""
        if self.trainer is None:
            raise RnnvizError("no run is recorded")
        return self.trainer

    @property
    def first_step(self) -> int:
        """The step it was attached at (its copy is pinned: the history always starts there)."""
        return self._first

    @property
    def last_step(self) -> int:
        return (
            self.trainer.step_count
            if self.trainer is not None
            else max(self.states, default=self._first)
        )

    @property
    def nbytes(self) -> int:
        return sum(state.nbytes for state in self.states.values())

    def _stepped(self, record) -> None:
        trainer = self.recorded
        if trainer.lr_scale != self._lr_scale:  # set by the epoch's end
            self._lr_scale = trainer.lr_scale
            self.events.append(Event(trainer.step_count, "lr_scale", trainer.lr_scale))
        if self._pin_next or trainer.step_count % self.spacing == 0:
            self._keep(pinned=self._pin_next)
            self._pin_next = False
        elif (
            trainer.step_count % NEAR_SPACING == 0
            and self._near_bytes
            and time.monotonic() < self._near_until
        ):
            self._keep(pinned=False)

    def expect_looks(self) -> None:
        """Someone looks back (any thread): keep extra copies near the present for a while."""
        self._near_until = time.monotonic() + NEAR_FOR_S

    def _near_reserve(self) -> int:
        """Bytes the extra copies near the present may take: all they need, when that is at
        most NEAR_SHARE of the budget, else none (there are none)."""
        one_copy = max(state.nbytes for state in self.states.values())
        need = (NEAR_SPAN // NEAR_SPACING + 1) * one_copy  # ages 0, 5, ..., NEAR_SPAN
        return need if need <= NEAR_SHARE * self.budget_bytes else 0

    def _halted(self, halt) -> None:
        self._pin_next = True  # the weights after it were put back from the last good copy

    def _applied(self, changes: dict) -> None:
        self.events.append(Event(self.recorded.step_count, "apply", dict(changes)))

    def _restored(self, best) -> None:
        self._keep(pinned=True)  # weights from outside the steps: replays start here

    def _keep(self, pinned: bool) -> None:
        t = self.recorded
        kept = self.states.get(t.step_count)
        self.states[t.step_count] = state_of(t, pinned or kept is not None and kept.pinned)
        self._near_bytes = self._near_reserve()
        self._sweep()
        while self._spaced_bytes() > self.budget_bytes - self._near_bytes and self._thin():
            pass

    def _near(self, step: int, now: int) -> bool:
        """Whether a copy of `step` is one of those kept near the present at `now`."""
        return now - step <= NEAR_SPAN and step % NEAR_SPACING == 0 and self._near_bytes > 0

    def _spaced_bytes(self) -> int:
        """Bytes of the copies other than the extra ones near the present."""
        return sum(
            state.nbytes
            for step, state in self.states.items()
            if state.pinned or step % self.spacing == 0
        )

    def _thin(self) -> bool:
        """Halve per_level (then double the spacing) and drop the copies no longer wanted;
        False, and nothing changed, when no copy could be dropped (the pinned ones and those
        near the present stay)."""
        now = self.last_step
        if all(state.pinned or self._near(s, now) for s, state in self.states.items()):
            return False
        if self.per_level > 1:
            self.per_level //= 2
        else:
            self.spacing *= 2
        self._sweep()
        return True

    def _sweep(self) -> None:
        """Drop the copies that aged out of their level."""
        now = self.last_step
        for step in [s for s, state in self.states.items() if not state.pinned]:
            if not self.wanted(step, now):
                del self.states[step]

    def wanted(self, step: int, now: int) -> bool:
        """Whether a copy of `step` stays when the run is at `now` (retention by age)."""
        if self._near(step, now):
            return True
        level = (1 + (now - step) // (self.spacing * self.per_level)).bit_length() - 1
        return step % (self.spacing << level) == 0

    # ----------------------------------------------------------------- replay
    def weights_at(self, step: int) -> dict[str, np.ndarray]:
        """The run's weights after `step` (first_step..last_step), exactly: copied if kept,
        else replayed from the newest copy before it (a new dict of new arrays). Safe on another
        thread than the training one for any step before the trainer's."""
        self._check(step)
        if self.trainer is not None and step == self.trainer.step_count:
            return {n: p.copy(order="K") for n, p in self.trainer.model.params.items()}
        return self.trainer_at(step).model.params

    def trainer_at(self, step: int, progress: Progress | None = None) -> Trainer:
        """A trainer (of its own model, without held-out sets) in the state the run had after
        `step`, a step before the recorded trainer's: its epoch, and the step's result in .last
        when the replay ran it (None when `step` was copied). progress(done, total) after each
        step replayed (it may raise to stop the replay)."""
        return self.run_to(self.replayer(step), step, progress)

    def replayer(
        self,
        step: int,
        near: Trainer | None = None,
        passed: dict[int, TrainerState] | None = None,
    ) -> Trainer:
        """A trainer to replay `step` from (before the recorded trainer's): `near`, an earlier
        replay of this history (run_to stepped it on from there), when it is at or before
        `step` and no copy lies between them, else one in the state of the newest copy at or
        before `step` or of `passed` (states earlier replays went through) before it (a step
        is left to replay: its gradient flow)."""
        self._check(step)
        if self.trainer is not None and step >= self.trainer.step_count:
            raise RnnvizError(f"step {step:,} is the run's present, not its past")
        states = dict(self.states)  # the trainer may go on (and thin them) meanwhile
        states.update((s, state) for s, state in (passed or {}).items() if s < step)
        start = max(s for s in states if s <= step)
        if near is not None and start <= near.step_count <= step:
            return near
        return self._replayer(states[start])

    def run_to(self, replay: Trainer, step: int, progress: Progress | None = None) -> Trainer:
        """`replay` (from replayer(step)) stepped on to `step` by the run's own steps, the live
        changes put back where they came (again at its own step: they set values, so twice is
        once)."""
        start = replay.step_count
        events = [e for e in list(self.events) if start <= e.after < step]
        position = 0
        while True:
            while position < len(events) and events[position].after == replay.step_count:
                _put_back(replay, events[position])
                position += 1
            if replay.step_count == step:
                return replay
            replay.step()
            if progress is not None:
                progress(replay.step_count - start, step - start)

    def copied_flow(self, step: int) -> dict[str, np.ndarray]:
        """The gradient flow of copied step `step` ({} when it is not copied, or not known)."""
        state = self.states.get(step)
        return state.flow if state is not None else {}

    def flow_of(self, replay: Trainer) -> dict[str, np.ndarray]:
        """The gradient flow of the step a trainer_at() replay is at: the step it ran, or, when
        the step was copied and nothing ran, the copy's."""
        if replay.last is not None:
            return gradient_flow(replay.last)
        return self.copied_flow(replay.step_count)

    def _check(self, step: int) -> None:
        if not self.first_step <= step <= self.last_step:
            raise RnnvizError(
                f"step {step:,} is not in the history (steps {self.first_step:,} to "
                f"{self.last_step:,})"
            )

    def _replayer(self, state: TrainerState) -> Trainer:
        """A trainer in `state`, on its training set, without held-out sets (its epoch ends
        only count)."""
        if self.model is None:
            raise RnnvizError("the history has no model to replay")
        model = self.model.copy()
        for name, value in state.params.items():
            np.copyto(model.params[name], value)
        replay = Trainer(state.config, model, state.train_set, {})
        replay.optimizer = make_optimizer(state.config.optimizer)
        replay.optimizer.load_state_arrays(state.optimizer)
        replay.rng.bit_generator.state = state.rng
        replay.step_count, replay.epoch = state.step, state.epoch
        replay._plan, replay._position = list(state.plan), state.position
        replay.lr_scale = state.lr_scale
        return replay


def state_of(t: Trainer, pinned: bool) -> TrainerState:
    """A copy of what the trainer's next steps depend on."""
    return TrainerState(
        t.step_count,
        t.epoch,
        t.config,
        {n: p.copy(order="K") for n, p in t.model.params.items()},
        t.optimizer.state_arrays(),
        dict(t.rng.bit_generator.state),
        tuple(t._plan),
        t._position,
        t.lr_scale,
        pinned,
        t.train_set,
        _finite(gradient_flow(t.last)),
    )


def _finite(flow: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The flow, or {} (unknown) when a halted step left non-finite norms in it."""
    return flow if all(np.isfinite(v).all() for v in flow.values()) else {}


def _put_back(trainer: Trainer, event: Event) -> None:
    if isinstance(event.value, dict):  # "apply"
        trainer.apply(**event.value)
    else:  # "lr_scale"
        trainer.lr_scale = event.value
