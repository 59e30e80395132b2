"""Skirmish, the small SMAC-like test env (action masks, agents dying at different times, early ends), from
``paperkit.skirmish``; kept here so that ``--env mast.skirmish`` works from the CLI."""

from paperkit.skirmish import Skirmish, parallel_env

__all__ = ["Skirmish", "parallel_env"]
