"""terraform/ formatted, initialised offline, validated, planned and applied against a local AWS
emulator (moto's server mode on 127.0.0.1), checked with boto3, then destroyed.

Terraform never reaches the network: the CLI configuration points at the provider on this
machine's disk (a filesystem mirror) and forbids direct downloads, and every AWS call goes to
the moto server through the root module's `aws_endpoint_url` variable.

What moto emulates here: everything the stack creates, EKS cluster and node groups included
(as API records: no instance boots, no Kubernetes API answers). One kind is planned but not
applied: the two aws_s3_bucket_lifecycle_configuration resources. moto stores them, but after
the PUT the AWS provider polls until it has read the same rules back three times at least ten
seconds apart (about a minute), which would double this suite's run time; the plan checks
their content instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from infra_support import ROOT, free_port, stop_process, wait_for_http

TERRAFORM_DIR = ROOT / "terraform"
TEST_TFVARS = Path(__file__).parent / "fixtures" / "moto.tfvars"
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
# Where an offline provider can lie (terraform's own implied mirror directories, and /opt,
# where the machine images of this project keep it); TF_PLUGIN_MIRROR overrides.
MIRROR_CANDIDATES = [
    os.environ.get("TF_PLUGIN_MIRROR", ""),
    "/opt/tf-plugins",
    str(Path.home() / ".terraform.d" / "plugins"),
    str(Path.home() / ".local" / "share" / "terraform" / "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
]
# Resource types applied only in the plan (see the module docstring).
PLAN_ONLY_TYPES = {"aws_s3_bucket_lifecycle_configuration"}


def provider_mirror() -> Path | None:
    for candidate in filter(None, MIRROR_CANDIDATES):
        root = Path(candidate)
        if any((root / AWS_PROVIDER).glob("5.*/*/terraform-provider-aws*")):
            return root
    return None


class Terraform:
    def __init__(self, workdir: Path, env: dict[str, str]):
        self.workdir = workdir
        self.env = env

    def run(self, *args: str, check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["terraform", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"terraform {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result


@pytest.fixture(scope="module")
def terraform(tmp_path_factory) -> Terraform:
    if shutil.which("terraform") is None:
        pytest.skip("no terraform binary on PATH")
    mirror = provider_mirror()
    if mirror is None:
        pytest.skip(f"no offline copy of {AWS_PROVIDER} 5.x in {[c for c in MIRROR_CANDIDATES if c]}")

    home = tmp_path_factory.mktemp("terraform")
    # A copy of the root module: state, plans and the data dir stay out of the repository.
    workdir = home / "root"
    shutil.copytree(TERRAFORM_DIR, workdir, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    cli_config = home / "terraformrc"
    cli_config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["{AWS_PROVIDER}"]\n  }}\n'
        '  direct {\n    exclude = ["*/*/*"]\n  }\n'
        "}\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_DATA_DIR": str(home / "data"),  # .terraform, cached for the whole module
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",  # no version check against checkpoint.hashicorp.com
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    tf = Terraform(workdir, env)
    tf.run("init", "-backend=false", "-input=false", "-no-color")
    return tf


@pytest.fixture(scope="module")
def moto_endpoint():
    port = free_port()
    env = dict(os.environ)
    # Without AWS's managed policies (AmazonEKSClusterPolicy, ...) in its IAM, moto refuses the
    # attachments as non-existent.
    env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait_for_http(f"{endpoint}/moto-api/", proc, timeout=60)
        yield endpoint
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def aws(moto_endpoint):
    import boto3

    def client(service: str):
        return boto3.client(
            service,
            endpoint_url=moto_endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


def moto_vars(endpoint: str) -> list[str]:
    return ["-var-file", str(TEST_TFVARS), "-var", f"aws_endpoint_url={endpoint}"]


def test_terraform_is_formatted():
    if shutil.which("terraform") is None:
        pytest.skip("no terraform binary on PATH")
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", str(TERRAFORM_DIR), str(TEST_TFVARS.parent)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_terraform_validates(terraform):
    report = json.loads(terraform.run("validate", "-json", "-no-color").stdout)
    assert report["valid"] is True, report["diagnostics"]
    assert report["error_count"] == 0 and report["warning_count"] == 0, report["diagnostics"]


def test_variable_validations_reject_bad_input(terraform, moto_endpoint):
    result = terraform.run(
        "plan",
        "-no-color",
        "-lock=false",
        *moto_vars(moto_endpoint),
        "-var",
        "environment=qa",
        "-var",
        'cluster_endpoint_public_access_cidrs=["0.0.0.0/0"]',
        "-var",
        'gpu_instance_types=["m5.large"]',
        "-var",
        'availability_zones=["eu-west-1a", "eu-west-1b"]',
        "-var",
        "kubernetes_version=1.20",
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    output = re.sub(r"\s+", " ", result.stderr + result.stdout)
    for message in (
        "environment must be one of dev, staging, prod.",
        "0.0.0.0/0 is not allowed",
        "gpu_instance_types must be NVIDIA GPU instance types",
        "Every availability zone must be in var.region",
        "kubernetes_version must be a minor version from 1.29 on",
    ):
        assert message in output, message


@pytest.fixture(scope="module")
def plan(terraform, moto_endpoint) -> dict[str, Any]:
    terraform.run("plan", "-no-color", "-lock=false", "-out=plan.tfplan", *moto_vars(moto_endpoint))
    return json.loads(terraform.run("show", "-json", "plan.tfplan").stdout)


def planned(plan: dict[str, Any], address: str) -> dict[str, Any]:
    (change,) = [c for c in plan["resource_changes"] if c["address"] == address]
    assert change["change"]["actions"] == ["create"], address
    return change["change"]["after"]


def test_plan_creates_the_whole_stack(plan):
    types = {c["type"] for c in plan["resource_changes"] if c["mode"] == "managed"}
    assert {
        "aws_vpc",
        "aws_subnet",
        "aws_nat_gateway",
        "aws_flow_log",
        "aws_eks_cluster",
        "aws_eks_node_group",
        "aws_launch_template",
        "aws_s3_bucket",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_iam_openid_connect_provider",
        "aws_iam_role",
        "aws_ecr_repository",
        "aws_kms_key",
    } <= types
    assert all(
        c["change"]["actions"] == ["create"] for c in plan["resource_changes"] if c["mode"] == "managed"
    )

    gpu = planned(plan, 'aws_eks_node_group.main["gpu"]')
    assert gpu["ami_type"] == "AL2023_x86_64_NVIDIA"
    assert gpu["scaling_config"] == [{"min_size": 0, "desired_size": 0, "max_size": 1}]
    assert gpu["taint"] == [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]
    assert gpu["labels"] == {"mediphi.io/pool": "gpu"}
    system = planned(plan, 'aws_eks_node_group.main["system"]')
    assert system["taint"] == [] and system["scaling_config"][0]["min_size"] >= 1

    cluster = planned(plan, "aws_eks_cluster.main")
    assert cluster["version"] == "1.33"
    assert cluster["vpc_config"][0]["public_access_cidrs"] == ["198.51.100.0/24"]
    assert cluster["encryption_config"][0]["resources"] == ["secrets"]

    for bucket in ("artifacts", "access_logs"):
        rules = planned(plan, f"aws_s3_bucket_lifecycle_configuration.{bucket}")["rule"]
        assert rules[0]["abort_incomplete_multipart_upload"][0]["days_after_initiation"] >= 1
    sse = planned(plan, "aws_s3_bucket_server_side_encryption_configuration.artifacts")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"
    template = planned(plan, 'aws_launch_template.node["gpu"]')
    assert template["metadata_options"][0]["http_tokens"] == "required"
    assert template["block_device_mappings"][0]["ebs"][0]["encrypted"] == "true"

    outputs = plan["planned_values"]["outputs"]
    assert outputs["bucket_name"]["value"] == "mediphi-dev-artifacts-123456789012"
    assert outputs["artifacts_uri"]["value"] == "s3://mediphi-dev-artifacts-123456789012/runs"


@pytest.fixture(scope="module")
def applied(terraform, moto_endpoint, plan) -> dict[str, Any]:
    resources = sorted(
        {
            f"{c['type']}.{c['name']}"
            for c in plan["resource_changes"]
            if c["mode"] == "managed" and c["type"] not in PLAN_ONLY_TYPES
        }
    )
    targets = [arg for address in resources for arg in ("-target", address)]
    # One request at a time: a clean-clone CI run once failed with aws_iam_role.workload
    # "EntityAlreadyExists" while it and the autoscaler's role were created in parallel, i.e. the
    # provider retried a CreateRole that moto had already carried out. Against real AWS the
    # default parallelism is right; against one local moto process it only adds such races.
    terraform.run(
        "apply", "-no-color", "-lock=false", "-auto-approve", "-parallelism=1", *moto_vars(moto_endpoint),
        *targets, timeout=400
    )
    outputs = json.loads(terraform.run("output", "-json").stdout)
    # No destroy here: test_destroy_removes_what_apply_made does it, and everything left
    # behind lives only in the moto process and the temp dir, both gone with the module.
    return {name: value["value"] for name, value in outputs.items()}


def test_apply_creates_a_locked_down_bucket(applied, aws):
    s3 = aws("s3")
    bucket = applied["bucket_name"]
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == applied["kms_key_arn"]
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    tls = next(s for s in policy["Statement"] if s["Sid"] == "DenyInsecureTransport")
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    logging = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert logging["TargetBucket"].startswith("mediphi-dev-access-logs-")


def test_apply_creates_an_irsa_role_limited_to_the_bucket(applied, aws):
    iam = aws("iam")
    role_name = applied["service_account_role_arn"].rsplit("/", 1)[1]
    trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    (statement,) = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    issuer_host = applied["cluster_oidc_issuer_url"].removeprefix("https://")
    assert statement["Principal"]["Federated"].endswith(f"oidc-provider/{issuer_host}")
    assert statement["Condition"]["StringEquals"] == {
        f"{issuer_host}:sub": "system:serviceaccount:mediphi:mediphi",
        f"{issuer_host}:aud": "sts.amazonaws.com",
    }
    (policy_name,) = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
    bucket_arn = f"arn:aws:s3:::{applied['bucket_name']}"
    resources = set()
    for s in document["Statement"]:
        resources |= {s["Resource"]} if isinstance(s["Resource"], str) else set(s["Resource"])
    assert resources == {bucket_arn, f"{bucket_arn}/*", applied["kms_key_arn"]}
    providers = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert [p["Arn"] for p in providers] == [statement["Principal"]["Federated"]]


def test_apply_creates_the_cluster_and_a_gpu_group_from_zero(applied, aws):
    eks = aws("eks")
    cluster = eks.describe_cluster(name=applied["cluster_name"])["cluster"]
    assert cluster["version"] == "1.33"
    gpu = eks.describe_nodegroup(clusterName=applied["cluster_name"], nodegroupName="gpu")["nodegroup"]
    assert gpu["scalingConfig"]["minSize"] == 0
    assert gpu["amiType"] == "AL2023_x86_64_NVIDIA"
    assert gpu["labels"] == {"mediphi.io/pool": "gpu"}
    assert {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"} in gpu["taints"]
    repo = aws("ecr").describe_repositories(repositoryNames=[applied["ecr_repository_url"].rsplit("/", 1)[1]])
    assert repo["repositories"][0]["imageTagMutability"] == "IMMUTABLE"


def test_outputs_are_the_ones_the_docs_and_chart_use(plan, applied):
    declared = set(re.findall(r'output "(\w+)"', (TERRAFORM_DIR / "outputs.tf").read_text()))
    assert set(plan["planned_values"]["outputs"]) == declared
    # A targeted apply refreshes only the outputs of targeted resources; the rest (region,
    # namespace, service account) depend on variables alone and come from the plan.
    outputs = {
        name: value["value"] for name, value in plan["planned_values"]["outputs"].items() if "value" in value
    }
    outputs.update(applied)
    assert set(outputs) == declared
    assert outputs["region"] == "us-east-1"
    assert outputs["cluster_name"] == "mediphi-dev"
    assert outputs["artifacts_uri"] == f"s3://{outputs['bucket_name']}/runs"
    assert (outputs["kubernetes_namespace"], outputs["service_account_name"]) == ("mediphi", "mediphi")
    assert re.fullmatch(r"arn:aws:iam::\d{12}:role/.+", outputs["service_account_role_arn"])
    assert re.fullmatch(r"\d{12}\.dkr\.ecr\.us-east-1\.[a-z.]+/mediphi-dev", outputs["ecr_repository_url"])


def test_destroy_removes_what_apply_made(terraform, moto_endpoint, applied, aws):
    # The last test of the module (pytest keeps file order).
    terraform.run(
        "destroy", "-no-color", "-lock=false", "-auto-approve", "-parallelism=1", *moto_vars(moto_endpoint),
        timeout=400
    )
    assert aws("s3").list_buckets()["Buckets"] == []
    assert aws("eks").list_clusters()["clusters"] == []
    role_names = {r["RoleName"] for r in aws("iam").list_roles()["Roles"]}
    assert not any(name.startswith("mediphi-dev-") for name in role_names)
    state = json.loads(terraform.run("show", "-json").stdout)
    assert not state.get("values", {}).get("root_module", {}).get("resources")
