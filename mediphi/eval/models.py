"""Every model a run has produced, in the order of the paper's table, from the run's artifacts."""

from __future__ import annotations

from mediphi import DOMAINS, storage
from mediphi.context import RunContext, StageNotReady


def model_names(domains: list[str]) -> list[str]:
    """The paper's column order: base, the experts, the SLERPed experts, merged, SFT, aligned."""
    return ["base", *(f"expert-{d}" for d in domains), *(f"slerp-{d}" for d in domains), "merged", "sft", "aligned"]


def is_model_folder(uri: str) -> bool:
    return storage.exists(storage.join(uri, "config.json"))


def _is_hub_id(ref: str) -> bool:
    """`org/name` on the Hugging Face hub: a pretrained base that the engine downloads itself."""
    return "://" not in ref and not ref.startswith(("/", ".")) and ref.count("/") == 1


def run_models(ctx: RunContext) -> dict[str, str]:
    """{name: model folder URI} of every model the run has, in the paper's order.

    A model is listed only when its stage's artifact is complete (its manifest is written) and
    its folder holds a model, so a run stopped half-way lists what it finished. The names and
    the folder layout are the ones `mediphi serve` resolves (mediphi.models.refs).
    """
    from mediphi.models.refs import resolve

    domains = [d for d in DOMAINS if d in ctx.recipe.corpus.domains]
    models: dict[str, str] = {}
    for name in model_names(domains):
        try:
            uri = resolve(name, ctx)
        except (FileNotFoundError, StageNotReady):
            continue
        if is_model_folder(uri) or (name == "base" and _is_hub_id(uri)):
            models[name] = uri
    return models


def select_models(available: dict[str, str], wanted: list[str] | None) -> dict[str, str]:
    """The recipe's `eval.models` (names from the run's list), in the run's order."""
    if not wanted:
        return dict(available)
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise ValueError(f"eval.models names {', '.join(unknown)}, which this run does not have; "
                         f"it has: {', '.join(available) or 'no models yet'}")
    return {n: u for n, u in available.items() if n in wanted}
