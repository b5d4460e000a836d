"""Entrypoint for `ray job submit`: one stage of the pipeline (its inputs must exist in storage).

    ray job submit --working-dir . -- python ray_jobs/stage.py experts --recipe mediphi-3.8b
"""

from __future__ import annotations

import argparse
import sys

from _common import run


def main(argv: list[str] | None = None) -> int:
    from mediphi.pipeline import STAGE_NAMES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=STAGE_NAMES)
    parser.add_argument("--recipe", default="tiny", help="packaged recipe name or YAML path")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE")
    parser.add_argument("--force", action="store_true", help="rerun the stage even when current")
    args = parser.parse_args(argv)
    return run(args.recipe, args.overrides, stages=[args.stage], force=args.force)


if __name__ == "__main__":
    sys.exit(main())
