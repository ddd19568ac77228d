"""Lessons: presets that make one phenomenon of recurrent networks happen, with checks of it."""
