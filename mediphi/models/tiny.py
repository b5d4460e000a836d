"""A tiny Phi-3 built from config with random weights, and a byte-level BPE tokenizer trained on
the run's corpus, saved with `save_pretrained` so transformers, TRL, mergekit and vLLM all load
them from a folder. Nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from mediphi.config import TinyModelCfg

EOS = "<|endoftext|>"
END = "<|end|>"
# Phi-3's chat tokens, so chat templates and stop tokens match the real model family.
SPECIAL_TOKENS = [EOS, "<|system|>", "<|user|>", "<|assistant|>", END]

# Phi-3.5-mini-instruct's chat template, with TRL's {% generation %} markers around assistant
# content so trainers can restrict the loss to answers.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' and message['content'] %}"
    "{{ '<|system|>\\n' + message['content'] + '<|end|>\\n' }}"
    "{% elif message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + '<|end|>\\n' }}"
    "{% elif message['role'] == 'assistant' %}{{ '<|assistant|>\\n' }}"
    "{% generation %}{{ message['content'] + '<|end|>' }}{% endgeneration %}{{ '\\n' }}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)


def train_tokenizer(texts: Iterable[str], vocab_size: int, out_dir: str | Path):
    """Train a byte-level BPE (the GPT-2/Phi family's kind) and save it as an HF tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=EOS, eos_token=EOS, pad_token=EOS,
                                 unk_token=EOS, model_max_length=1 << 20)
    hf.chat_template = CHAT_TEMPLATE
    hf.save_pretrained(str(out_dir))
    return hf


def build_model(cfg: TinyModelCfg, tokenizer_dir: str | Path, out_dir: str | Path, seed: int = 0) -> int:
    """Random-init Phi-3 sized by `cfg`, saved with the tokenizer; returns the parameter count."""
    import torch
    from transformers import AutoTokenizer, GenerationConfig, Phi3Config, Phi3ForCausalLM

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    eos, end = tok.convert_tokens_to_ids(EOS), tok.convert_tokens_to_ids(END)
    config = Phi3Config(
        vocab_size=len(tok),
        hidden_size=cfg.hidden_size,
        intermediate_size=cfg.intermediate_size,
        num_hidden_layers=cfg.num_hidden_layers,
        num_attention_heads=cfg.num_attention_heads,
        num_key_value_heads=cfg.num_attention_heads,
        max_position_embeddings=cfg.max_position_embeddings,
        original_max_position_embeddings=cfg.max_position_embeddings,
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,
        tie_word_embeddings=False,
        dtype="float32",
    )
    torch.manual_seed(seed)
    model = Phi3ForCausalLM(config)
    model.generation_config = GenerationConfig(bos_token_id=eos, eos_token_id=[end, eos], pad_token_id=eos)
    model.save_pretrained(str(out_dir))
    tok.save_pretrained(str(out_dir))
    return sum(p.numel() for p in model.parameters())
