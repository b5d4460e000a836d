"""Static security scan with checkov over terraform/, docker/Dockerfile and the rendered
manifests (with every Ray pod template lifted into a Pod, since checkov knows no KubeRay kinds).
Any failed check fails the test; every accepted finding has its reason in the repository."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml
from infra_support import ROOT, as_pod, pod_templates, scan_tool

FINDINGS_DOC = ROOT / "docs" / "security-findings.md"
CONFIG = ROOT / ".checkov.yaml"
RAY_KINDS = {"RayJob", "RayService", "RayCluster"}
INLINE_SKIP = re.compile(r"#\s*checkov:skip=(CKV2?_[A-Z0-9]+_\d+):(.*)")


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> list[dict]:
    """One checkov run over a tree holding a copy of terraform/, the Dockerfile and the
    manifests plus their lifted pods: one start-up (checkov imports for seconds) for all."""
    tree = tmp_path_factory.mktemp("scan")
    shutil.copytree(ROOT / "terraform", tree / "terraform", ignore=shutil.ignore_patterns(".terraform*"))
    (tree / "docker").mkdir()
    shutil.copy(ROOT / "docker" / "Dockerfile", tree / "docker" / "Dockerfile")
    (tree / "k8s").mkdir()
    for path in sorted((ROOT / "manifests").glob("*.yaml")):
        docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
        pods = [as_pod(d, role, t) for d in docs if d["kind"] in RAY_KINDS for role, t in pod_templates(d)]
        assert pods, path.name
        (tree / "k8s" / path.name).write_text(yaml.safe_dump_all(docs + pods, sort_keys=False))

    result = subprocess.run(
        [
            str(scan_tool("checkov")),
            "--config-file",
            str(CONFIG),
            "--directory",
            str(tree),
            "--framework",
            "terraform",
            "kubernetes",
            "dockerfile",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        # checkov asks the network for nothing with skip-download (in the config file); its
        # Bridgecrew platform features stay off without an API key.
        env={"PATH": "/usr/bin:/bin", "HOME": str(tree), "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING"},
    )
    # Exit code 1 means failed checks, which the test reports below; anything else is a crash.
    assert result.returncode in (0, 1), result.stderr[-3000:]
    reports = json.loads(result.stdout)
    return reports if isinstance(reports, list) else [reports]


def test_every_framework_was_scanned(scan):
    counts = {r["check_type"]: r["summary"]["resource_count"] for r in scan}
    assert set(counts) == {"terraform", "kubernetes", "dockerfile"}, counts
    # 3 manifests x (ServiceAccount, RayJob, NetworkPolicy, ...) plus the lifted pods.
    assert counts["kubernetes"] >= 20 and counts["terraform"] >= 50, counts
    for report in scan:
        assert report["summary"]["parsing_errors"] == 0, report["check_type"]


def test_no_failed_check(scan):
    failed = [
        f"{f['check_id']} {f['check_name']} -- {f['resource']} ({f['file_path']})"
        for report in scan
        for f in report["results"]["failed_checks"]
    ]
    assert failed == [], "\n".join(failed)


def documented_ids() -> set[str]:
    return set(re.findall(r"CKV2?_[A-Z0-9]+_\d+", FINDINGS_DOC.read_text()))


def test_every_config_skip_is_documented_with_a_reason():
    skips = set(yaml.safe_load(CONFIG.read_text())["skip-check"])
    rows = {
        cells[0]: cells[2]
        for line in FINDINGS_DOC.read_text().splitlines()
        if line.startswith("| CKV")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
    }
    assert skips, "no skipped checks configured"
    for check in skips:
        assert check in rows, f"{check} is skipped in .checkov.yaml but has no row in {FINDINGS_DOC.name}"
        assert len(rows[check]) > 40, f"{check}: the reason is too thin: {rows[check]!r}"
    # And no stale row: a Kubernetes check documented as skipped must still be skipped.
    assert {r for r in rows if r.startswith("CKV_K8S")} == {s for s in skips if s.startswith("CKV_K8S")}


def test_every_inline_skip_has_a_reason_and_is_documented():
    sources = [*sorted((ROOT / "terraform").glob("*.tf")), ROOT / "docker" / "Dockerfile"]
    inline = [
        (path.name, m.group(1), m.group(2).strip())
        for path in sources
        for m in INLINE_SKIP.finditer(path.read_text())
    ]
    assert inline
    documented = documented_ids()
    for name, check, reason in inline:
        assert len(reason) > 30, f"{name}: {check} is skipped without a real reason"
        assert check in documented, f"{name}: {check} is skipped but missing from {FINDINGS_DOC.name}"


def test_skips_seen_by_checkov_are_exactly_the_written_ones(scan):
    """checkov's own list of what it skipped, compared with the written lists: nothing is
    suppressed by a rule nobody wrote down."""
    skipped = {f["check_id"] for report in scan for f in report["results"]["skipped_checks"]}
    assert skipped <= documented_ids(), skipped - documented_ids()
