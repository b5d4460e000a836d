"""The mediflow stage: MediFlow-style synthetic clinical instructions, SFT and DPO splits.

plan (task x document type x format x difficulty, with the recipe's quotas) -> the generator
writes input document + instruction + output per cell (one JSON-schema call; json-format outputs
are constrained by the task's schema and validated) -> a judge scores every row 1-5 on quality,
alignment, coherence, realism and difficulty -> rows under the thresholds are dropped (counted by
reason) -> near-duplicate instructions removed (MinHash) -> the best-judged fraction gets a
rejected output with one injected, typed error for DPO.

With `import_sft` / `import_dpo` set, real MediFlow JSONL is imported instead (bad lines go to
rejects with their reason). Output: sft/sft.parquet and dpo/dpo.parquet with exactly the MediFlow
columns, rejects/, coverage.md.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import TYPE_CHECKING

import pyarrow as pa

from mediphi import storage
from mediphi.config import MediflowCfg, RecipeError, ServeCfg
from mediphi.context import RunContext
from mediphi.mediflow import errors, judge, plan, report, schema
from mediphi.mediflow.taxonomy import load_taxonomy
from mediphi.rejects import Reject

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

log = logging.getLogger("mediphi.mediflow")


def run(cfg: MediflowCfg, ctx: RunContext) -> dict:
    tax = load_taxonomy(cfg.taxonomy)
    if cfg.import_sft:
        return _import(cfg, ctx, tax)
    import ray

    from mediphi.models.refs import resolve
    from mediphi.serving.batch import generate

    recipe = ctx.recipe
    ctx.ensure_ray()
    prompts = plan.load_prompts(cfg.prompts)
    seed = recipe.run.seed
    # URIs, not copies on this machine: the engines may run on other nodes (see serving.batch).
    generator = resolve(recipe.serve.generator, ctx)
    judge_model = resolve(cfg.judge, ctx) if cfg.judge else generator

    # Prompts are counted as the engines will count them, with each model's tokenizer and context
    # read once (the judge is the generator unless the recipe names another; on S3 each read is a
    # download). An HTTP endpoint's context is its own.
    counted = recipe.generation.transport == "ray_data"
    view = functools.cache(lambda model: engine_view(model, recipe.serve))

    cells = plan.plan_cells(cfg, seed).to_pylist()
    requests = [{**c, **plan.generation_request(c, cfg, tax, prompts)} for c in cells]
    if counted:
        _check_context(requests, *view(generator), cfg)
    log.info("mediflow: generating %d planned rows with %s", len(requests), recipe.serve.generator)
    generated = generate(ray.data.from_items(requests), generator, recipe.generation, recipe.serve).take_all()
    failed = [r["error"] for r in generated if r.get("error")]
    if generated and len(failed) == len(generated):  # a setting, not the model: say which
        raise RuntimeError(f"mediflow: all {len(failed)} generations failed; the first: {failed[0]}")
    if failed:
        log.warning("mediflow: %d of %d generations failed, e.g. %s", len(failed), len(generated), failed[0])
    rows, gen_dropped = judge.accept_generations(generated, tax, prompts)

    judge_requests = [{**r, **plan.judge_request(r, cfg, tax, prompts)} for r in rows]
    too_long = 0
    if counted and judge_requests:
        judge_requests, too_long = judgeable(judge_requests, *view(judge_model))
    log.info("mediflow: judging %d rows with %s", len(judge_requests), cfg.judge or recipe.serve.generator)
    judged = (generate(ray.data.from_items(judge_requests), judge_model, recipe.generation, recipe.serve).take_all()
              if judge_requests else [])
    kept, judge_dropped, below = judge.accept_judged(judged, cfg.thresholds)
    judge_dropped["judge_too_long"] += too_long
    kept, dup_dropped = judge.dedup_rows(kept, cfg.dedup, cfg.dedup_fields, prompts)
    dpo, _ = errors.make_dpo_rows(kept, cfg.dpo_fraction, seed=seed, taxonomy=tax, types=cfg.error_types)

    sft_table, dpo_table = schema.to_table(kept, False), schema.to_table(dpo, True)
    problems = schema.validate_table(sft_table, False, tax) + schema.validate_table(dpo_table, True, tax)
    if problems:
        raise ValueError(f"the mediflow splits do not match the MediFlow schema: {problems[:5]}")
    storage.write_parquet(sft_table, storage.join(ctx.out, "sft", "sft.parquet"))
    storage.write_parquet(dpo_table, storage.join(ctx.out, "dpo", "dpo.parquet"))

    cov = report.coverage(kept, tax)
    storage.write_text(storage.join(ctx.out, "coverage.md"), report.coverage_markdown(cov, tax))
    remaining_near_dups = judge.near_duplicate_pairs([judge.instruction_core(r["instruction"], prompts) for r in kept],
                                                     cfg.dedup.threshold, cfg.dedup.shingle_tokens)
    funnel = report.filter_counts(len(cells), len(kept), gen_dropped, judge_dropped, dup_dropped,
                                  below_threshold=below)
    metrics = {"source": "generated", "generator": recipe.serve.generator, "judge": cfg.judge or recipe.serve.generator,
               "planned": len(cells), "sft_rows": sft_table.num_rows, "dpo_rows": dpo_table.num_rows,
               "filter": funnel, "coverage": _coverage_summary(cov), "error_types": report.error_distribution(dpo),
               "near_duplicate_pairs_kept": len(remaining_near_dups)}
    log.info("mediflow: %d planned -> %d SFT rows, %d DPO pairs; dropped %s", len(cells), sft_table.num_rows,
             dpo_table.num_rows, funnel["dropped_by_reason"])
    return metrics


def _check_context(requests: list[dict], tok: PreTrainedTokenizerBase, limit: int, cfg: MediflowCfg) -> None:
    """Stop before any engine starts when a planned prompt and its generation budget do not fit
    the generator's context: every such cell would fail or be cut short, minutes of engine start
    later (on the tiny recipe with a context of 512, all of them did)."""
    # The prompts differ only by their cell's task, document type, format and difficulty.
    prompts = list({json.dumps(r["messages"], sort_keys=True): r["messages"] for r in requests}.values())
    if not prompts:
        return
    longest = max(_prompt_tokens(tok, prompts))
    if longest + cfg.max_tokens > limit:
        raise RecipeError(
            f"mediflow: the longest generation prompt takes {longest} tokens and mediflow.max_tokens is "
            f"{cfg.max_tokens}, {longest + cfg.max_tokens} in all, more than the generator's context of {limit} "
            "tokens (serve.engine_args.max_model_len, capped at the model's positions): raise "
            "serve.engine_args.max_model_len or lower mediflow.max_tokens")
    log.info("mediflow: the longest generation prompt takes %d of the generator's %d tokens of context, "
             "and mediflow.max_tokens %d", longest, limit, cfg.max_tokens)


def judgeable(requests: list[dict], tok: PreTrainedTokenizerBase, limit: int) -> tuple[list[dict], int]:
    """The judge requests whose prompt and answer (the request's max_tokens) fit the judge's
    context of `limit` tokens, and how many did not.

    A judge prompt carries the generated row (instruction, input, output), so its length is known
    only after generation. One that does not fit would fail in the engine, one error each, and be
    counted as judge_error, as if the judge had broken; it is counted as judge_too_long instead,
    with the settings that make room.
    """
    lengths = _prompt_tokens(tok, [r["messages"] for r in requests])
    answers = [r["sampling"]["max_tokens"] for r in requests]
    fits = [r for r, n, m in zip(requests, lengths, answers, strict=True) if n + m <= limit]
    if dropped := len(requests) - len(fits):
        log.warning("mediflow: %d of %d rows are too long to judge (the longest prompt takes %d tokens, plus up to "
                    "%d for the answer (mediflow.judge_max_tokens), in a context of %d): they are dropped as "
                    "judge_too_long; raise serve.engine_args.max_model_len or lower mediflow.max_tokens to keep them",
                    dropped, len(requests), max(lengths), max(answers), limit)
    return fits, dropped


def engine_view(model: str, serve: ServeCfg) -> tuple[PreTrainedTokenizerBase, int]:
    """The model's tokenizer and the context its engine gets: the recipe's, capped at the model's
    positions. Only the tokenizer and config are fetched, not the weights."""
    from transformers import AutoTokenizer

    from mediphi.models.refs import tokenizer_dir
    from mediphi.serving.app import serve_for

    local = tokenizer_dir(model)
    return AutoTokenizer.from_pretrained(local), serve_for(local, serve).engine_args.max_model_len


def _prompt_tokens(tok: PreTrainedTokenizerBase, messages: list[list[dict]]) -> list[int]:
    """Tokens of each chat prompt as the engine counts them: the chat template and a generation
    prompt, one batched call (the fast tokenizer in Rust)."""
    encoded = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=True)
    return [len(ids) for ids in encoded["input_ids"]]


def _coverage_summary(cov: dict) -> dict:
    """The coverage numbers for the manifest (the full task x document-type grid is coverage.md)."""
    return {k: v for k, v in cov.items() if not isinstance(v, dict | list)} | {
        "per_task": cov.get("per_task", {})}


def _import(cfg: MediflowCfg, ctx: RunContext, tax) -> dict:
    from mediphi.mediflow.importer import import_jsonl

    metrics: dict = {"source": "imported"}
    tables = {}
    for split, uri, is_dpo in (("sft", cfg.import_sft, False), ("dpo", cfg.import_dpo, True)):
        if not uri:
            tables[split] = schema.to_table([], is_dpo)
            storage.write_parquet(tables[split], storage.join(ctx.out, split, f"{split}.parquet"))
            metrics[f"{split}_rows"] = 0
            continue
        result = import_jsonl(uri, dpo=is_dpo)
        tables[split] = result.table
        storage.write_parquet(result.table, storage.join(ctx.out, split, f"{split}.parquet"))
        rejects = Reject.table(result.rejects) if result.rejects else pa.table({"reason": pa.array([], pa.string())})
        storage.write_parquet(rejects, storage.join(ctx.out, "rejects", f"{split}.parquet"))
        metrics[f"{split}_rows"] = result.table.num_rows
        metrics[f"{split}_rejects"] = dict(result.reject_counts)
        log.info("mediflow import %s: %s", split, result.summary())
    rows = tables["sft"].to_pylist()  # the table in hand, not a read back of what was just written
    if rows:
        metrics["coverage"] = _coverage_summary(report.coverage(rows, tax))
    return metrics


def summarize(manifest: dict) -> str:
    from mediphi.tables import format_table

    m = manifest.get("metrics", {})
    lines = [f"  {m.get('source')}: {m.get('sft_rows')} SFT rows, {m.get('dpo_rows')} DPO pairs"
             + (f" from {m.get('planned')} planned cells (generator {m.get('generator')}, judge {m.get('judge')})"
                if m.get("source") == "generated" else "")]
    funnel = m.get("filter", {})
    if funnel.get("dropped_by_reason"):
        lines.append(format_table([("dropped because", "rows"), *sorted(funnel["dropped_by_reason"].items())]))
    cov = m.get("coverage", {})
    if cov:
        lines.append("  coverage: " + ", ".join(f"{k} {v}" for k, v in cov.items() if not isinstance(v, dict)))
    if m.get("error_types"):
        lines.append(format_table([("DPO error type", "pairs"), *sorted(m["error_types"].items())]))
    if "near_duplicate_pairs_kept" in m:
        lines.append(f"  near-duplicate instruction pairs kept: {m['near_duplicate_pairs_kept']}")
    for split in ("sft", "dpo"):
        if m.get(f"{split}_rejects"):
            lines.append(f"  {split} import rejects: {json.dumps(m[f'{split}_rejects'])}")
    return "\n".join(lines)
