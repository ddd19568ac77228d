"""Text and data: tokenizer, vocabulary, file formats, datasets, splits, batches.

Imports nothing from rnnviz.core.nn or rnnviz.core.train.
"""
