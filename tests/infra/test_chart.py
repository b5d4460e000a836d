"""charts/mediphi rendered and linted offline with the real Helm engine (helm-python-sdk), every
object checked against the KubeRay v1.7.0 CRDs and the Kubernetes 1.33 schemas, and the values
schema shown to reject bad values with a message that names them."""

from __future__ import annotations

import copy
import json
import os
import shlex
import subprocess
import sys
from typing import Any

import helm_python as helm
import jsonschema
import kubernetes_validate
import pytest
import yaml
from infra_support import (
    CHART,
    CRD_DIR,
    CRD_FILES,
    EXAMPLES,
    KUBE_VERSION,
    SHARED_CRD_DIR,
    as_pod,
    by_kind,
    cluster_spec,
    crd_schema,
    pod_templates,
    render_docs,
    render_notes,
)

RAY_KINDS = {"RayJob", "RayService", "RayCluster"}
FINAL_MODEL = "s3://mediphi-dev-artifacts-123456789012/runs/mediphi-3.8b/align/model"

# Value sets beyond the defaults and the examples, so that every branch of the templates is
# rendered and validated at least once.
VARIANTS: dict[str, dict[str, Any]] = {
    "serve-defaults": {"serve": {"enabled": True, "models": {"final": {"source": FINAL_MODEL}}}},
    "inline-recipe": {
        "pipeline": {
            "runName": "inline-7",
            "recipe": {"run": {"name": "inline"}, "experts": {"domains": ["pubmed", "medcode"]}},
            "storage": "s3://bucket-1/runs",
            "overrides": ["train.max_steps=10", "eval.tasks=mednli,meqsum"],
        },
        "serviceAccount": {"roleArn": "arn:aws:iam::123456789012:role/mediphi-dev-workload"},
        "cluster": {
            "env": [{"name": "HF_HUB_OFFLINE", "value": "1"}],
            "volumes": [{"name": "hf-cache", "emptyDir": {"sizeLimit": "50Gi"}}],
            "volumeMounts": [{"name": "hf-cache", "mountPath": "/home/ray/.cache/huggingface"}],
        },
        "podSecurity": {"readOnlyRootFilesystem": True},
        "image": {"digest": "sha256:" + "a" * 64},
    },
    "kueue-serve-apikey": {
        "pipeline": {"kueue": {"queueName": "gpu-queue"}},
        "serve": {
            "enabled": True,
            "apiKeySecret": {"name": "mediphi-api-key"},
            "models": {"final": {"source": FINAL_MODEL, "acceleratorType": "H100"}},
        },
        "networkPolicy": {"serveFrom": [{"namespaceSelector": {"matchLabels": {"team": "clinical"}}}]},
    },
    "s3-endpoint": {
        "cluster": {
            "s3EndpointUrl": "http://minio.minio.svc:9000",
            "env": [{"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {"name": "minio", "key": "id"}}}],
        },
        "serve": {"enabled": True, "models": {"final": {"source": FINAL_MODEL}}},
    },
    "no-autoscaling-no-sa": {
        "cluster": {"autoscaling": {"enabled": False}},
        "serviceAccount": {"create": False, "name": "existing-sa"},
        "networkPolicy": {"enabled": False},
    },
}


def all_value_sets() -> dict[str, dict[str, Any]]:
    sets = {"defaults": {}}
    sets.update({p.stem: yaml.safe_load(p.read_text()) for p in EXAMPLES})
    sets.update(VARIANTS)
    return sets


VALUE_SETS = all_value_sets()


def merged_values(values: dict[str, Any]) -> dict[str, Any]:
    """The values an install would use: chart defaults coalesced with `values`, as Helm does."""
    with helm.Chart.load(CHART) as chart:
        return chart.merge_values(values)


@pytest.fixture(scope="module", params=sorted(VALUE_SETS))
def rendered(request) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    name = request.param
    return name, VALUE_SETS[name], render_docs(VALUE_SETS[name])


def test_examples_exist():
    assert {p.stem for p in EXAMPLES} == {"cpu-dev", "gpu-single", "gpu-multinode"}


@pytest.mark.parametrize("name", ["defaults", "cpu-dev", "gpu-single", "gpu-multinode"])
def test_chart_lints_clean(name, example_values):
    report = helm.lint(
        CHART, example_values[name], strict=True, namespace="mediphi", kube_version=f"v{KUBE_VERSION}"
    )
    assert report["errors"] == []
    # Severity 1 is informational ("icon is recommended"); warnings and errors fail.
    assert [m for m in report["messages"] if m["severity"] >= 2] == []
    assert report["total_charts_linted"] == 1


def test_crd_copy_matches_shared_copy():
    if not SHARED_CRD_DIR.exists():
        pytest.skip("no ../shared/kuberay-crds next to this clone; tests/infra/crds is the reference")
    for name in CRD_FILES.values():
        assert (CRD_DIR / name).read_bytes() == (SHARED_CRD_DIR / name).read_bytes(), name


def unknown_keys(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    """Paths in `value` that the schema does not declare. The CRD schemas never set
    additionalProperties: false, so a misspelt field passes JSON Schema validation and is then
    silently dropped by the API server; this walk catches it. Maps (labels, resources,
    rayStartParams) are schemas with additionalProperties, which the walk follows."""
    if isinstance(value, list):
        items = schema.get("items", {})
        return [p for i, item in enumerate(value) for p in unknown_keys(item, items, f"{path}[{i}]")]
    if not isinstance(value, dict):
        return []
    if schema.get("x-kubernetes-preserve-unknown-fields") or schema.get("additionalProperties") is True:
        return []
    props = schema.get("properties")
    extra = schema.get("additionalProperties")
    problems = []
    for key, sub in value.items():
        if props is not None and key in props:
            problems += unknown_keys(sub, props[key], f"{path}.{key}")
        elif isinstance(extra, dict):
            problems += unknown_keys(sub, extra, f"{path}.{key}")
        else:
            problems.append(f"{path}.{key}")
    return problems


def validate_ray_object(obj: dict[str, Any]) -> None:
    schema = crd_schema(obj["kind"])
    jsonschema.Draft7Validator(schema).validate(obj)
    # The CRD types metadata as a bare object (the API server checks it as ObjectMeta), so
    # the walk starts below it, and metadata goes to the core ObjectMeta schema instead.
    problems = unknown_keys(obj["spec"], schema["properties"]["spec"], "spec")
    assert problems == [], f"{obj['kind']} {obj['metadata']['name']}: keys outside the CRD: {problems}"
    holder = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": obj["metadata"]}
    kubernetes_validate.validate(holder, KUBE_VERSION, strict=True)


def test_objects_validate_against_crds_and_kubernetes(rendered):
    name, _values, docs = rendered
    assert docs, name
    for obj in docs:
        if obj["kind"] in RAY_KINDS:
            validate_ray_object(obj)
            # The cluster part is also a RayCluster spec: the operator creates one from it.
            as_cluster = {
                "apiVersion": "ray.io/v1",
                "kind": "RayCluster",
                "metadata": {"name": obj["metadata"]["name"], "namespace": "mediphi"},
                "spec": cluster_spec(obj),
            }
            validate_ray_object(as_cluster)
            # kubernetes-validate's strict schemas (additionalProperties: false) on each pod
            # template, lifted into a Pod: types, enums and field names of the core API.
            for role, template in pod_templates(obj):
                kubernetes_validate.validate(as_pod(obj, role, template), KUBE_VERSION, strict=True)
        else:
            kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)


def test_kuberay_admission_rules(rendered):
    """Rules KubeRay's validation enforces beyond the CRD schema (ValidateRayJobSpec and friends
    in ray-operator/controllers/ray/utils/validation.go)."""
    name, _values, docs = rendered
    for obj in by_kind(docs, "RayJob") + by_kind(docs, "RayService"):
        obj_name = obj["metadata"]["name"]
        # DNS-1035 label, at most 47 characters (KubeRay appends a suffix for the RayCluster).
        assert len(obj_name) <= 47 and obj_name[0].isalpha(), obj_name
        spec = cluster_spec(obj)
        for group in spec.get("workerGroupSpecs", []):
            assert 0 <= group["minReplicas"] <= group["maxReplicas"], (name, group["groupName"])
            assert group["minReplicas"] <= group["replicas"] <= group["maxReplicas"], (
                name,
                group["groupName"],
            )
    for job in by_kind(docs, "RayJob"):
        spec = job["spec"]
        if spec.get("suspend"):
            assert spec["shutdownAfterJobFinishes"], name
        if not spec["shutdownAfterJobFinishes"]:
            assert spec.get("ttlSecondsAfterFinished", 0) == 0, name
        assert spec["activeDeadlineSeconds"] > 0 and spec["preRunningDeadlineSeconds"] > 0
        assert spec["backoffLimit"] >= 0
        yaml.safe_load(spec["runtimeEnvYAML"])


def containers_of(obj: dict[str, Any]):
    """(where, container, pod spec) for every container of a Ray object, including the
    autoscaler sidecar that KubeRay builds from autoscalerOptions."""
    for role, template in pod_templates(obj):
        for container in template["spec"]["containers"]:
            yield f"{obj['metadata']['name']}/{role}/{container['name']}", container, template["spec"]
    cluster = cluster_spec(obj)
    if cluster and cluster.get("enableInTreeAutoscaling"):
        head_spec = cluster["headGroupSpec"]["template"]["spec"]
        yield f"{obj['metadata']['name']}/autoscaler", cluster["autoscalerOptions"], head_spec


def test_every_container_is_locked_down_and_sized(rendered):
    name, values, docs = rendered
    checked = 0
    for obj in docs:
        if obj["kind"] not in RAY_KINDS:
            continue
        for where, container, pod_spec in containers_of(obj):
            checked += 1
            pod_sc = pod_spec["securityContext"]
            assert pod_sc["runAsNonRoot"] is True and pod_sc["runAsUser"] >= 1, where
            assert pod_sc["seccompProfile"]["type"] == "RuntimeDefault", where
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True, where
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["privileged"] is False, where
            assert sc["capabilities"]["drop"] == ["ALL"] and "add" not in sc["capabilities"], where
            assert sc["seccompProfile"]["type"] == "RuntimeDefault", where
            resources = container["resources"]
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[part]), f"{where}: {part}"
            # Guaranteed QoS: requests equal limits.
            assert resources["requests"] == resources["limits"], where
            if "image" in container:
                assert ":" in container["image"] or "@sha256:" in container["image"], where
            if "name" in container and not where.endswith("/head/ray-head"):
                # Only the head (for the autoscaler) may see the Kubernetes API token.
                assert pod_spec["automountServiceAccountToken"] is False, where
    assert checked, name


def test_gpu_groups_get_gpus_toleration_and_shm(rendered):
    name, values, docs = rendered
    merged = merged_values(values)
    gpu_groups = {g["name"]: g for g in merged["cluster"]["gpuWorkerGroups"]}
    for obj in docs:
        spec = cluster_spec(obj)
        if not spec:
            continue
        groups = {g["groupName"]: g for g in spec.get("workerGroupSpecs", [])}
        for group_name, group_values in gpu_groups.items():
            pod = groups[group_name]["template"]["spec"]
            (container,) = pod["containers"]
            gpus = str(group_values["gpus"])
            assert container["resources"]["requests"]["nvidia.com/gpu"] == gpus
            assert container["resources"]["limits"]["nvidia.com/gpu"] == gpus
            assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod[
                "tolerations"
            ]
            assert pod.get("nodeSelector", {}) == group_values.get("nodeSelector", {})
            assert groups[group_name]["maxReplicas"] == group_values["maxReplicas"]
        for group_name, group in groups.items():
            pod = group["template"]["spec"]
            shm = [v for v in pod["volumes"] if v["name"] == "dshm"]
            assert shm and shm[0]["emptyDir"]["medium"] == "Memory", (name, group_name)
            mounts = pod["containers"][0]["volumeMounts"]
            assert {"name": "dshm", "mountPath": "/dev/shm"} in mounts
            if group_name not in gpu_groups:
                # CPU pods never ask for GPUs, nor tolerate the GPU taint.
                assert "nvidia.com/gpu" not in pod["containers"][0]["resources"]["limits"]
                assert not any(t.get("key") == "nvidia.com/gpu" for t in pod.get("tolerations", []))


def test_all_ray_pods_use_the_irsa_service_account(rendered):
    name, values, docs = rendered
    merged = merged_values(values)
    accounts = by_kind(docs, "ServiceAccount")
    expected = merged["serviceAccount"]["name"] or "mediphi"
    if merged["serviceAccount"]["create"]:
        (account,) = accounts
        assert account["metadata"]["name"] == expected
        role_arn = merged["serviceAccount"]["roleArn"]
        annotations = account["metadata"].get("annotations", {})
        assert annotations.get("eks.amazonaws.com/role-arn", "") == role_arn
    else:
        assert accounts == []
    for obj in docs:
        for role, template in pod_templates(obj):
            assert template["spec"]["serviceAccountName"] == expected, (name, role)


def test_rayjob_and_rayservice_share_the_cluster_shape():
    docs = render_docs(VARIANTS["serve-defaults"])
    (job,) = by_kind(docs, "RayJob")
    (service,) = by_kind(docs, "RayService")

    def shape(spec):
        return [
            (
                g["groupName"],
                g["minReplicas"],
                g["maxReplicas"],
                g["template"]["spec"]["containers"][0]["resources"],
            )
            for g in spec["workerGroupSpecs"]
        ] + [spec["headGroupSpec"]["template"]["spec"]["containers"][0]["resources"]]

    assert shape(job["spec"]["rayClusterSpec"]) == shape(service["spec"]["rayClusterConfig"])
    assert job["spec"]["rayClusterSpec"]["rayVersion"] == "2.60.0"


# The GPU that Ray detects on the EC2 families the examples pin with a nodeSelector: Ray names it
# in the node's accelerator_type:<name> resource, which a recipe's accelerator_type asks for.
EC2_GPU = {"p5": "H100", "p5e": "H200", "p5en": "H200", "p4d": "A100", "p4de": "A100", "g6e": "L40S",
           "g6": "L4", "g5": "A10G", "g4dn": "T4"}


QUANTITY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def quantity_bytes(value: str) -> int:
    """A Kubernetes memory quantity ("24Gi", "512Mi", "1e9") in bytes, as KubeRay reads it."""
    for suffix in sorted(QUANTITY, key=len, reverse=True):
        if value.endswith(suffix):
            return int(float(value[: -len(suffix)]) * QUANTITY[suffix])
    return int(float(value))


def ray_worker_nodes(values: dict[str, Any]) -> list[dict[str, Any]]:
    """The Ray worker nodes an install can grow to. KubeRay starts each pod's Ray with num-cpus,
    num-gpus and memory from its container's limits (Ray then declares exactly that memory) and
    labels it ray.io/node-group=<group name>; the head takes no work (num-cpus 0)."""
    cluster = values["cluster"]
    size = "maxReplicas" if cluster["autoscaling"]["enabled"] else "replicas"
    groups = [{"name": "cpu", "gpus": 0, **cluster["cpuWorkers"]}] if cluster["cpuWorkers"]["enabled"] else []
    nodes = []
    for group in [*groups, *cluster["gpuWorkerGroups"]]:
        instance = (group.get("nodeSelector") or {}).get("node.kubernetes.io/instance-type", "")
        nodes.append({"labels": {"ray.io/node-group": group["name"]}, "cpus": float(group["resources"]["cpu"]),
                      "gpus": group["gpus"], "memory": quantity_bytes(group["resources"]["memory"]),
                      "gpu": EC2_GPU.get(instance.split(".")[0]) if group["gpus"] else None,
                      "count": group[size]})
    return nodes


def placeable(nodes: list[dict[str, Any]], cpus: float, gpus: float, gpu_type: str | None,
              memory: int = 0, labels: dict[str, str] | None = None) -> int:
    """How many tasks or workers of that shape the nodes hold at once (a node of unknown GPU type
    takes any; `labels` is a Ray label selector, of which the chart's nodes carry ray.io/node-group)."""
    total = 0
    for node in nodes:
        if gpus and (node["gpus"] < gpus or (gpu_type and node["gpu"] not in (None, gpu_type))):
            continue
        if any(node["labels"].get(k) != v for k, v in (labels or {}).items()):
            continue
        per_node = node["cpus"] // cpus if cpus else float("inf")
        if gpus:
            per_node = min(per_node, node["gpus"] // gpus)
        if memory:
            per_node = min(per_node, node["memory"] // memory)
        total += int(per_node) * node["count"]
    return total


@pytest.mark.parametrize("name", ["defaults", *sorted(p.stem for p in EXAMPLES)])
def test_every_training_job_merge_task_and_the_generator_fit_the_cluster_the_values_describe(name):
    """A Ray Train job whose workers cannot all be placed waits forever, and so does a merge task
    that declares more memory than a node of its group has, or a vLLM replica asking for a GPU type
    the nodes lack: the recipe a value set runs must fit its cluster."""
    from mediphi.config import load_recipe

    values = merged_values(VALUE_SETS[name])
    recipe = load_recipe(values["pipeline"]["recipeName"], values["pipeline"]["overrides"])
    nodes = ray_worker_nodes(values)
    jobs = {"experts.train": recipe.experts.train, "align.sft": recipe.align.sft, "align.dpo": recipe.align.dpo}
    if recipe.base.warmup is not None:
        jobs["base.warmup"] = recipe.base.warmup
    fit = {key: placeable(nodes, job.cpus_per_worker, job.gpus_per_worker, job.accelerator_type)
           for key, job in jobs.items()}
    short = {key: f"{fit[key]} of {job.num_workers} workers ({job.cpus_per_worker} CPUs, {job.gpus_per_worker} GPUs, "
                  f"{job.accelerator_type or 'any GPU'})"
             for key, job in jobs.items() if fit[key] < job.num_workers}
    assert not short, f"{name}: only {short} fit on {nodes}"
    # The merge stage's Ray tasks: each merge (its label selector keeps it on the CPU group), a
    # search trial (a merge then a perplexity score, on eval's GPUs) and a scoring task.
    merge, gib = recipe.merge, 2**30
    tasks = {"merge": (merge.num_cpus, 0, merge.memory_gb * gib, merge.label_selector),
             "eval scoring": (1, recipe.eval.num_gpus, 0, None)}
    if merge.search.enabled:
        tasks["merge search trial"] = (merge.num_cpus, recipe.eval.num_gpus, merge.memory_gb * gib, None)
    unplaced = {key: task for key, task in tasks.items() if placeable(nodes, *task[:2], None, *task[2:]) < 1}
    assert not unplaced, f"{name}: no node holds {unplaced} (CPUs, GPUs, memory, labels) of {nodes}"
    if recipe.serve.device == "gpu":
        tp = recipe.serve.engine_args.tensor_parallel_size
        assert placeable(nodes, 1, tp, recipe.serve.accelerator_type) >= 1, (name, recipe.serve.accelerator_type, nodes)


def test_default_pipeline_entrypoint_and_lifecycle():
    (job,) = by_kind(render_docs({}), "RayJob")
    spec = job["spec"]
    assert job["metadata"]["name"] == "mediphi-run-1"
    assert spec["entrypoint"] == "python ray_jobs/pipeline.py --recipe mediphi-3.8b"
    assert yaml.safe_load(spec["runtimeEnvYAML"]) == {"working_dir": "/home/ray/mediphi"}
    assert spec["shutdownAfterJobFinishes"] is True
    assert spec["ttlSecondsAfterFinished"] == 3600
    assert spec["activeDeadlineSeconds"] == 604800
    assert spec["preRunningDeadlineSeconds"] == 3600
    assert spec["backoffLimit"] == 1
    assert spec["submitterConfig"] == {"backoffLimit": 2}
    submitter = spec["submitterPodTemplate"]["spec"]
    assert submitter["restartPolicy"] == "Never"
    # No command: KubeRay fills in `ray job submit`; a command here would replace it.
    assert "command" not in submitter["containers"][0]
    assert spec["rayClusterSpec"]["enableInTreeAutoscaling"] is True
    assert "kueue.x-k8s.io/queue-name" not in job["metadata"]["labels"]
    assert by_kind(render_docs({}), "RayService") == []


def test_inline_recipe_goes_in_a_configmap_mounted_on_the_head():
    values = VARIANTS["inline-recipe"]
    docs = render_docs(values)
    (job,) = by_kind(docs, "RayJob")
    (config_map,) = by_kind(docs, "ConfigMap")
    assert yaml.safe_load(config_map["data"]["recipe.yaml"]) == values["pipeline"]["recipe"]
    argv = shlex.split(job["spec"]["entrypoint"])
    assert argv == [
        "python",
        "ray_jobs/pipeline.py",
        "--recipe",
        "/home/ray/recipe/recipe.yaml",
        "--set",
        "run.storage=s3://bucket-1/runs",
        "--set",
        "train.max_steps=10",
        "--set",
        "eval.tasks=mednli,meqsum",
    ]
    head = job["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]
    volume = next(v for v in head["volumes"] if v["name"] == "recipe")
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    mount = next(m for m in head["containers"][0]["volumeMounts"] if m["name"] == "recipe")
    assert mount["mountPath"] == "/home/ray/recipe" and mount["readOnly"] is True
    assert head["containers"][0]["env"] == [{"name": "HF_HUB_OFFLINE", "value": "1"}]
    for _where, container, pod in containers_of(job):
        if container.get("name") in ("ray-head", "ray-worker"):
            assert {"name": "hf-cache", "mountPath": "/home/ray/.cache/huggingface"} in container[
                "volumeMounts"
            ]
            assert {"name": "hf-cache", "emptyDir": {"sizeLimit": "50Gi"}} in pod["volumes"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert head["containers"][0]["image"] == "mediphi@sha256:" + "a" * 64


def test_kueue_label_suspends_a_fixed_size_job_and_api_key_reaches_serving_only():
    docs = render_docs(VARIANTS["kueue-serve-apikey"])
    (job,) = by_kind(docs, "RayJob")
    (service,) = by_kind(docs, "RayService")
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "gpu-queue"
    assert job["spec"]["suspend"] is True
    # Kueue admits a fixed-size job; the serving cluster keeps its autoscaler.
    assert job["spec"]["rayClusterSpec"]["enableInTreeAutoscaling"] is False
    assert service["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"] is True
    assert service["spec"]["upgradeStrategy"] == {"type": "NewCluster"}
    secret_env = {
        "name": "MEDIPHI_API_KEY",
        "valueFrom": {"secretKeyRef": {"name": "mediphi-api-key", "key": "api-key"}},
    }
    for _where, container, _pod in containers_of(service):
        if "image" in container:
            assert secret_env in container["env"]
    for _where, container, _pod in containers_of(job):
        assert secret_env not in container.get("env", [])
    (policy,) = by_kind(docs, "NetworkPolicy")
    api_rule = next(
        r for r in policy["spec"]["ingress"] if r.get("ports") == [{"port": 8000, "protocol": "TCP"}]
    )
    assert api_rule["from"] == [{"namespaceSelector": {"matchLabels": {"team": "clinical"}}}]


def test_an_s3_endpoint_reaches_every_ray_container_of_both_clusters_and_only_when_set():
    endpoint = {"name": "AWS_ENDPOINT_URL_S3", "value": "http://minio.minio.svc:9000"}
    docs = render_docs(VARIANTS["s3-endpoint"])
    ray_containers = [(where, c) for obj in (*by_kind(docs, "RayJob"), *by_kind(docs, "RayService"))
                      for where, c, _pod in containers_of(obj) if c.get("name") in ("ray-head", "ray-worker")]
    # The head, the CPU and the GPU worker groups of each of the two clusters.
    assert len(ray_containers) == 6, [where for where, _ in ray_containers]
    for where, container in ray_containers:
        assert endpoint in container["env"], where
        assert {"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {"name": "minio", "key": "id"}}} in \
            container["env"], where
    for where, container, _pod in (x for obj in render_docs(VARIANTS["serve-defaults"]) if obj["kind"] in RAY_KINDS
                                   for x in containers_of(obj)):
        assert all(e["name"] != "AWS_ENDPOINT_URL_S3" for e in container.get("env", [])), where


def serve_apps(service: dict[str, Any]) -> list[dict[str, Any]]:
    return yaml.safe_load(service["spec"]["serveConfigV2"])["applications"]


@pytest.mark.parametrize("name", ["cpu-dev", "gpu-multinode", "serve-defaults", "kueue-serve-apikey"])
def test_serve_config_is_two_models_behind_build_openai_app(name):
    (service,) = by_kind(render_docs(VALUE_SETS[name]), "RayService")
    (app,) = serve_apps(service)
    merged = merged_values(VALUE_SETS[name])
    if merged["serve"]["apiKeySecret"].get("name"):
        # ray.serve.llm's builder would ignore the key: mediphi's enforces it, same arguments
        assert app["import_path"] == "mediphi.serving.app:build_openai_app"
        assert app["args"]["api_key_env"] == "MEDIPHI_API_KEY"
    else:
        assert app["import_path"] == "ray.serve.llm:build_openai_app"
        assert "api_key_env" not in app["args"]
    assert app["route_prefix"] == "/"
    configs = app["args"]["llm_configs"]
    models = merged["serve"]["models"]
    assert [c["model_loading_config"] for c in configs] == [
        {"model_id": models[m]["modelId"], "model_source": models[m]["source"]}
        for m in ("generator", "final")
    ]
    for config, key in zip(configs, ("generator", "final"), strict=True):
        model = models[key]
        assert config["deployment_config"]["autoscaling_config"] == {
            "min_replicas": model["minReplicas"],
            "max_replicas": model["maxReplicas"],
        }
        assert config["deployment_config"]["max_ongoing_requests"] == model["maxOngoingRequests"]
        assert config["engine_kwargs"] == model["engineKwargs"]
        if model.get("cpuOnly"):
            # Without these two, ray.serve.llm asks for a GPU and never schedules on CPU nodes.
            assert config["accelerator_config"] == {"kind": "cpu"}
            assert config["placement_group_config"] == {"bundles": [{"CPU": 1}]}
        elif model.get("acceleratorType"):
            assert config["accelerator_type"] == model["acceleratorType"]


@pytest.mark.parametrize("name", ["cpu-dev", "gpu-multinode", "serve-defaults", "kueue-serve-apikey"])
def test_serve_config_passes_ray_serve_llm_validation(name):
    """The serve args go through the very pydantic model that build_openai_app applies at
    deploy time (ray 2.60's LLMServingArgs; extra fields are errors there)."""
    llm = pytest.importorskip("ray.serve.llm", reason="ray[serve] is a dependency of the package")
    (service,) = by_kind(render_docs(VALUE_SETS[name]), "RayService")
    (app,) = serve_apps(service)
    llm_args = {k: v for k, v in app["args"].items() if k != "api_key_env"}
    args = llm.LLMServingArgs.model_validate(llm_args)
    assert [c.model_id for c in args.llm_configs] == [
        c["model_loading_config"]["model_id"] for c in app["args"]["llm_configs"]
    ]
    if name not in ("cpu-dev", "kueue-serve-apikey"):  # one of each builder is enough (~15 s each)
        return
    # The builder the chart names builds the app from these very arguments. In a child process:
    # building Serve deployments starts a local Ray, which must not leak into this test session.
    module, func = app["import_path"].split(":")
    code = (f"import json, sys; from {module} import {func}; "
            "app = {func}(json.loads(sys.stdin.read())); print(type(app).__name__)")
    built = subprocess.run([sys.executable, "-c", code.replace("{func}", func)], input=json.dumps(app["args"]),
                           capture_output=True, text=True, timeout=300, env={**os.environ, "RAY_ADDRESS": ""},
                           check=False)
    assert built.returncode == 0 and built.stdout.strip().endswith("Application"), built.stderr[-2000:]


def test_schema_accelerator_types_are_ones_ray_knows():
    pytest.importorskip("ray.serve.llm", reason="ray[serve] is a dependency of the package")
    from ray.llm._internal.serve.core.configs.accelerators import AcceleratorType

    schema = json.loads((CHART / "values.schema.json").read_text())
    allowed = schema["definitions"]["llmModel"]["properties"]["acceleratorType"]["enum"]
    assert set(allowed) - {""} <= {t.value for t in AcceleratorType}


def test_notes_tell_how_to_follow_the_job_and_reach_the_api():
    notes = render_notes(VARIANTS["serve-defaults"])
    for needle in (
        "kubectl get rayjob mediphi-run-1 -n mediphi",
        "kubectl logs -n mediphi -f job/mediphi-run-1",
        "-head-svc 8265:8265",
        "ray job logs --address http://localhost:8265",
        "kubectl port-forward -n mediphi svc/mediphi-serve-svc 8000:8000",
        "curl http://localhost:8000/v1/models",
        "from openai import OpenAI",
    ):
        assert needle in notes, needle
    assert "Serving is off" in render_notes({})


def with_values(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    values = copy.deepcopy(base)
    node = values
    *parents, leaf = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return values


GPU_GROUP = {
    "name": "gpu",
    "replicas": 0,
    "minReplicas": 0,
    "maxReplicas": 2,
    "resources": {"cpu": "8", "memory": "32Gi"},
    "shmSize": "8Gi",
}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param(
            {"replicaCount": 3}, "additional properties 'replicaCount' not allowed", id="unknown-top-key"
        ),
        pytest.param(
            with_values({}, "cluster.cpuWorkers.replicas", -1),
            "/cluster/cpuWorkers/replicas': minimum: got -1",
            id="negative-replicas",
        ),
        pytest.param(
            with_values({}, "cluster.cpuWorkers.maxReplicas", -2),
            "/cluster/cpuWorkers/maxReplicas': minimum: got -2",
            id="negative-max-replicas",
        ),
        pytest.param(
            with_values({}, "cluster.gpuWorkerGroups", [GPU_GROUP]),
            "/cluster/gpuWorkerGroups/0': missing property 'gpus'",
            id="gpu-group-without-gpu-count",
        ),
        pytest.param(
            with_values({}, "cluster.gpuWorkerGroups", [dict(GPU_GROUP, gpus=0)]),
            "/cluster/gpuWorkerGroups/0/gpus': minimum: got 0",
            id="gpu-group-with-zero-gpus",
        ),
        pytest.param(
            with_values({}, "pipeline.backoffLimit", "three"),
            "/pipeline/backoffLimit': got string, want integer",
            id="wrong-type",
        ),
        pytest.param(
            with_values({}, "pipeline.shutdownAfterJobFinishes", "yes"),
            "/pipeline/shutdownAfterJobFinishes': got string, want boolean",
            id="wrong-type-bool",
        ),
        pytest.param(
            with_values({}, "cluster.head.resources", {"cpu": "4", "memory": None}),
            "/cluster/head/resources': missing property 'memory'",
            id="resources-without-memory",
        ),
        pytest.param(
            with_values({}, "serve.enabled", True),
            "/serve/models/final/source': minLength",
            id="serve-without-model",
        ),
        pytest.param(
            with_values({}, "pipeline.storage", "gs://bucket/runs"), "/pipeline/storage'", id="storage-not-s3"
        ),
        pytest.param(
            with_values({}, "pipeline.overrides", ["a.b='x'"]),
            "/pipeline/overrides/0'",
            id="override-with-quote",
        ),
        pytest.param(
            with_values({}, "pipeline.runName", "Run_1"), "/pipeline/runName'", id="run-name-not-dns"
        ),
        pytest.param(
            with_values({}, "serviceAccount.roleArn", "my-role"),
            "/serviceAccount/roleArn'",
            id="role-arn-not-arn",
        ),
        pytest.param(
            with_values({}, "serve.models.generator.acceleratorType", "GTX-1080"),
            "/serve/models/generator/acceleratorType'",
            id="unknown-accelerator",
        ),
        pytest.param(
            with_values(
                with_values({}, "serve.models.generator.cpuOnly", True),
                "serve.models.generator.acceleratorType",
                "L4",
            ),
            "/serve/models/generator/acceleratorType'",
            id="cpu-only-with-gpu-type",
        ),
        pytest.param(
            with_values({}, "serve.models.final.engineKwargs", {"gpu_memory_utilization": 1.5}),
            "/serve/models/final/engineKwargs/gpu_memory_utilization'",
            id="gpu-memory-over-one",
        ),
        pytest.param(
            with_values({}, "podSecurity.runAsUser", 0),
            "/podSecurity/runAsUser': minimum: got 0",
            id="root-user",
        ),
        pytest.param(
            with_values({}, "cluster.gpuWorkerGroups", [dict(GPU_GROUP, gpus=1, typo=1)]), "'typo'", id="typo"
        ),
        pytest.param(
            with_values({}, "cluster.s3EndpointUrl", "minio:9000"), "/cluster/s3EndpointUrl'", id="endpoint-no-scheme"
        ),
    ],
)
def test_schema_rejects_bad_values_with_a_message_naming_them(values, message):
    with pytest.raises(helm.HelmValuesError) as caught:
        render_docs(values)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param(
            {"serve": {"enabled": True, "models": {"final": {"source": FINAL_MODEL, "minReplicas": 3}}}},
            "serve model mediphi: minReplicas (3) is greater than maxReplicas (2)",
            id="serve-min-over-max",
        ),
        pytest.param(
            with_values({}, "cluster.cpuWorkers.minReplicas", 5),
            "worker group cpu: minReplicas (5) is greater than maxReplicas (4)",
            id="min-over-max",
        ),
        pytest.param(
            with_values({}, "cluster.gpuWorkerGroups", [dict(GPU_GROUP, name="cpu", gpus=1)]),
            'worker group name "cpu" is used twice',
            id="duplicate-group",
        ),
        pytest.param(
            with_values(
                with_values({}, "pipeline.kueue.queueName", "q"), "pipeline.shutdownAfterJobFinishes", False
            ),
            "pipeline.kueue.queueName needs pipeline.shutdownAfterJobFinishes=true",
            id="kueue-without-shutdown",
        ),
        pytest.param(
            with_values(
                with_values({}, "cluster.s3EndpointUrl", "http://minio:9000"),
                "cluster.env",
                [{"name": "AWS_ENDPOINT_URL_S3", "value": "http://other:9000"}],
            ),
            "cluster.s3EndpointUrl and an AWS_ENDPOINT_URL_S3 in cluster.env both set the S3 endpoint",
            id="endpoint-twice",
        ),
    ],
)
def test_templates_reject_inconsistent_values(values, message):
    with pytest.raises(helm.HelmError) as caught:
        render_docs(values)
    assert message in str(caught.value)


def test_release_name_must_make_valid_object_names():
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmError) as caught:
        chart.render({}, name="1st", namespace="mediphi")
    assert "must start with a letter" in str(caught.value)
