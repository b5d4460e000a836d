"""Fixtures of the deployment tests (charts, manifests, terraform, image, security scan)."""

from __future__ import annotations

from typing import Any

import pytest
from infra_support import EXAMPLES, render_manifests


@pytest.fixture(scope="session")
def example_values() -> dict[str, dict[str, Any]]:
    """Values of each example file by name, plus the chart defaults as `defaults`."""
    values: dict[str, dict[str, Any]] = {"defaults": {}}
    for path in EXAMPLES:
        values[path.stem] = render_manifests.load_values(path)
    return values
