#!/usr/bin/env bash
# Brings up the kind cluster with the Novel Engine stack, ready for gauntlet; safe to run again.
# Needs docker, kind and kubectl on PATH (docs/targets/kind.md installs them). Every command here
# is also written out, step by step, in docs/targets/kind.md.
set -euo pipefail

CLUSTER="${CLUSTER:-gauntlet}"
KIND_NODE_IMAGE="${KIND_NODE_IMAGE:-kindest/node:v1.32.2}"
INGRESS_NGINX_VERSION="${INGRESS_NGINX_VERSION:-controller-v1.12.1}"
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-v0.7.2}"
IMAGE="${IMAGE:-novel-engine:1.0.0}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
ctx="kind-${CLUSTER}"

for tool in docker kind kubectl; do
  command -v "$tool" >/dev/null || { echo "up.sh: $tool is not on PATH (docs/targets/kind.md)" >&2; exit 2; }
done

echo "== cluster ${CLUSTER}: 1 control plane, 6 workers in zone-a, zone-b, zone-c"
if ! kind get clusters | grep -qx "$CLUSTER"; then
  kind create cluster --name "$CLUSTER" --image "$KIND_NODE_IMAGE" \
    --config "$root/infra-fixtures/kind/cluster.yaml" --wait 180s
fi

echo "== ingress-nginx ${INGRESS_NGINX_VERSION} (on the control plane, ports 80/443 of 127.0.0.1)"
kubectl --context "$ctx" apply -f \
  "https://raw.githubusercontent.com/kubernetes/ingress-nginx/${INGRESS_NGINX_VERSION}/deploy/static/provider/kind/deploy.yaml"
kubectl --context "$ctx" -n ingress-nginx wait --for=condition=ready pod \
  --selector=app.kubernetes.io/component=controller --timeout=180s

echo "== metrics-server ${METRICS_SERVER_VERSION} (CPU metrics for the HPA)"
kubectl --context "$ctx" apply -f \
  "https://github.com/kubernetes-sigs/metrics-server/releases/download/${METRICS_SERVER_VERSION}/components.yaml"
# kind's kubelets serve self-signed certificates.
if ! kubectl --context "$ctx" -n kube-system get deployment metrics-server \
  -o jsonpath='{.spec.template.spec.containers[0].args}' | grep -q -- --kubelet-insecure-tls; then
  kubectl --context "$ctx" -n kube-system patch deployment metrics-server --type=json \
    -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'
fi
kubectl --context "$ctx" -n kube-system rollout status deployment/metrics-server --timeout=180s

echo "== image ${IMAGE}, built here and loaded into every node"
docker build -t "$IMAGE" "$root/infra-fixtures/app"
kind load docker-image "$IMAGE" --name "$CLUSTER"

echo "== the stack (infra-fixtures/k8s/overlays/kind) and gauntlet's RBAC (infra-fixtures/rbac)"
kubectl --context "$ctx" apply -k "$root/infra-fixtures/k8s/overlays/kind"
kubectl --context "$ctx" apply -k "$root/infra-fixtures/rbac"
kubectl --context "$ctx" -n novel-engine rollout status deployment/novel-engine --timeout=300s
kubectl --context "$ctx" get nodes -L topology.kubernetes.io/zone
kubectl --context "$ctx" -n novel-engine get pods -o wide
echo "== ready: gauntlet run scenarios/nightly.ts --context ${ctx} --allow-context ${ctx}"
