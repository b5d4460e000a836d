"""mediphi: turn a small general language model into a clinical one.

Domain experts trained with pre-instruction tuning on Ray Train, merged with mergekit, aligned
with SFT and DPO on MediFlow-style synthetic instructions, evaluated on a CLUE+-style suite and
served with vLLM on Ray Serve. See README.md and the `mediphi` command.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mediphi")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+src"

DOMAINS: tuple[str, ...] = ("pubmed", "guidelines", "medwiki", "medcode", "clinical")
