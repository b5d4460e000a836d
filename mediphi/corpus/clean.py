"""Unicode clean-up, the PHI scrub and quality filters.

Clean-up and scrub run column-wise over a batch: Arrow compute kernels (C++, RE2 regular
expressions) over the whole column instead of Python's `re` per document, which made the scrub
about 9 times cheaper on ASCII text (docs/benchmarks.md#corpus). `normalize` and `scrub_phi` run the same
kernels on a column of one. The quality filters stay per document in Python: their word 5-gram
count split into words with RE2 cost more than the bytes fast path below.

The PHI scrub is a safety net for obvious identifiers (emails, phone numbers, dates, MRN- and
SSN-like numbers, URLs). It is NOT certified de-identification: names, addresses, ages over 89
and free-text identifiers pass through. Use a certified tool on real patient data.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mediphi.config import FilterCfg

# Whitespace inside a line as str.isspace() sees it, once NFKC and the control-character step
# have run (\p{Zs} holds the no-break and the typographic spaces).
_HSPACE = r"[\t\x0b\x0c\r\x{85}\p{Zs}]"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{200b}-\x{200f}\x{2028}\x{2029}\x{feff}]"
# Runs of spaces, tabs and no-break spaces that are not already a single space: rewriting a
# lone " " as " " would copy every word gap for nothing.
_SPACES = r"[ \t\xa0]{2,}|[\t\xa0]"


def normalize_column(texts: pa.Array) -> pa.Array:
    """NFKC, no control characters, single spaces, at most one blank line, stripped lines."""
    if not pc.all(pc.string_is_ascii(texts)).as_py():
        texts = pc.utf8_normalize(texts, "NFKC")  # ASCII is already NFKC: the kernel costs a copy
    texts = pc.replace_substring(pc.replace_substring(texts, "\r\n", "\n"), "\r", "\n")
    texts = pc.replace_substring_regex(texts, _CONTROL, "")
    texts = pc.replace_substring_regex(texts, _SPACES, " ")
    texts = pc.replace_substring_regex(texts, f"{_HSPACE}*\n{_HSPACE}*", "\n")
    texts = pc.replace_substring_regex(texts, r"\n\n\n+", "\n\n")
    return pc.utf8_trim_whitespace(texts)


def normalize(text: str) -> str:
    return normalize_column(pa.array([text], pa.string()))[0].as_py()


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# Order matters: a URL may hold an email or digits, an SSN looks like part of a phone number.
# Written in the syntax Python's re and RE2 share: tests search with these compiled patterns,
# the scrub runs them in Arrow's RE2 kernels on ASCII text.
PHI_PATTERNS: dict[str, re.Pattern] = {
    "url": re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", re.I),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "mrn": re.compile(
        r"\b(?:MRN|MR#|Med(?:ical)?\s+Rec(?:ord)?\s*(?:No\.?|Number|#))\s*[:#]?\s*[A-Z0-9][A-Z0-9-]{4,}\b", re.I
    ),
    "ssn": re.compile(r"\b(?:SSN[:#]?\s*)?\d{3}-\d{2}-\d{4}\b"),
    "date": re.compile(
        rf"\b(?:\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
        rf"|\d{{1,2}}\s+{_MONTH}\s+\d{{4}})\b"
    ),
    "phone": re.compile(r"(?:\+1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b"),
}
PHI_TYPES = tuple(PHI_PATTERNS)
_PHI_RE2 = {kind: ("(?i)" if p.flags & re.I else "") + p.pattern for kind, p in PHI_PATTERNS.items()}


def scrub_phi_column(texts: pa.Array) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """Identifiers replaced by typed placeholders ([EMAIL], [DATE], ...); per document, the count
    of each type. The patterns run one after another, as they would per text.

    ASCII texts go through Arrow's RE2 kernels. RE2's \\w, \\d, \\s and \\b are ASCII-only where
    Python's are Unicode ("josé@example.org" would escape RE2's email pattern), so the rare texts
    with other characters keep Python's `re`, with exactly the old results.
    """
    is_ascii = pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)
    if is_ascii.all():
        return _scrub_re2(texts)
    values = texts.to_pylist()
    counts = {kind: np.zeros(len(values), dtype=np.int64) for kind in PHI_TYPES}
    rows = np.flatnonzero(is_ascii)
    if rows.size:
        scrubbed, ascii_counts = _scrub_re2(texts.take(rows))
        for i, value in zip(rows.tolist(), scrubbed.to_pylist(), strict=True):
            values[i] = value
        for kind, c in ascii_counts.items():
            counts[kind][rows] = c
    for i in np.flatnonzero(~is_ascii).tolist():
        for kind, pattern in PHI_PATTERNS.items():
            values[i], counts[kind][i] = pattern.subn(f"[{kind.upper()}]", values[i])
    return pa.array(values, pa.string()), counts


def _scrub_re2(texts: pa.Array) -> tuple[pa.Array, dict[str, np.ndarray]]:
    counts = {}
    for kind, pattern in _PHI_RE2.items():
        counts[kind] = pc.count_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)
        if counts[kind].any():
            texts = pc.replace_substring_regex(texts, pattern, f"[{kind.upper()}]")
    return texts, counts


def scrub_phi(text: str) -> tuple[str, dict[str, int]]:
    out, counts = scrub_phi_column(pa.array([text], pa.string()))
    return out[0].as_py(), {k: int(v[0]) for k, v in counts.items()}


_WORD = re.compile(r"\w+")
# A symbol is a character that is neither alphanumeric nor whitespace: exactly what [^\w\s]
# matches, plus "_" (which \w includes); checked against str.isalnum/isspace on every code point.
_SYMBOL = re.compile(r"[^\w\s]|_")
# ASCII text (nearly all of it after NFKC) takes byte-level fast paths with the same results:
# deleting the alphanumeric and whitespace bytes leaves the symbols, and mapping every non-word
# byte to a space (and A-Z to a-z) leaves the lower-cased \w+ words for bytes.split().
_ALNUM_SPACE = bytes(i for i in range(128) if chr(i).isalnum() or chr(i).isspace())
_WORD_BYTES = bytes((i | 0x20 if 65 <= i <= 90 else i) if i < 128 and (chr(i).isalnum() or i == 95) else 32
                    for i in range(256))


def quality_issue(text: str, cfg: FilterCfg) -> str:
    """The first filter a document fails ('' when it passes). Cheap checks run first."""
    n = len(text)
    if n < cfg.min_chars:
        return "too_short"
    if n > cfg.max_chars:
        return "too_long"
    raw = text.encode("ascii") if text.isascii() else None
    symbols = len(raw.translate(None, _ALNUM_SPACE)) if raw is not None else len(_SYMBOL.findall(text))
    if symbols / n > cfg.max_symbol_ratio:
        return "symbol_ratio"
    lines = [ln for ln in text.split("\n") if ln]
    seen: set[str] = set()
    dup_chars = 0
    for ln in lines:
        if ln in seen:
            dup_chars += len(ln)
        seen.add(ln)
    if dup_chars / n > cfg.max_dup_line_fraction:
        return "repetitive_lines"
    words = raw.translate(_WORD_BYTES).split() if raw is not None else _WORD.findall(text.lower())
    if len(words) >= 10:
        total, limit = len(words) - 4, cfg.max_dup_ngram_fraction
        # The occurrences of repeated 5-grams lie between 1x and 2x (total - distinct), so the
        # set decides nearly every text; counting (a Counter costs about 1.5x the set) is left
        # for the few in between.
        surplus = total - len(set(zip(words, words[1:], words[2:], words[3:], words[4:], strict=False)))
        if 2 * surplus / total <= limit:
            return ""
        if surplus / total > limit:
            return "repetitive_ngrams"
        grams = Counter(zip(words, words[1:], words[2:], words[3:], words[4:], strict=False))
        if sum(c for c in grams.values() if c > 1) / total > limit:
            return "repetitive_ngrams"
    return ""
