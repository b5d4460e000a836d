"""MediFlow-style synthetic clinical instructions: taxonomy, sampling plan and prompts, judge
filter and deduplication, DPO error injection, the split schemas, and the import of real MediFlow
JSONL. Kept free of imports here: `mediphi.config` validates names against this package lazily."""
