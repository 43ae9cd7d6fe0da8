#!/usr/bin/env python3
"""Record upstream's validation errors for Skiff's golden validation cases.

Usage: PEER_RUN=... APISERVER_PORT=... python3 record.py cases/*.yaml

Case file (YAML): resource (collection path), then either `object` (a create) or `old` plus
`change` (an update: old is created for real, read back, `change` is merge-patched onto it and
the result PUT, optionally to `subresource`). Requests are dry runs. The file gets back:
`want` (upstream's causes, "field: message"), `status` (HTTP code) and, for updates,
`oldStored` / `newSent` (the exact objects compared).
"""
import copy, json, os, ssl, sys, time, urllib.request
import yaml

# The peer started by /work/shared/peers/up.sh (same environment variables).
RUN = os.environ.get("PEER_RUN", os.path.expanduser("~/.cache/skiff-peers/run"))
BASE = "https://127.0.0.1:" + os.environ.get("APISERVER_PORT", "16443")
P = RUN + "/pki"
ctx = ssl.create_default_context(cafile=P + "/ca.crt")
ctx.load_cert_chain(P + "/admin.crt", P + "/admin.key")

def call(method, path, body=None, dry=True, ctype="application/json"):
    url = BASE + path + ("?dryRun=All" if dry else "")
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, context=ctx) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

def causes(status):
    if status.get("kind") != "Status":
        return []
    out = []
    for c in (status.get("details") or {}).get("causes") or []:
        f = c.get("field", "")
        out.append((f + ": " if f else "") + c["message"])
    if not out:
        out = ["<" + status.get("reason", "") + "> " + status.get("message", "")]
    return out

def merge(dst, patch):
    if not isinstance(patch, dict) or not isinstance(dst, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(dst)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out.get(k), v)
    return out

def strip(o):
    md = o.get("metadata", {})
    md.pop("managedFields", None)
    return o

def record(fn):
    case = yaml.safe_load(open(fn))
    res, sub = case["resource"], case.get("subresource")
    suffix = "/" + sub if sub else ""
    if "old" in case:
        old = case["old"]
        name = old["metadata"]["name"]
        code, created = call("POST", res, old, dry=False)
        if code >= 300:
            print(fn, "could not create old:", created.get("message")); return
        try:
            if "oldStatus" in case:
                created["status"] = case["oldStatus"]
                code, created = call("PUT", res + "/" + name + "/status", created, dry=False)
                if code >= 300:
                    print(fn, "could not set old status:", created.get("message")); return
            for attempt in range(10):
                time.sleep(0.5)
                code, created = call("GET", res + "/" + name, dry=False)
                new = merge(created, case["change"])
                code, st = call("PUT", res + "/" + name + suffix, new)
                if code != 409:
                    break
            case["oldStored"] = strip(created)
            case["newSent"] = strip(new)
        finally:
            call("DELETE", res + "/" + name, {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}, dry=False)
    else:
        obj = case["object"]
        path = res + ("/" + obj["metadata"]["name"] + suffix if sub else "")
        code, st = call("POST", path, obj)
    case["status"] = code
    case["want"] = causes(st) if code >= 300 else []
    with open(fn, "w") as f:
        yaml.safe_dump(case, f, sort_keys=False, width=1000, allow_unicode=True)
    print(fn, code, len(case["want"]))

for fn in sys.argv[1:]:
    record(fn)
