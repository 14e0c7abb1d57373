"""Training for Stick-Gen: ``python -m training.train --config small`` (see training/train.py and docs/TRAINING.md)."""
