#!/usr/bin/env bash
# A narrated tour of a running Skiff cluster with the real kubectl (`make demo`, after
# `make up`): a ReplicaSet heals a killed container and a deleted pod, then a Deployment
# rolls from demo-app:v1 to v2 and back, while its pods answer through a Service ClusterIP.
# Every command is printed before it runs, so the demo can be replayed by hand.
#   DEMO_KEEP=1   leave the demo's objects in the cluster afterwards
set -euo pipefail
# shellcheck source=cluster-env.sh
source "$(dirname "$0")/cluster-env.sh"
export KUBECONFIG=$KUBECONFIG_FILE

if ! node_ready; then
  echo "demo: no Ready Skiff node answers on 127.0.0.1:$SKIFF_API_PORT; start one with: make up" >&2
  exit 1
fi

bold= plain=
if [ -t 1 ]; then
  bold=$(tput bold 2>/dev/null || true)
  plain=$(tput sgr0 2>/dev/null || true)
fi
say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# run prints a command the way one would type it, then runs it.
run() {
  local a shown=()
  for a in "$@"; do
    case $a in *[\ \$]*) shown+=("'$a'") ;; *) shown+=("$a") ;; esac
  done
  printf '%s$ %s%s\n' "$bold" "${shown[*]}" "$plain"
  "$@"
}
# apply shows a manifest and applies it.
apply() {
  printf '%s$ kubectl apply -f - <<EOF%s\n%s\n%sEOF%s\n' "$bold" "$plain" "$1" "$bold" "$plain"
  kubectl apply -f - <<<"$1"
}

# until_true waits up to $1 seconds for the command to succeed.
until_true() {
  local timeout=$1 deadline
  shift
  deadline=$(($(date +%s) + timeout))
  until "$@"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "demo: timed out after ${timeout} s waiting for: $*" >&2
      exit 1
    fi
    sleep 0.5
  done
}

# ready_count prints how many pods matching a selector are Running and ready (1/1).
ready_count() {
  kubectl get pods -l "$1" --no-headers 2>/dev/null | awk '$2 == "1/1" && $3 == "Running"' | wc -l
}
has_ready() { [ "$(ready_count "$1")" -eq "$2" ]; }

# pod_ips prints "name ip" of the pods matching a selector that are not terminating.
pod_ips() {
  kubectl get pods -l "$1" -o jsonpath='{range .items[*]}{.metadata.name} {.status.podIP} {.metadata.deletionTimestamp}{"\n"}{end}' |
    awk 'NF == 2'
}

# ask_pods shows each pod's HTTP answer, fetched from its pod IP.
ask_pods() {
  local name ip
  while read -r name ip; do
    printf '%s$ curl http://%s:8080/%s   ' "$bold" "$ip" "$plain"
    curl -sS --max-time 2 "http://$ip:8080/" || echo "(no answer from $name)"
  done < <(pod_ips "$1")
}

restarts_above() {
  [ "$(kubectl get pod "$1" -o jsonpath='{.status.containerStatuses[0].restartCount}')" -gt "$2" ]
}

say "1. A ReplicaSet keeps 3 pods of skiff.local/demo-app:v1 running"
apply "$(cat <<'EOF'
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: demo-rs
spec:
  replicas: 3
  selector:
    matchLabels: {app: demo-rs}
  template:
    metadata:
      labels: {app: demo-rs}
    spec:
      containers:
      - name: app
        image: skiff.local/demo-app:v1
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
          periodSeconds: 1
EOF
)"
until_true 120 has_ready app=demo-rs 3
run kubectl get pods -l app=demo-rs -o wide
echo "Each pod answers on its own IP on the skiff0 bridge:"
ask_pods app=demo-rs

victim=$(pod_ips app=demo-rs | awk 'NR == 1 { print $1 }')
say "2. Kill the process of one container: the kubelet restarts it (RESTARTS rises)"
run kubectl exec "$victim" -- kill 1 || true
until_true 120 restarts_above "$victim" 0
until_true 60 has_ready app=demo-rs 3
run kubectl get pod "$victim"

victim=$(pod_ips app=demo-rs | awk 'NR == 2 { print $1 }')
say "3. Delete a pod: the ReplicaSet controller creates a replacement"
run kubectl delete pod "$victim" --wait=false
sleep 1
run kubectl get pods -l app=demo-rs
until_true 120 has_ready app=demo-rs 3
run kubectl get pods -l app=demo-rs
[ -n "${DEMO_KEEP:-}" ] || run kubectl delete rs demo-rs --wait=false

say "4. A Deployment of demo-app:v1 behind a Service"
apply "$(cat <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
  labels: {app: demo}
  annotations:
    kubernetes.io/change-cause: first version, demo-app:v1
spec:
  replicas: 3
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
      - name: app
        image: skiff.local/demo-app:v1
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: demo
  labels: {app: demo}
spec:
  selector: {app: demo}
  ports:
  - port: 80
    targetPort: 8080
EOF
)"
run kubectl rollout status deployment/demo --timeout=3m
cluster_ip=$(kubectl get service demo -o jsonpath='{.spec.clusterIP}')
# ask_service asks the Service's ClusterIP a few times: the proxy spreads the requests.
ask_service() {
  local i
  printf '%s$ for i in 1 2 3 4 5 6; do curl http://%s/; done%s\n' "$bold" "$cluster_ip" "$plain"
  for i in 1 2 3 4 5 6; do curl -sS --max-time 2 "http://$cluster_ip/" || echo "(no answer)"; done
}
service_answers() { curl -fsS --max-time 2 "http://$cluster_ip/" 2>/dev/null | grep -q "demo-app $1 "; }
until_true 60 service_answers v1
run kubectl get deployment,rs,pods,service -l app=demo -o wide
ask_service

say "5. Roll out v2: new pods come up before old ones go"
run kubectl set image deployment/demo app=skiff.local/demo-app:v2
run kubectl annotate deployment/demo kubernetes.io/change-cause="second version, demo-app:v2" --overwrite
run kubectl rollout status deployment/demo --timeout=3m
run kubectl rollout history deployment/demo
until_true 60 has_ready app=demo 3
ask_pods app=demo
ask_service

say "6. Roll back to the previous revision"
run kubectl rollout undo deployment/demo
run kubectl rollout status deployment/demo --timeout=3m
run kubectl rollout history deployment/demo
until_true 60 has_ready app=demo 3
until_true 60 service_answers v1
ask_pods app=demo
ask_service
run kubectl get rs -l app=demo

if [ -z "${DEMO_KEEP:-}" ]; then
  say "Clean up"
  run kubectl delete deployment demo --wait=false
  run kubectl delete service demo
fi
say "Done. The cluster keeps running; make down stops it."
