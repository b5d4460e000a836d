{{/*
Names and labels.
*/}}
{{- define "mediphi.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name prefix of every object, at most 30 characters: KubeRay rejects RayJob and RayService
names over 47 characters (it appends suffixes to them for the cluster and its services), and
the RayJob's name is this prefix plus "-" plus pipeline.runName (at most 16).
*/}}
{{- define "mediphi.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 30 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 30 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 30 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
RayJob and RayService names must be DNS-1035 labels (start with a letter); the release name
decides the prefix, so a release called "1st" would only fail later inside the operator.
*/}}
{{- define "mediphi.checkName" -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" (include "mediphi.fullname" .)) }}
{{- fail (printf "object name prefix %q must start with a letter and hold only a-z, 0-9 and '-': choose another release name or set fullnameOverride" (include "mediphi.fullname" .)) }}
{{- end }}
{{- end }}

{{- define "mediphi.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mediphi.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mediphi.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mediphi.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mediphi
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "mediphi.serviceAccountName" -}}
{{- default (include "mediphi.fullname" .) .Values.serviceAccount.name }}
{{- end }}

{{- define "mediphi.image" -}}
{{- if .Values.image.digest -}}
{{ printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else -}}
{{ printf "%s:%s" .Values.image.repository .Values.image.tag }}
{{- end }}
{{- end }}

{{/*
Pod-level security context: the same for every pod (head, workers, submitter).
*/}}
{{- define "mediphi.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser | int }}
runAsGroup: {{ .Values.podSecurity.runAsGroup | int }}
fsGroup: {{ .Values.podSecurity.fsGroup | int }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Container-level security context: repeated on each container because several scanners (and
Pod Security Admission "restricted") look at the container, not the pod.
*/}}
{{- define "mediphi.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser | int }}
runAsGroup: {{ .Values.podSecurity.runAsGroup | int }}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: {{ .Values.podSecurity.readOnlyRootFilesystem }}
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Requests equal to limits (Guaranteed QoS): Ray sizes its scheduler from the limits, and a Ray
pod that the kubelet evicts under memory pressure takes its objects and actors with it.
Takes a dict with cpu, memory and optionally gpus.
*/}}
{{- define "mediphi.resources" -}}
{{- $r := dict "cpu" (toString .cpu) "memory" (toString .memory) }}
{{- if .gpus }}
{{- $_ := set $r "nvidia.com/gpu" (toString (int .gpus)) }}
{{- end -}}
requests:
  {{- toYaml $r | nindent 2 }}
limits:
  {{- toYaml $r | nindent 2 }}
{{- end }}

{{/*
The pod template of one Ray node group.
Arguments (a dict):
  root        the chart's root context
  group       the group's values (resources, shmSize, nodeSelector, tolerations, gpus)
  head        true for the head group
  component   "pipeline" or "serve": which object the cluster belongs to
  autoscale   whether this cluster runs the autoscaler sidecar (in the head pod)
*/}}
{{- define "mediphi.rayPodTemplate" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $g := .group }}
{{- $gpus := int (default 0 $g.gpus) -}}
metadata:
  labels:
    {{- include "mediphi.selectorLabels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  serviceAccountName: {{ include "mediphi.serviceAccountName" $root }}
  {{- /* Only the head talks to the Kubernetes API (the autoscaler sidecar). IRSA does not need
  this token: the EKS webhook mounts its own projected token for AWS. */}}
  automountServiceAccountToken: {{ and .head .autoscale }}
  securityContext:
    {{- include "mediphi.podSecurityContext" $root | nindent 4 }}
  {{- with $v.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $g.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if or $gpus $g.tolerations }}
  tolerations:
    {{- if $gpus }}
    # GPU nodes are tainted so that only pods asking for a GPU land on them.
    - key: nvidia.com/gpu
      operator: Exists
      effect: NoSchedule
    {{- end }}
    {{- with $g.tolerations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  containers:
    # KubeRay treats the first container as the Ray container.
    - name: {{ ternary "ray-head" "ray-worker" (eq .head true) }}
      image: {{ include "mediphi.image" $root }}
      imagePullPolicy: {{ $v.image.pullPolicy }}
      securityContext:
        {{- include "mediphi.containerSecurityContext" $root | nindent 8 }}
      resources:
        {{- include "mediphi.resources" (dict "cpu" $g.resources.cpu "memory" $g.resources.memory "gpus" $gpus) | nindent 8 }}
      {{- if or $v.cluster.env $v.cluster.s3EndpointUrl (and (eq .component "serve") $v.serve.apiKeySecret.name) }}
      env:
        {{- with $v.cluster.s3EndpointUrl }}
        {{- range $v.cluster.env }}
        {{- if eq .name "AWS_ENDPOINT_URL_S3" }}
        {{- fail "cluster.s3EndpointUrl and an AWS_ENDPOINT_URL_S3 in cluster.env both set the S3 endpoint: keep one" }}
        {{- end }}
        {{- end }}
        # The S3 service's own variable: mediphi's storage, boto3 and Ray's model downloader (the
        # serving replicas load s3:// models with it, and it reads no other) all take it, and,
        # unlike AWS_ENDPOINT_URL, it leaves STS (IRSA's credentials) and every other service on AWS.
        - name: AWS_ENDPOINT_URL_S3
          value: {{ . | quote }}
        {{- end }}
        {{- with $v.cluster.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- if and (eq .component "serve") $v.serve.apiKeySecret.name }}
        - name: MEDIPHI_API_KEY
          valueFrom:
            secretKeyRef:
              name: {{ $v.serve.apiKeySecret.name }}
              key: {{ $v.serve.apiKeySecret.key }}
        {{- end }}
      {{- end }}
      {{- if .head }}
      ports:
        - name: gcs-server
          containerPort: 6379
        - name: dashboard
          containerPort: 8265
        - name: client
          containerPort: 10001
        - name: metrics
          containerPort: 8080
        {{- if eq .component "serve" }}
        - name: serve
          containerPort: 8000
        {{- end }}
      {{- end }}
      volumeMounts:
        - name: dshm
          mountPath: /dev/shm
        {{- if and .head (eq .component "pipeline") $v.pipeline.recipe }}
        - name: recipe
          mountPath: /home/ray/recipe
          readOnly: true
        {{- end }}
        {{- with $v.cluster.volumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    # Ray's object store and PyTorch's DataLoader/NCCL use /dev/shm; the container default
    # (64 MiB) is far too small.
    - name: dshm
      emptyDir:
        medium: Memory
        sizeLimit: {{ $g.shmSize }}
    {{- if and .head (eq .component "pipeline") $v.pipeline.recipe }}
    - name: recipe
      configMap:
        name: {{ include "mediphi.fullname" $root }}-{{ $v.pipeline.runName }}-recipe
    {{- end }}
    {{- with $v.cluster.volumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}

{{/*
The Ray cluster spec shared by the RayJob (rayClusterSpec) and the RayService (rayClusterConfig).
Arguments: root, component.
*/}}
{{- define "mediphi.rayClusterSpec" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $c := $v.cluster }}
{{- /* Kueue admits a RayJob with a fixed size and rejects autoscaling ones, so a queued
pipeline runs its groups at `replicas`; the RayService keeps autoscaling. */}}
{{- $queued := and (eq .component "pipeline") $v.pipeline.kueue.queueName }}
{{- $autoscale := and $c.autoscaling.enabled (not $queued) -}}
rayVersion: {{ $v.rayVersion | quote }}
enableInTreeAutoscaling: {{ $autoscale }}
{{- if $autoscale }}
autoscalerOptions:
  version: {{ $c.autoscaling.version }}
  idleTimeoutSeconds: {{ $c.autoscaling.idleTimeoutSeconds | int }}
  upscalingMode: {{ $c.autoscaling.upscalingMode }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  resources:
    {{- include "mediphi.resources" $c.autoscaling.resources | nindent 4 }}
  securityContext:
    {{- include "mediphi.containerSecurityContext" $root | nindent 4 }}
{{- end }}
headGroupSpec:
  rayStartParams:
    dashboard-host: "0.0.0.0"
    {{- range $k, $val := $c.head.rayStartParams }}
    {{ $k }}: {{ $val | toString | quote }}
    {{- end }}
  template:
    {{- include "mediphi.rayPodTemplate" (dict "root" $root "group" $c.head "head" true "component" .component "autoscale" $autoscale) | nindent 4 }}
{{- $groups := list }}
{{- if $c.cpuWorkers.enabled }}
{{- $groups = append $groups (merge (dict "name" "cpu" "gpus" 0) $c.cpuWorkers) }}
{{- end }}
{{- range $c.gpuWorkerGroups }}
{{- $groups = append $groups . }}
{{- end }}
{{- $seen := dict }}
{{- range $groups }}
{{- if hasKey $seen .name }}
{{- fail (printf "worker group name %q is used twice (the CPU group is called \"cpu\")" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- end }}
{{- if $groups }}
workerGroupSpecs:
  {{- range $groups }}
  {{- if gt (int .minReplicas) (int .maxReplicas) }}
  {{- fail (printf "worker group %s: minReplicas (%d) is greater than maxReplicas (%d)" .name (int .minReplicas) (int .maxReplicas)) }}
  {{- end }}
  - groupName: {{ .name }}
    replicas: {{ .replicas | int }}
    minReplicas: {{ .minReplicas | int }}
    maxReplicas: {{ .maxReplicas | int }}
    rayStartParams:
      {{- range $k, $val := .rayStartParams }}
      {{ $k }}: {{ $val | toString | quote }}
      {{- else }} {}
      {{- end }}
    template:
      {{- include "mediphi.rayPodTemplate" (dict "root" $root "group" . "head" false "component" $.component "autoscale" $autoscale) | nindent 6 }}
  {{- end }}
{{- end }}
{{- end }}

{{/*
One entry of serveConfigV2's llm_configs (ray.serve.llm.LLMConfig), as a dict.
*/}}
{{- define "mediphi.llmConfig" -}}
{{- $m := . }}
{{- if gt (int $m.minReplicas) (int $m.maxReplicas) }}
{{- fail (printf "serve model %s: minReplicas (%d) is greater than maxReplicas (%d)" $m.modelId (int $m.minReplicas) (int $m.maxReplicas)) }}
{{- end }}
{{- $cfg := dict "model_loading_config" (dict "model_id" $m.modelId "model_source" $m.source) }}
{{- $auto := dict "min_replicas" (int $m.minReplicas) "max_replicas" (int $m.maxReplicas) }}
{{- $_ := set $cfg "deployment_config" (dict "autoscaling_config" $auto "max_ongoing_requests" (int $m.maxOngoingRequests)) }}
{{- $_ = set $cfg "engine_kwargs" $m.engineKwargs }}
{{- if $m.cpuOnly }}
{{- /* Without these two, ray.serve.llm asks for a GPU and the replica never schedules. */}}
{{- $_ = set $cfg "accelerator_config" (dict "kind" "cpu") }}
{{- $_ = set $cfg "placement_group_config" (dict "bundles" (list (dict "CPU" 1))) }}
{{- else if $m.acceleratorType }}
{{- $_ = set $cfg "accelerator_type" $m.acceleratorType }}
{{- end }}
{{- with $m.env }}
{{- $_ = set $cfg "runtime_env" (dict "env_vars" .) }}
{{- end }}
{{- toYaml $cfg }}
{{- end }}
