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
  mediphi eval --model DIR --tasks mednli,meqsum   CLUE+ tasks on any HF model folder
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

    p = sub.add_parser("serve", help="serve the run's models over an OpenAI-compatible API (Ray Serve + vLLM)")
    _recipe_args(p)
    p.add_argument("--model", action="append", default=[], metavar="NAME=PATH",
                   help="serve this model under NAME; PATH is a folder, s3:// URI or a run model name "
                   "(base, merged, aligned, latest, expert-<domain>, slerp-<domain>); repeatable. "
                   "Default: generator=<serve.generator> and mediphi=latest")
    p.add_argument("--host", help="bind address (default: the recipe's serve.host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: the recipe's serve.port, 8000)")

    p = sub.add_parser("eval", help="evaluate any HF model folder on the CLUE+ tasks, outside a run")
    p.add_argument("--model", required=True, metavar="PATH", help="a model folder (local or s3://)")
    p.add_argument("--tasks", help="comma-separated task names (default: the recipe's eval.tasks, else all 12)")
    p.add_argument("--recipe", default="tiny", help="recipe for the eval, serve and generation settings (default: tiny)")
    p.add_argument("--out", metavar="DIR", help="also write report.md, report.json, predictions and plots here")
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
    if args.command == "serve":
        return _serve(recipe, args)
    if args.command == "eval":
        return _eval(recipe, args)
    only = [args.name] if args.command == "stage" else None
    try:
        pipeline.run_pipeline(recipe, only=only, force=args.force)
    except StageNotReady as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ctx = RunContext(recipe)
    print(pipeline.show(ctx))
    if args.command == "run":
        print(_next_steps(args.recipe, ctx))
    return 0


def _next_steps(recipe_arg: str, ctx) -> str:
    """What to do with a finished run: look at it, serve it, query it."""
    commands = [
        (f"mediphi show {ctx.root}", "this summary again"),
        (f"tensorboard --logdir {ctx.root}/tensorboard", "every training stage's curves"),
        (f"mediphi serve {recipe_arg}", "the run's model on http://127.0.0.1:8000/v1, as model 'mediphi'"),
    ]
    width = max(len(c) for c, _ in commands) + 2
    lines = ["", "next:", *(f"  {c:<{width}}# {why}" for c, why in commands)]
    lines += ["  then, in another shell:",
              "  curl http://127.0.0.1:8000/v1/chat/completions -H 'Content-Type: application/json' \\",
              "    -d '{\"model\": \"mediphi\", \"messages\": [{\"role\": \"user\", \"content\": "
              "\"What does HbA1c measure?\"}], \"max_tokens\": 64}'",
              "  (README.md, 'Serving a run's model': the same with the openai client, and API keys)"]
    return "\n".join(lines)


def _serve(recipe, args) -> int:
    from mediphi.context import RunContext, StageNotReady
    from mediphi.models.refs import resolve
    from mediphi.serving.app import serve_models

    if args.host:
        recipe.serve.host = args.host
    if args.port:
        recipe.serve.port = args.port
    ctx = RunContext(recipe)
    wanted = dict(m.split("=", 1) for m in args.model) if args.model else {
        "generator": recipe.serve.generator, "mediphi": "latest"}
    try:
        models = {name: resolve(ref, ctx) for name, ref in wanted.items()}
    except (FileNotFoundError, StageNotReady) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not (recipe.run.ray.address or os.environ.get("RAY_ADDRESS")):
        from mediphi import storage

        # An embedded cluster shares this machine's disk: fetch s3:// models once, here. On a
        # remote cluster the URI goes to ray.serve.llm, which downloads on the replica's node.
        models = {name: str(storage.localize(uri)) if storage.is_s3(uri) else uri for name, uri in models.items()}
    ctx.ensure_ray()
    url = serve_models(models, recipe.serve)
    key_hint = ' -H "Authorization: Bearer $KEY"' if recipe.serve.api_key_env or recipe.serve.api_key_file else ""
    name = next(iter(models))
    print(f"serving {', '.join(models)} at {url}\n"
          f"  curl {url}/models{key_hint}\n"
          f"  curl {url}/chat/completions{key_hint} -H 'Content-Type: application/json' "
          f"-d '{{\"model\": \"{name}\", \"messages\": [{{\"role\": \"user\", \"content\": \"Hello\"}}]}}'\n"
          "Ctrl-C stops it.", flush=True)
    from mediphi.serving.app import block

    block()
    return 0


def _eval(recipe, args) -> int:
    from mediphi.eval.runner import average, evaluate_model
    from mediphi.eval.tasks import TASKS
    from mediphi.tables import format_table

    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()] if args.tasks else None
    unknown = [t for t in tasks or [] if t not in TASKS]
    if unknown:
        print(f"error: unknown task(s) {', '.join(unknown)}; the tasks are {', '.join(TASKS)}", file=sys.stderr)
        return 2
    try:
        scores = evaluate_model(args.model, tasks, recipe, out=args.out)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = [("task", "metric", "score")]
    rows += [(TASKS[t].title, TASKS[t].metric, "n/a" if v is None else v) for t, v in scores.items()]
    avg = average(scores)
    rows.append(("Average", "", "n/a" if avg is None else avg))
    print(f"{args.model} on {len(scores)} CLUE+ tasks (0-100):\n{format_table(rows)}")
    if args.out:
        print(f"report: {args.out.rstrip('/')}/report.md")
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
