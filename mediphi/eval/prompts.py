"""Chat prompts for the tasks: a system turn, k solved examples, then the question; cut to fit.

A prompt that does not fit the model's context fails in the engine and scores nothing, so the
prompt is fitted first: drop few-shot examples (the last first), then cut the task's document
(the discharge letter, the transcript...) until prompt plus answer fit. Counting uses the
model's own tokenizer and chat template, the ones the engine applies.
"""

from __future__ import annotations

from mediphi.eval.data import Example
from mediphi.eval.tasks import Task


def build_messages(task: Task, row: dict, shots: list[Example], document_chars: int | None = None) -> list[dict]:
    messages = [{"role": "system", "content": task.system}]
    for shot in shots:
        messages += [{"role": "user", "content": task.user_turn(shot.row)},
                     {"role": "assistant", "content": task.shot_answer(shot.row)}]
    messages.append({"role": "user", "content": task.user_turn(row, document_chars)})
    return messages


class PromptFitter:
    def __init__(self, tokenizer, max_model_len: int):
        self.tok = tokenizer
        self.max_model_len = max_model_len

    def count(self, messages: list[dict]) -> int:
        text = self.tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return len(self.tok(text, add_special_tokens=False)["input_ids"])

    def fit(self, task: Task, row: dict, shots: list[Example], max_tokens: int) -> tuple[list[dict], dict]:
        """The messages for one example and how they were fitted ({shots, document_chars, tokens})."""
        budget = self.max_model_len - max_tokens
        used = list(shots)
        messages = build_messages(task, row, used)
        tokens = self.count(messages)
        while tokens > budget and used:
            used.pop()
            messages = build_messages(task, row, used)
            tokens = self.count(messages)
        doc_chars = None
        if tokens > budget and task.document:
            doc_chars = len(task.prompt_vars(row)[task.document])
            for _ in range(10):  # converges in two or three rounds; bounded all the same
                chars_per_token = max(1.0, sum(len(m["content"]) for m in messages) / tokens)
                doc_chars = max(0, doc_chars - int((tokens - budget + 16) * chars_per_token))
                messages = build_messages(task, row, used, doc_chars)
                tokens = self.count(messages)
                if tokens <= budget or doc_chars == 0:
                    break
        return messages, {"shots": len(used), "document_chars": doc_chars, "tokens": tokens,
                          "fits": tokens <= budget}
