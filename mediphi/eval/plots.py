"""The report's PNGs (matplotlib, no display needed): training loss curves, held-out perplexity
per domain and model, and task scores per model."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: stages run on headless workers

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402
from matplotlib.colors import Normalize, TwoSlopeNorm  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402


def _heatmap(ax, colours: np.ndarray, printed: np.ndarray, rows: list[str], cols: list[str], cmap: str,
             norm: Normalize, label: str, fmt: str, ticks=lambda v: f"{v:g}") -> None:
    """A grid coloured by `colours` and annotated with `printed`, with a colour bar."""
    image = ax.imshow(np.ma.masked_invalid(colours), cmap=cmap, aspect="auto", norm=norm)
    ax.set_xticks(range(len(cols)), cols, rotation=40, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    bar = ax.figure.colorbar(image, ax=ax, label=label, fraction=0.05, pad=0.03)
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: ticks(v)))
    rgba = image.cmap(norm(np.nan_to_num(colours)))
    for (i, j), v in np.ndenumerate(printed):
        if not np.isfinite(v):
            ax.text(j, i, "n/a", ha="center", va="center", fontsize=7, color="gray")
            continue
        r, g, b, _ = rgba[i, j]
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5  # perceived brightness of the cell
        ax.text(j, i, format(v, fmt), ha="center", va="center", fontsize=7, color="white" if dark else "black")


def _size(n_cols: int, n_rows: int) -> tuple[float, float]:
    return max(6.5, 2.8 + 0.8 * n_cols), 1.6 + 0.42 * max(1, n_rows)


def task_scores(scores: dict[str, dict[str, float | None]], titles: dict[str, str], averages: dict[str, float | None],
                path: Path) -> None:
    """Tasks x models (0-100 on a fixed scale, so runs compare), the average as the last row."""
    models, tasks = list(scores), list(titles)
    grid = np.array([[_num(scores[m].get(t)) for m in models] for t in tasks]
                    + [[_num(averages.get(m)) for m in models]], dtype=float)
    fig, ax = plt.subplots(figsize=_size(len(models), len(tasks) + 1))
    _heatmap(ax, grid, grid, [titles[t] for t in tasks] + ["Average"], models, "viridis", Normalize(0, 100),
             "score (0-100)", ".1f")
    ax.axhline(len(tasks) - 0.5, color="white", linewidth=2)
    ax.set_title("CLUE+ task scores per model\n(0-100, higher is better)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def perplexity(ppl: dict[str, dict[str, float]], path: Path) -> None:
    """Domains x models: each cell prints the perplexity and is coloured by its ratio to the
    first model's (the base) on that domain, so a model's gain or loss shows per domain even
    where domains differ by an order of magnitude (green: lower than the base, red: higher)."""
    models = list(ppl)
    domains = list(dict.fromkeys(d for m in models for d in ppl[m]))
    grid = np.array([[_num(ppl[m].get(d)) for m in models] for d in domains], dtype=float)
    fig, ax = plt.subplots(figsize=_size(len(models), len(domains)))
    if grid.size:
        # log2 of the ratio: twice and half the base's perplexity sit at the same distance from it
        change = np.log2(grid / grid[:, :1])
        spread = np.nanmax(np.abs(change)) if np.isfinite(change).any() else 0.0
        spread = max(spread, np.log2(1.01))  # identical models still get a readable colour bar
        # small differences read best as percentages, large ones as factors
        ticks = (lambda v: f"{(2 ** v - 1) * 100:+.1f}%") if spread < 1 else (lambda v: f"x{2 ** v:.3g}")
        _heatmap(ax, change, grid, domains, models, "RdYlGn_r", TwoSlopeNorm(0.0, -spread, spread),
                 f"perplexity relative to {models[0]} (log scale)", ".1f", ticks=ticks)
    else:
        _empty(ax, "no held-out perplexity to show")
    ax.set_title("Held-out perplexity per domain and model\n(lower is better; colour: relative to the first model)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def loss_curves(curves: dict[str, dict[str, list[list[float]]]], path: Path) -> None:
    """One panel per training stage, one line per job (the warm-up, each expert, SFT, DPO)."""
    stages = [s for s, jobs in curves.items() if any(jobs.values())]
    fig, axes = plt.subplots(1, max(1, len(stages)), figsize=(4.6 * max(1, len(stages)), 3.6), squeeze=False)
    for ax, stage in zip(axes[0], stages, strict=False):
        for job, points in curves[stage].items():
            if points:
                steps, losses = zip(*points, strict=True)
                ax.plot(steps, losses, marker="o", markersize=2.5, linewidth=1.2, label=job)
        ax.set_title(f"{stage}: training loss")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if not stages:
        _empty(axes[0][0], "no training loss recorded by the run's stages")
        axes[0][0].set_title("training loss")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _num(v) -> float:
    return float(v) if v is not None else float("nan")
