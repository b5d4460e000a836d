"""The merge stage (`mediphi.merge`): SLERP each expert into the base, then merge them with mergekit.

stage.py holds the stage (`run`, `preflight`, `summarize`), runner.py one mergekit merge as a Ray
task, checks.py the compatibility checks, search.py the optional Ray Tune search.
"""

from mediphi.merge.stage import preflight, run, summarize

__all__ = ["preflight", "run", "summarize"]
