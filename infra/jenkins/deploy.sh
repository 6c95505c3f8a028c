#!/usr/bin/env bash
# Deploys one image to one Kubernetes overlay: the migration Job first, then the
# rolling update of web (gunicorn), ws (daphne), worker and beat. Called by
# infra/jenkins/Jenkinsfile; also runnable by hand (docs/deployment.md).
#
#   infra/jenkins/deploy.sh <overlay dir> <image repository> <tag>
#
# Needs kubectl (its built-in kustomize renders the overlay) and a KUBECONFIG for the
# target cluster. KUBECTL, MIGRATE_TIMEOUT and ROLLOUT_TIMEOUT (seconds) override
# the defaults.
set -euo pipefail

if [ "$#" -ne 3 ]; then
  echo "usage: $0 <overlay dir> <image repository> <tag>" >&2
  exit 2
fi
overlay=$1
repository=$2
tag=$3
kubectl=${KUBECTL:-kubectl}
migrate_timeout=${MIGRATE_TIMEOUT:-900}
rollout_timeout=${ROLLOUT_TIMEOUT:-600}
component=app.kubernetes.io/component

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The image name the overlay renders (all processes share one image), without its tag.
current=$("$kubectl" kustomize "$overlay" | sed -n 's/^[[:space:]]*image:[[:space:]]*//p' | sort -u)
if [ "$(printf '%s\n' "$current" | wc -l)" -ne 1 ]; then
  echo "deploy: expected one image in $overlay, found: $current" >&2
  exit 1
fi
current_name=$(printf '%s' "$current" | sed 's/[@:][^:/@]*$//')

# A throwaway kustomization on top of the overlay pins the image just pushed.
# kustomize accepts only relative paths to other kustomizations.
relative=$(realpath --relative-to="$work" "$overlay")
cat >"$work/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $relative
images:
  - name: $current_name
    newName: $repository
    newTag: $tag
YAML
"$kubectl" kustomize "$work" >"$work/rendered.yaml"

namespace=$(awk '/^kind: Namespace$/ { found = 1 } found && /^  name: / { print $2; exit }' \
  "$work/rendered.yaml")
if [ -z "$namespace" ]; then
  echo "deploy: $overlay renders no Namespace" >&2
  exit 1
fi
echo "deploy: $repository:$tag to namespace $namespace"

# 1. Namespace and settings, which the Job reads.
"$kubectl" apply -f "$work/rendered.yaml" -l "$component=config"

# 2. Migrations. A Job's pod template is immutable, so the previous run goes first.
"$kubectl" -n "$namespace" delete job nexus-migrate --ignore-not-found --wait=true
"$kubectl" apply -f "$work/rendered.yaml" -l "$component=migrate"

deadline=$((SECONDS + migrate_timeout))
while :; do
  conditions=$("$kubectl" -n "$namespace" get job nexus-migrate \
    -o 'jsonpath={range .status.conditions[?(@.status=="True")]}{.type} {end}')
  case " $conditions " in
    *" Complete "*)
      echo "deploy: migrations applied"
      break
      ;;
    *" Failed "*)
      echo "deploy: migration Job failed; nothing was rolled out" >&2
      "$kubectl" -n "$namespace" logs job/nexus-migrate --tail=200 >&2 || true
      exit 1
      ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "deploy: migration Job not done after ${migrate_timeout}s" >&2
    "$kubectl" -n "$namespace" logs job/nexus-migrate --tail=200 >&2 || true
    exit 1
  fi
  sleep 5
done

# 3. Everything else: the Deployments roll (web, ws and worker surge, beat is
# recreated), and the deploy is done only when every one of them is.
"$kubectl" apply -f "$work/rendered.yaml" -l "$component!=migrate"
for deployment in nexus-web nexus-ws nexus-worker nexus-beat; do
  "$kubectl" -n "$namespace" rollout status "deployment/$deployment" \
    --timeout="${rollout_timeout}s"
done
echo "deploy: done"
