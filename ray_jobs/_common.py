"""What the entrypoints share: load the recipe, run the stages, print what they produced."""

from __future__ import annotations

import logging
import sys

from mediphi.config import RecipeError, load_recipe
from mediphi.context import RunContext, StageNotReady
from mediphi.pipeline import run_pipeline, show


def run(recipe_ref: str, overrides: list[str], stages: list[str] | None, force: bool) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        recipe = load_recipe(recipe_ref, overrides)
        run_pipeline(recipe, only=stages, force=force)
    except (RecipeError, StageNotReady) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(show(RunContext(recipe)))
    return 0
