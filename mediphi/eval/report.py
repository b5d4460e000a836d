"""The evaluation report: report.json (everything, for tools), report.md (the paper-style
tables, the plots and what was skipped, for people) and predictions.jsonl (every answer)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from mediphi import storage
from mediphi.eval import plots
from mediphi.eval.runner import TaskData, average
from mediphi.eval.tasks import PUBLISHED, TASKS

PLOTS = ("task_scores.png", "perplexity.png", "loss_curves.png")
MAX_REJECTS_SHOWN = 20  # per task in report.md; report.json keeps them all


def build(models: dict[str, str], tasks: dict[str, TaskData], result: dict, perplexity: dict,
          loss_curves: dict) -> dict:
    scores = result["scores"]
    return {
        "models": models,
        "tasks": {name: {"title": td.task.title, "metric": td.task.metric, "source": td.task.source, "file": td.uri,
                         "scored": len(td.scored), "shots": len(td.shots),
                         "rejects": [r.as_dict() for r in td.rejects]} for name, td in tasks.items()},
        "scores": scores,
        "average": {m: average(s) for m, s in scores.items()},
        "details": result["details"],
        "perplexity": perplexity,
        "loss_curves": loss_curves,
        "generation_seconds": result["seconds"],
        "published": {label: {t: v for t, v in row.items() if t in tasks} for label, row in PUBLISHED.items()},
    }


def task_table(report: dict) -> list[tuple]:
    """Header, one row per task, then the average: the paper's table with models as columns."""
    models = list(report["scores"])
    rows: list[tuple] = [("task", "metric", *models)]
    for name, info in report["tasks"].items():
        rows.append((info["title"], info["metric"], *(_cell(report["scores"][m].get(name)) for m in models)))
    rows.append(("Average", "", *(_cell(report["average"][m]) for m in models)))
    return rows


def perplexity_table(report: dict) -> list[tuple]:
    ppl = report["perplexity"]
    models = list(ppl)
    domains = list(dict.fromkeys(d for m in models for d in ppl[m]))
    return [("domain", *models), *((d, *(_cell(ppl[m].get(d)) for m in models)) for d in domains)]


def _cell(v):
    return "n/a" if v is None else float(v)


def markdown(report: dict) -> str:
    lines = ["# Evaluation report", ""]
    lines += [f"{len(report['models'])} model(s) on {len(report['tasks'])} CLUE+ tasks; scores are 0-100 "
              "(higher is better), generated with greedy decoding through the batch generation engine.", ""]
    lines += ["## Task scores", "", _md_table(task_table(report)), ""]
    if report["perplexity"]:
        lines += ["## Held-out perplexity per domain (lower is better)", "", _md_table(perplexity_table(report)), ""]
    lines += ["## Plots", ""] + [f"![{p}]({p})" for p in plot_files(report)] + [""]
    lines += ["## Models", "", "answers: scored examples over all tasks; failed: the engine returned an error; "
              "unparsed: the answer did not parse (scored as wrong); cut: few-shot examples dropped or the "
              "document shortened to fit the context. Secondary metrics per task are in report.json (details).", ""]
    models = [("model", "folder", "answers", "failed", "unparsed", "cut")]
    for m, uri in report["models"].items():
        d = report["details"].get(m, {}).values()
        models.append((m, uri, sum(t["scored"] for t in d),
                       sum(t["failed"] for t in d), sum(t["unparsed"] for t in d), sum(t["prompts_cut"] for t in d)))
    lines += [_md_table(models), ""]
    lines += ["## Task data", "", "Few-shot examples come from the same file and are not scored. A rejected line "
              "is skipped; the task is scored on the rest.", ""]
    lines += [_md_table([("task", "file", "scored", "shots", "rejected lines"),
                         *((n, t["file"], t["scored"], t["shots"], len(t["rejects"])) for n, t in report["tasks"].items())]), ""]
    for name, info in report["tasks"].items():
        if info["rejects"]:
            lines.append(f"Rejected lines of {name}:")
            lines += [f"- {r['file']} line {r['line']}: {r['reason']} ({r['detail']})"
                      for r in info["rejects"][:MAX_REJECTS_SHOWN]]
            if len(info["rejects"]) > MAX_REJECTS_SHOWN:
                lines.append(f"- ... and {len(info['rejects']) - MAX_REJECTS_SHOWN} more in report.json")
            lines.append("")
    published = report["published"]
    if published:
        cols = list(published)
        tasks = [t for t in report["tasks"] if any(t in row for row in published.values())]
        rows = [("task", *cols), *((report["tasks"][t]["title"], *(published[c].get(t, "") for c in cols)) for t in tasks)]
        lines += ["## Published CLUE+ scores (MediPhi paper, for reference)", "",
                  "Phi-3.5-mini-class models on the full licensed test sets; not comparable with a sample run.", "",
                  _md_table(rows), ""]
    return "\n".join(lines)


def _md_table(rows: list[tuple]) -> str:
    def fmt(c):
        return f"{c:.2f}" if isinstance(c, float) else str(c)

    out = ["| " + " | ".join(map(fmt, rows[0])) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(map(fmt, r)) + " |" for r in rows[1:]]
    return "\n".join(out)


def plot_files(report: dict) -> list[str]:
    """The plots the report has data for (an evaluation outside a run has no perplexity or loss)."""
    return [p for p, data in zip(PLOTS, (report["scores"], report["perplexity"], report["loss_curves"]), strict=True)
            if data]


def write(report: dict, predictions: list[dict], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    titles = {n: t["title"] for n, t in report["tasks"].items()}
    made = plot_files(report)
    if "task_scores.png" in made:
        plots.task_scores(report["scores"], titles, report["average"], folder / "task_scores.png")
    if "perplexity.png" in made:
        plots.perplexity(report["perplexity"], folder / "perplexity.png")
    if "loss_curves.png" in made:
        plots.loss_curves(report["loss_curves"], folder / "loss_curves.png")
    (folder / "report.json").write_text(json.dumps(report, indent=2, default=list))
    (folder / "report.md").write_text(markdown(report))
    with open(folder / "predictions.jsonl", "w") as f:
        for p in predictions:
            f.write(json.dumps(p, default=list) + "\n")


def write_to(uri: str, report: dict, predictions: list[dict]) -> None:
    """Write the report into a local folder or an s3:// prefix."""
    if not storage.is_s3(uri):
        write(report, predictions, Path(uri))
        return
    with tempfile.TemporaryDirectory(prefix="mediphi-report-") as tmp:
        write(report, predictions, Path(tmp))
        storage.upload_dir(tmp, uri)


assert set(TASKS) >= {t for row in PUBLISHED.values() for t in row}  # published rows name real tasks
