"""Views of what a model has learned, computed from its weights: saliency, units, dynamics."""
