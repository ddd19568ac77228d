"""Training: settings, optimizers, the trainer, experiments, checkpoints, the worker thread and
its telemetry. Builds on rnnviz.core.nn and rnnviz.core.data."""
