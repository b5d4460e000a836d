"""Evaluate models on the tasks: prompts for every task of a model go into one Ray Dataset and
through the serving issue's batch generation, so each model starts one engine; then each
task's metric scores the answers.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from mediphi import storage
from mediphi.config import EvalCfg, Recipe
from mediphi.eval.data import Example, load_examples, split_examples, task_uri
from mediphi.eval.prompts import PromptFitter
from mediphi.eval.tasks import TASK_NAMES, Task, get_task
from mediphi.models.refs import tokenizer_dir
from mediphi.rejects import Reject
from mediphi.serving.app import serve_for

log = logging.getLogger("mediphi.eval")

@dataclass
class TaskData:
    """One task's examples, loaded once and shared by every model."""

    task: Task
    uri: str
    shots: list[Example]
    scored: list[Example]
    rejects: list[Reject]


def load_tasks(cfg: EvalCfg, seed: int, names: list[str] | None = None) -> dict[str, TaskData]:
    out = {}
    for name in names or cfg.tasks or list(TASK_NAMES):
        task = get_task(name)
        uri = task_uri(name, cfg.task_paths)
        examples, rejects = load_examples(task, uri, cfg.task_fields.get(name))
        for r in rejects:
            log.warning("eval %s: skipped %s line %d (%s: %s)", name, r.file, r.line, r.reason, r.detail)
        k = task.k if cfg.few_shot is None else cfg.few_shot
        shots, scored = split_examples(examples, k, cfg.max_examples, seed)
        out[name] = TaskData(task, uri, shots, scored, rejects)
        log.info("eval %s: %d examples scored, %d shots, %d lines rejected (%s)", name, len(scored), len(shots),
                 len(rejects), uri)
    return out


def build_requests(tasks: dict[str, TaskData], fitter: PromptFitter, cfg: EvalCfg,
                   seed: int) -> tuple[list[dict], dict[tuple[str, int], dict]]:
    """Generation rows for every scored example of every task, and how each prompt was fitted."""
    rows, fitted = [], {}
    for name, td in tasks.items():
        for i, ex in enumerate(td.scored):
            schema = td.task.schema(ex.row)
            # The cap shortens free text only: a JSON answer cut short does not parse, and a
            # constrained answer stops by itself when its object closes.
            cap = td.task.max_tokens if schema else min(td.task.max_tokens, cfg.max_tokens or td.task.max_tokens)
            max_tokens = min(cap, fitter.max_model_len // 2)
            messages, info = fitter.fit(td.task, ex.row, td.shots, max_tokens)
            rows.append({
                "task": name, "index": i, "messages": messages,
                # Greedy decoding: a benchmark answer should not depend on sampling luck.
                "sampling": {"max_tokens": max_tokens, "temperature": 0.0, "top_p": 1.0, "seed": seed},
                "json_schema": json.dumps(schema) if schema else "",
            })
            fitted[(name, i)] = info
    return rows, fitted


def prepare(model: str, tasks: dict[str, TaskData], cfg: EvalCfg, recipe: Recipe) -> tuple[list[dict], dict]:
    """One model's generation rows (prompts fitted to its context) and how each was fitted."""
    from transformers import AutoTokenizer

    local = tokenizer_dir(model)
    serve = serve_for(local, recipe.serve)
    fitter = PromptFitter(AutoTokenizer.from_pretrained(local), serve.engine_args.max_model_len)
    return build_requests(tasks, fitter, cfg, recipe.run.seed)


def score_answers(model_name: str, tasks: dict[str, TaskData], outputs: dict,
                fitted: dict) -> tuple[dict[str, dict], list[dict]]:
    """Per task: {score, metric, extras, counts}; and one prediction record per scored example."""
    results, records = {}, []
    for name, td in tasks.items():
        preds, refs, failed, cut = [], [], 0, 0
        for i, ex in enumerate(td.scored):
            out = outputs.get((name, i), {"generated_text": "", "finish_reason": "error", "error": "no output row"})
            failed += bool(out["error"])
            info = fitted[(name, i)]
            cut += info["shots"] < len(td.shots) or info["document_chars"] is not None
            preds.append(None if out["error"] else td.task.parse(out["generated_text"]))
            refs.append(td.task.reference(ex.row))
        scored = td.task.score(preds, refs) if refs else None
        for i, ex in enumerate(td.scored):
            out = outputs.get((name, i), {})
            records.append({"model": model_name, "task": name, "example": ex.id, "shots": fitted[(name, i)]["shots"],
                            "prompt_tokens": fitted[(name, i)]["tokens"], "generated_text": out.get("generated_text", ""),
                            "prediction": preds[i], "reference": refs[i],
                            "score": round(scored.per_example[i], 2) if scored else None,
                            "finish_reason": out.get("finish_reason", ""), "error": out.get("error", "")})
        results[name] = {
            "score": round(scored.score, 2) if scored else None, "metric": td.task.metric,
            "extras": {k: (round(v, 2) if v is not None else None) for k, v in (scored.extras if scored else {}).items()},
            "scored": len(td.scored), "shots": len(td.shots), "failed": failed, "unparsed": sum(p is None for p in preds) - failed,
            "prompts_cut": cut,
        }
    return results, records


def evaluate_models(models: dict[str, str], tasks: dict[str, TaskData], cfg: EvalCfg, recipe: Recipe) -> dict:
    """Every model on every task: {scores, details, predictions, seconds}.

    All models' prompts go to the serving issue's batch generation in one call, which loads the
    models one after another in a single engine actor (one engine start-up cost, not one per model).
    """
    from mediphi.serving.batch import generate_each

    prepared = {name: prepare(uri, tasks, cfg, recipe) for name, uri in models.items()}
    started = time.time()
    serve = serve_for(tokenizer_dir(next(iter(models.values()))), recipe.serve) if models else recipe.serve
    outputs = generate_each({models[name]: rows for name, (rows, _) in prepared.items()}, recipe.generation, serve)
    seconds = round(time.time() - started, 1)
    log.info("eval: generated answers for %d models in %.1fs", len(models), seconds)
    scores, details, predictions = {}, {}, []
    for name, (_, fitted) in prepared.items():
        by_key = {(o["task"], int(o["index"])): o for o in outputs[models[name]]}
        results, records = score_answers(name, tasks, by_key, fitted)
        details[name] = results
        scores[name] = {t: r["score"] for t, r in results.items()}
        predictions += records
    return {"scores": scores, "details": details, "predictions": predictions,
            "seconds": {"generation_all_models": seconds}}


def average(task_scores: dict[str, float | None]) -> float | None:
    values = [v for v in task_scores.values() if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def evaluate_model(path: str, tasks: list[str] | None, recipe: Recipe, out: str | None = None) -> dict[str, float | None]:
    """`mediphi eval --model PATH`: any HF model folder (local or s3://) on the tasks, outside a run.

    Returns {task: score}; with `out`, writes report.md, report.json, predictions.jsonl and the
    task plot there (no perplexity: there is no run corpus to hold out).
    """
    from mediphi.context import ensure_ray
    from mediphi.eval import report

    if not storage.is_s3(path) and not Path(path, "config.json").is_file():
        raise FileNotFoundError(f"{path} is not a model folder (no config.json)")
    ensure_ray(recipe)
    cfg = recipe.eval
    loaded = load_tasks(cfg, recipe.run.seed, tasks)
    parts = Path(path.rstrip("/")).parts
    # A run's folders end in .../<name>/model: the folder above names the model better.
    name = parts[-2] if len(parts) > 1 and parts[-1] == "model" else (parts[-1] if parts else "model")
    result = evaluate_models({name: path}, loaded, cfg, recipe)
    if out:
        body = report.build(models={name: path}, tasks=loaded, result=result, perplexity={}, loss_curves={})
        report.write_to(out, body, result["predictions"])
    return result["scores"][name]
