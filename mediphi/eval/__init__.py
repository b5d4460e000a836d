"""Evaluation: the CLUE+ tasks, held-out perplexity and the run report (see stage.py)."""
