import pytest

from mediphi.config import FilterCfg
from mediphi.corpus.clean import normalize, quality_issue, scrub_phi

PROSE = ("The patient was started on lisinopril 10 mg daily for hypertension and counselled on salt "
         "restriction, exercise and home blood pressure monitoring. ") + " ".join(f"word{i}" for i in range(60))


def test_normalize_unicode_whitespace_and_controls():
    raw = "Ｆｅｖｅｒ\u00a0 of 38.5\u2009°C\r\n\r\n\r\n\tcough\x07  and\u200b  wheeze  \n\n\n\nend"
    assert normalize(raw) == "Fever of 38.5 °C\n\ncough and wheeze\n\nend"


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("email", "Contact jane.doe+work@example-hospital.org today.", "Contact [EMAIL] today."),
        ("phone", "Call (617) 555-0142 or 617-555-0199 or +1 617 555 0100.", "Call [PHONE] or [PHONE] or [PHONE]."),
        ("date", "Seen 03/14/2024, 2024-03-14, March 14, 2024 and 14 Mar 2024.", "Seen [DATE], [DATE], [DATE] and [DATE]."),
        ("mrn", "MRN: 00482913; Medical Record Number 7731-0042.", "[MRN]; [MRN]."),
        ("ssn", "SSN 123-45-6789 on file.", "[SSN] on file."),
        ("url", "See https://portal.example.org/p?id=12 and www.example.com/x.", "See [URL] and [URL]."),
    ],
)
def test_phi_scrub_each_type(kind, text, expected):
    scrubbed, counts = scrub_phi(text)
    assert scrubbed == expected
    assert counts[kind] == expected.count(f"[{kind.upper()}]")
    assert sum(counts.values()) == counts[kind]


def test_phi_scrub_leaves_clinical_numbers_alone():
    text = "BP 142/88, HR 96, metformin 500 mg twice daily, HbA1c 7.8%, creatinine 1.2 mg/dL."
    assert scrub_phi(text)[0] == text


def test_filters_each_reason():
    cfg = FilterCfg(min_chars=50, max_chars=5000)
    assert quality_issue(PROSE, cfg) == ""
    assert quality_issue("too short", cfg) == "too_short"
    assert quality_issue(PROSE * 40, cfg) == "too_long"
    assert quality_issue("#$%^&*(){}[]<>|~" * 10 + PROSE[:60], cfg) == "symbol_ratio"
    lines = "\n".join(["Same line repeated here for padding."] * 10 + [PROSE[:100]])
    assert quality_issue(lines, cfg) == "repetitive_lines"
    assert quality_issue("the cat sat on the mat " * 20, cfg) == "repetitive_ngrams"


def test_phi_scrub_column_counts_per_document():
    import pyarrow as pa

    from mediphi.corpus.clean import scrub_phi_column

    texts = ["Seen 03/14/2024, call 617-555-0199.", "No identifiers here.", "MRN: 00482913 seen 2024-03-14."]
    scrubbed, counts = scrub_phi_column(pa.array(texts))
    assert scrubbed.to_pylist() == ["Seen [DATE], call [PHONE].", "No identifiers here.", "[MRN] seen [DATE]."]
    assert counts["date"].tolist() == [1, 0, 1] and counts["phone"].tolist() == [1, 0, 0]
    assert counts["mrn"].tolist() == [0, 0, 1] and not counts["email"].any()
    assert [scrub_phi(t)[0] for t in texts] == scrubbed.to_pylist()


def test_phi_scrub_non_ascii_text_keeps_unicode_word_rules():
    import pyarrow as pa

    from mediphi.corpus.clean import scrub_phi_column

    # RE2's \w is ASCII-only: "josé@..." must still be one email, next to ASCII rows in the batch.
    texts = ["Écrire à josé.garcía@hôpital-example.org le 03/14/2024.", "Call 617-555-0199."]
    scrubbed, counts = scrub_phi_column(pa.array(texts))
    assert scrubbed.to_pylist() == ["Écrire à [EMAIL] le [DATE].", "Call [PHONE]."]
    assert counts["email"].tolist() == [1, 0] and counts["phone"].tolist() == [0, 1]
