"""manifests/ is the chart rendered with each example: it must not drift from the chart."""

from __future__ import annotations

import yaml
from infra_support import EXAMPLES, ROOT, render_manifests


def test_manifests_match_the_chart():
    # The same code path as `python scripts/render_manifests.py --check`, which names the stale
    # files; regenerate them with `python scripts/render_manifests.py`.
    assert render_manifests.main(["--check"]) == 0, "manifests/ is stale: run scripts/render_manifests.py"


def test_one_manifest_per_example_with_the_expected_objects():
    files = sorted((ROOT / "manifests").glob("*.yaml"))
    assert [f.name for f in files] == [e.name for e in EXAMPLES]
    for path in files:
        kinds = [d["kind"] for d in yaml.safe_load_all(path.read_text()) if d]
        assert kinds[0] == "ServiceAccount", path.name
        assert "RayJob" in kinds, path.name
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                assert doc["metadata"]["namespace"] == "mediphi"
    serving = {f.name for f in files if "kind: RayService" in f.read_text()}
    assert serving == {"cpu-dev.yaml", "gpu-multinode.yaml"}


def test_check_mode_detects_drift(tmp_path, monkeypatch):
    stale_dir = tmp_path / "manifests"
    stale_dir.mkdir()
    for example in EXAMPLES:
        (stale_dir / example.name).write_text(render_manifests.render_example(example))
    (stale_dir / EXAMPLES[0].name).write_text("# edited by hand\n")
    (stale_dir / "removed-example.yaml").write_text("")
    monkeypatch.setattr(render_manifests, "OUT", stale_dir)
    assert render_manifests.main(["--check"]) == 1
    # Rewriting brings the folder back in step and drops the orphan.
    assert render_manifests.main([]) == 0
    assert render_manifests.main(["--check"]) == 0
    assert not (stale_dir / "removed-example.yaml").exists()
