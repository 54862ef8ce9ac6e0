#!/usr/bin/env bash
# Builds every Kustomize overlay under k8s/overlays with `kubectl kustomize`, validates every object
# against its schema (tools/k8s-validate/validate.mjs: the Kubernetes OpenAPI schemas from the npm
# package kubernetes-models, prometheus-operator's for PodMonitor, and the Strimzi and
# CloudNativePG CRD schemas in k8s/schemas/) and checks Tracklane's invariants
# (tools/k8s-validate/invariants.mjs). Run by .ci/run; exits non-zero on any problem.
#
# Installs what is missing, idempotently: kubectl (Debian's package kubernetes-client, whose
# kustomize v2.0.3 the kustomizations are written for as well as for v5) and the validator's npm
# packages (pinned in tools/k8s-validate/package-lock.json). Needs node and npm.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { echo "k8s-check: $*" >&2; }

if ! command -v kubectl >/dev/null; then
  log "installing kubectl (Debian package kubernetes-client)"
  SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq kubernetes-client >/dev/null
fi
log "$(kubectl version --client 2>/dev/null | tr '\n' ' ')"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "node and npm are needed for the schema validation"; exit 1
fi
validator="$ROOT/tools/k8s-validate"
# npm ci only when the installed packages are not the locked ones (a copy of the lock marks them).
if ! cmp -s "$validator/package-lock.json" "$validator/node_modules/.installed-lock.json" 2>/dev/null; then
  log "installing the validator's npm packages"
  (cd "$validator" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$validator/package-lock.json" "$validator/node_modules/.installed-lock.json"
fi

out="$ROOT/target/k8s"
mkdir -p "$out"
failed=0
for overlay in "$ROOT"/k8s/overlays/*/; do
  name="$(basename "$overlay")"
  built="$out/$name.yaml"
  # kustomize v5 warns that bases/patchesStrategicMerge are deprecated (kept for Debian's v2.0.3).
  if ! kubectl kustomize "$overlay" > "$built" 2> "$out/$name.err"; then
    cat "$out/$name.err" >&2
    log "$name: kubectl kustomize failed"; failed=1; continue
  fi
  log "$name: built $(grep -c '^kind:' "$built") objects into ${built#"$ROOT"/}"
  if ! node "$validator/validate.mjs" "$built" > "$out/$name.validation.txt"; then
    grep -v '^ok ' "$out/$name.validation.txt" >&2
    failed=1
  else
    log "$name: $(tail -1 "$out/$name.validation.txt")"
  fi
  node "$validator/invariants.mjs" "$name" "$built" >&2 || failed=1
done
if [[ "$failed" -ne 0 ]]; then
  log "FAILED"; exit 1
fi
log "every overlay builds, validates and keeps the invariants"
