#!/bin/bash
# Records upstream's Tables for the objects in objects.yaml: creates them on the reference
# kube-apiserver (/work/shared/peers/up.sh), applies statuses.yaml, then saves each
# resource's Table (includeObject=Object, so each row carries the object it was computed
# from) as <resource>.json with the server's Date. table's tests re-render those objects
# and compare the cells. Needs kubectl, curl, python3 and a running peer.
set -euo pipefail
cd "$(dirname "$0")"
RUN=${PEER_RUN:-$HOME/.cache/skiff-peers/run}
export KUBECONFIG=$RUN/admin.kubeconfig
P=$RUN/pki
API=https://127.0.0.1:${APISERVER_PORT:-16443}
NS=table-record
pcurl() { curl -sf --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" "$@"; }

kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kubectl delete node n1 n2 --ignore-not-found >/dev/null
kubectl create namespace "$NS" >/dev/null
kubectl -n "$NS" create -f objects.yaml >/dev/null
python3 - "$NS" <<'PY' | while read -r path body; do pcurl -X PATCH -H 'Content-Type: application/merge-patch+json' --data "$body" "$API$path" >/dev/null; done
import json, sys, yaml
for s in yaml.safe_load(open("statuses.yaml")):
    print(s["path"].replace("/namespaces/default/", "/namespaces/%s/" % sys.argv[1]), json.dumps(s["patch"]))
PY
sleep 2 # let the controllers make replica sets and pods
for r in api/v1/namespaces/$NS/configmaps api/v1/namespaces/$NS/secrets api/v1/namespaces/$NS/serviceaccounts \
         api/v1/namespaces/$NS/services api/v1/namespaces/$NS/endpoints api/v1/nodes api/v1/namespaces \
         api/v1/namespaces/$NS/events api/v1/namespaces/$NS/pods apis/coordination.k8s.io/v1/namespaces/$NS/leases \
         apis/apps/v1/namespaces/$NS/deployments apis/apps/v1/namespaces/$NS/replicasets \
         apis/autoscaling/v2/namespaces/$NS/horizontalpodautoscalers apis/autoscaling/v1/namespaces/$NS/horizontalpodautoscalers; do
  out=$(echo "$r" | awk -F/ '{print $NF}')
  case $r in apis/autoscaling/v1/*) out=$out-v1;; esac
  pcurl -D headers.tmp -H 'Accept: application/json;as=Table;v=v1;g=meta.k8s.io' "$API/$r?includeObject=Object" >body.tmp
  python3 - "$out" <<'PY'
import email.utils, json, sys
date = next(l.split(":", 1)[1].strip() for l in open("headers.tmp") if l.lower().startswith("date:"))
now = email.utils.parsedate_to_datetime(date).strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump({"now": now, "table": json.load(open("body.tmp"))}, open(sys.argv[1] + ".json", "w"), indent=1, sort_keys=True)
PY
done
rm -f headers.tmp body.tmp
kubectl delete namespace "$NS" --wait=false >/dev/null
kubectl delete node n1 n2 >/dev/null
