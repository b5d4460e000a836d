"""The README's "Run on a GPU cluster" section only uses what exists: chart values
in the schema, terraform outputs that terraform declares, object names the chart renders."""

from __future__ import annotations

import copy
import re
import shlex
from functools import cache
from typing import Any

import helm_python as helm
import pytest
import yaml
from infra_support import CHART, CRD_DIR, ROOT, by_kind, render_docs

README = ROOT / "README.md"


def doc_text() -> str:
    """The README's "Run on a GPU cluster" section, up to the next top-level section."""
    text = README.read_text()
    start = text.index("## Run on a GPU cluster")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]

TERRAFORM_OUTPUT = re.compile(r"\$\(terraform(?: -chdir=terraform)? output -raw (\w+)\)")
# What `terraform output -raw NAME` prints for a dev stack, to fill into the doc's commands.
SAMPLE_OUTPUTS = {
    "region": "us-east-1",
    "cluster_name": "mediphi-dev",
    "ecr_repository_url": "123456789012.dkr.ecr.us-east-1.amazonaws.com/mediphi-dev",
    "service_account_role_arn": "arn:aws:iam::123456789012:role/mediphi-dev-workload",
    "artifacts_uri": "s3://mediphi-dev-artifacts-123456789012/runs",
    "cluster_autoscaler_role_arn": "arn:aws:iam::123456789012:role/mediphi-dev-cluster-autoscaler",
}
SAMPLE_SHELL_VARS = {"FINAL_MODEL": "s3://mediphi-dev-artifacts-123456789012/runs/mediphi-3.8b/align/model"}


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", doc_text(), flags=re.S)


def shell_commands() -> list[str]:
    """Every command of the doc's bash blocks, with continuation lines joined."""
    commands = []
    for block in code_blocks("bash"):
        joined = re.sub(r"\\\n\s*", " ", block)
        joined = re.sub(r"\n\s*\|", " |", joined)
        commands += [line.strip() for line in joined.splitlines() if line.strip()]
    return commands


def substitute(command: str) -> str:
    command = TERRAFORM_OUTPUT.sub(lambda m: SAMPLE_OUTPUTS.get(m.group(1), m.group(0)), command)
    return re.sub(r"\$(\w+)", lambda m: SAMPLE_SHELL_VARS.get(m.group(1), m.group(0)), command)


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def chart_commands() -> list[dict[str, Any]]:
    """The doc's `helm install|upgrade ... charts/mediphi` commands, parsed the way Helm does:
    -f files in order, then each --set through Helm's own --set parser."""
    parsed = []
    for command in shell_commands():
        argv = shlex.split(substitute(command))
        if argv[:1] != ["helm"] or "charts/mediphi" not in argv:
            continue
        action, release = argv[1], argv[2]
        entry = {"action": action, "release": release, "files": [], "sets": [], "values": {}, "argv": argv}
        args = iter(argv[4:])
        for arg in args:
            if arg in ("-f", "--values"):
                entry["files"].append(next(args))
            elif arg == "--set":
                entry["sets"].append(next(args))
            elif arg in ("-n", "--namespace"):
                entry["namespace"] = next(args)
            elif arg == "--reuse-values":
                entry["reuse"] = True
        for path in entry["files"]:
            entry["values"] = deep_merge(entry["values"], yaml.safe_load((ROOT / path).read_text()))
        for expression in entry["sets"]:
            entry["values"] = deep_merge(entry["values"], helm.parse_set_string(expression))
        parsed.append(entry)
    return parsed


def test_doc_installs_and_upgrades_the_chart():
    actions = [c["action"] for c in chart_commands()]
    assert actions[0] == "install" and "upgrade" in actions


def schema_has_path(schema: dict[str, Any], path: list[str]) -> bool:
    node = schema
    for key in path:
        props = node.get("properties", {})
        if key not in props:
            return False
        node = props[key]
        if "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[1]]
    return True


@cache
def schema_root() -> dict[str, Any]:
    with helm.Chart.load(CHART) as chart:
        return chart.schema


@pytest.mark.parametrize("command", chart_commands(), ids=lambda c: c["action"])
def test_every_set_key_exists_in_the_values_schema(command):
    for expression in command["sets"]:
        key = expression.split("=", 1)[0]
        assert schema_has_path(schema_root(), key.split(".")), f"--set {key}: not in values.schema.json"
    for path in command["files"]:
        assert (ROOT / path).exists(), path


def test_doc_commands_render_what_the_doc_then_uses():
    """Install, then upgrade with --reuse-values, exactly as written: both pass the schema
    and render the objects whose names the later commands use."""
    values: dict[str, Any] = {}
    names: dict[str, set[str]] = {"RayJob": set(), "RayService": set()}
    for command in chart_commands():
        assert command["release"] == "mediphi" and command.get("namespace") == "mediphi", command["argv"]
        values = deep_merge(values, command["values"]) if command.get("reuse") else command["values"]
        docs = render_docs(values)  # raises on a schema violation or a failing template
        for kind in names:
            names[kind] |= {d["metadata"]["name"] for d in by_kind(docs, kind)}
        if command["action"] == "install":
            (account,) = by_kind(docs, "ServiceAccount")
            # The IRSA role trusts system:serviceaccount:mediphi:mediphi (terraform defaults).
            assert account["metadata"]["name"] == "mediphi"
            role = SAMPLE_OUTPUTS["service_account_role_arn"]
            assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] == role
    text = doc_text()
    for job in re.findall(r"rayjob (\S+) -n mediphi", text) + re.findall(r"job/(\S+)", text):
        assert job in names["RayJob"], job
    for service in re.findall(r"rayservice (\S+) -n mediphi", text):
        assert service in names["RayService"], service
    for service in re.findall(r"svc/(\S+)-serve-svc", text):
        assert service in names["RayService"], service


def test_terraform_outputs_and_files_exist():
    declared = set(re.findall(r'output "(\w+)"', (ROOT / "terraform" / "outputs.tf").read_text()))
    code = "\n".join(code_blocks("bash"))
    used = set(re.findall(r"terraform(?: -chdir=terraform)? output (?:-raw |-json )?(\w+)", code))
    assert used and used <= declared, used - declared
    assert set(SAMPLE_OUTPUTS) <= declared
    variables = (ROOT / "terraform" / "variables.tf").read_text()
    for var_file in re.findall(r"-var-file=(\S+)", code):
        assert (ROOT / "terraform" / var_file).exists(), var_file
    # The defaults the IRSA trust is built from are the chart's release and namespace.
    assert re.search(r'variable "kubernetes_namespace" \{[^}]*default\s*=\s*"mediphi"', variables, re.S)
    assert re.search(r'variable "service_account_name" \{[^}]*default\s*=\s*"mediphi"', variables, re.S)


def test_operator_image_and_python_match_what_is_tested():
    text = doc_text()
    operator = next(c for c in shell_commands() if c.startswith("helm install kuberay-operator"))
    argv = shlex.split(operator)
    assert argv[argv.index("--version") + 1] == CRD_DIR.name.removeprefix("v")
    with helm.Chart.load(CHART) as chart:
        defaults = chart.values
        assert chart.metadata["annotations"]["mediphi.io/kuberay-version"] == CRD_DIR.name.removeprefix("v")
    assert argv[argv.index("--namespace") + 1] == defaults["networkPolicy"]["operatorNamespace"]
    build = next(c for c in shell_commands() if c.startswith("docker build"))
    assert "-f docker/Dockerfile" in build and "--build-arg VARIANT=gpu" in build
    assert f':{defaults["image"]["tag"]}"' in build
    assert f"ray[default]=={defaults['rayVersion']}" in text
    for block in code_blocks("python"):
        compile(block, str(README), "exec")
