"""Per-document text functions: unicode clean-up, quality filters, and the PHI scrub.

The PHI scrub is a safety net for obvious identifiers (emails, phone numbers, dates, MRN- and
SSN-like numbers, URLs). It is NOT certified de-identification: names, addresses, ages over 89
and free-text identifiers pass through. Use a certified tool on real patient data.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from mediphi.config import FilterCfg

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
# Runs of spaces, tabs and no-break spaces that are not already a single space: replacing a lone
# " " by " " is a no-op, and matching every word gap cost most of normalize()'s time.
_SPACES = re.compile(r"(?: [ \t\xa0]|[\t\xa0])[ \t\xa0]*")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def normalize(text: str) -> str:
    """NFKC, no control characters, single spaces, at most one blank line, stripped lines."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# Order matters: a URL may hold an email or digits, an SSN looks like part of a phone number.
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


def scrub_phi(text: str) -> tuple[str, dict[str, int]]:
    """Replace identifiers with typed placeholders ([EMAIL], [DATE], ...); count each type."""
    counts = {}
    for kind, pattern in PHI_PATTERNS.items():
        text, n = pattern.subn(f"[{kind.upper()}]", text)
        counts[kind] = n
    return text, counts


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
        grams = Counter(zip(words, words[1:], words[2:], words[3:], words[4:], strict=False))
        repeated = sum(c for c in grams.values() if c > 1)
        if repeated / max(1, len(words) - 4) > cfg.max_dup_ngram_fraction:
            return "repetitive_ngrams"
    return ""
