"""Entrypoint for `ray job submit`: the whole pipeline on the cluster the job runs in.

    ray job submit --working-dir . --runtime-env ray_jobs/runtime_env.cpu.yaml -- \
        python ray_jobs/pipeline.py --recipe tiny --set run.storage=s3://bucket/runs

Inside a Ray job, RAY_ADDRESS is set, so the stages connect to the job's cluster instead of
starting one; artifacts go to the recipe's storage (S3 on a cluster).
"""

from __future__ import annotations

import argparse
import sys

from _common import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", default="tiny", help="packaged recipe name or YAML path")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY.PATH=VALUE")
    parser.add_argument("--force", action="store_true", help="rerun stages even when current")
    args = parser.parse_args(argv)
    return run(args.recipe, args.overrides, stages=None, force=args.force)


if __name__ == "__main__":
    sys.exit(main())
