"""The `mediphi` command. Each subcommand parses arguments and calls one plain function."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from mediphi.config import RecipeError, load_recipe, packaged_recipes

EPILOG = """\
examples:
  mediphi run tiny                         the whole pipeline on the CPU recipe (minutes)
  mediphi run tiny --set run.name=try2     the same into another run folder
  mediphi stage corpus tiny                one stage (its inputs must exist)
  mediphi show runs/tiny                   what each stage of a run produced, with metrics
  mediphi run my.yaml --set run.storage=s3://bucket/runs

A RECIPE is a packaged name (%s) or a YAML file. --set KEY.PATH=VALUE overrides any recipe key;
VALUE is read as YAML (numbers, true/false, [lists]). Stages whose recipe sections and inputs
are unchanged are skipped, so a stopped run resumes where it stopped.
"""


def _recipe_args(p: argparse.ArgumentParser, optional: bool = True) -> None:
    p.add_argument("recipe", nargs="?" if optional else None, default="tiny",
                   help="packaged recipe name or YAML path (default: tiny)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE",
                   help="override a recipe key; repeatable")


def build_parser() -> argparse.ArgumentParser:
    from mediphi.pipeline import STAGE_NAMES

    parser = argparse.ArgumentParser(
        prog="mediphi",
        description="Turn a small general language model into a clinical one: corpora -> "
        "pre-instruction-tuned domain experts -> merge -> SFT/DPO -> eval -> serve, on Ray.",
        epilog=EPILOG % ", ".join(packaged_recipes()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run every stage in order, skipping those already complete")
    _recipe_args(p)
    p.add_argument("--force", action="store_true", help="rerun stages even when current")

    p = sub.add_parser("stage", help=f"run one stage ({', '.join(STAGE_NAMES)})")
    p.add_argument("name", choices=STAGE_NAMES, metavar="NAME", help=", ".join(STAGE_NAMES))
    _recipe_args(p)
    p.add_argument("--force", action="store_true", help="rerun even when current")

    p = sub.add_parser("show", help="print what each stage of a run produced, with its metrics")
    p.add_argument("run", help="a run folder (local or s3://), or a recipe name/file")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE")

    sub.add_parser("recipes", help="list the packaged recipes")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    try:
        return _dispatch(args)
    except RecipeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _dispatch(args) -> int:
    from mediphi import pipeline
    from mediphi.context import RunContext, StageNotReady

    if args.command == "recipes":
        print("\n".join(packaged_recipes()))
        return 0
    if args.command == "show":
        recipe = _recipe_for_run(args.run, args.overrides)
        print(pipeline.show(RunContext(recipe)))
        return 0
    recipe = load_recipe(args.recipe, args.overrides)
    only = [args.name] if args.command == "stage" else None
    try:
        pipeline.run_pipeline(recipe, only=only, force=args.force)
    except StageNotReady as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(pipeline.show(RunContext(recipe)))
    return 0


def _recipe_for_run(run: str, overrides: list[str]):
    """`show` takes a run folder (the pipeline saves its recipe there) or a recipe."""
    from pathlib import Path

    from mediphi import storage
    from mediphi.config import parse_recipe

    saved = storage.join(run, "recipe.yaml")
    if "://" not in run and not os.path.isdir(run):
        return load_recipe(run, overrides)
    if not storage.exists(saved):
        raise RecipeError(f"{run} is not a run folder (no recipe.yaml in it)")
    recipe = parse_recipe(storage.read_text(saved), saved, Path.cwd(), overrides)
    # The folder is authoritative for where the run lives, even if it was moved.
    recipe.run.storage, recipe.run.name = run.rstrip("/").rsplit("/", 1)
    return recipe


if __name__ == "__main__":
    sys.exit(main())
