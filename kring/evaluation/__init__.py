"""Evaluation: outcome registration and effect estimation. The statistics live in the Django-free ``core``."""
