"""Tiny Phi-3 models for the merge tests: a base warmed up on five synthetic "domains" and one
expert per domain fine-tuned from it, so that merges have real task vectors to combine."""

from __future__ import annotations

import random
from pathlib import Path

from mediphi import DOMAINS
from mediphi.config import TinyModelCfg

# Each domain writes about different things, so an expert learns something the others do not.
WORDS = {
    "pubmed": ("cohort", "randomized", "trial", "hazard", "ratio", "placebo", "efficacy", "endpoint"),
    "guidelines": ("recommend", "should", "first-line", "evidence", "grade", "strong", "screening", "adults"),
    "medwiki": ("disease", "is", "a", "condition", "caused", "by", "symptoms", "include"),
    "medcode": ("code", "icd", "category", "unspecified", "other", "chapter", "E11", "I10"),
    "clinical": ("patient", "presents", "with", "pain", "denies", "fever", "vitals", "stable"),
}
SMALL = TinyModelCfg(vocab_size=400, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                     num_attention_heads=2, max_position_embeddings=128)


# Shared by every domain, as plain clinical English is: the experts then specialise a common base
# instead of unlearning each other, as real domain experts do.
COMMON = ("the", "of", "and", "in", "with", "for", "was", "were", "to", "on")


def sentences(domain: str, n: int, seed: int) -> list[str]:
    rng = random.Random(f"{domain}-{seed}")
    words = WORDS[domain]
    return [" ".join(rng.choice(words if rng.random() < 0.5 else COMMON) for _ in range(rng.randint(6, 14))) + "."
            for _ in range(n)]


def make_tokenizer(out: Path, vocab_size: int = 400, seed: int = 0) -> Path:
    from mediphi.models.tiny import train_tokenizer

    texts = [s for d in DOMAINS for s in sentences(d, 120, seed)]
    train_tokenizer(texts, vocab_size, out)
    return out


def train(model_dir: Path, out: Path, texts: list[str], steps: int, lr: float = 3e-3, seed: int = 0) -> Path:
    """A few AdamW steps of next-token loss on packed text; saves model and tokenizer to `out`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(seed)
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    ids = [t for s in texts for t in [*tok(s)["input_ids"], tok.eos_token_id]]
    seq = 32
    windows = torch.tensor([ids[i:i + seq] for i in range(0, len(ids) - seq, seq)])
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        batch = windows[torch.randint(len(windows), (16,), generator=gen)]
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


def make_family(root: Path, cfg: TinyModelCfg = SMALL, base_steps: int = 60, expert_steps: int = 15,
                domains: tuple[str, ...] = DOMAINS) -> tuple[Path, dict[str, Path]]:
    """A warmed-up base and one expert per domain under `root`."""
    from mediphi.models.tiny import build_model

    tok = make_tokenizer(root / "tokenizer", cfg.vocab_size)
    build_model(cfg, tok, root / "init", seed=0)
    mixed = [s for d in DOMAINS for s in sentences(d, 60, 1)]
    random.Random(0).shuffle(mixed)
    base = train(root / "init", root / "base", mixed, base_steps)
    experts = {d: train(base, root / f"expert-{d}", sentences(d, 120, 2), expert_steps, lr=1e-3, seed=i)
               for i, d in enumerate(domains)}
    return base, experts
