#!/usr/bin/env python3
"""tests/k8s/objs.py - reads JSON object lists (kubectl ... -o json) for tests/k8s/run.sh.

Owns the small computations the suite's assertions need, each printing plain lines:
  zones DESIRED.json        the zone values a cluster's pods are restricted to (nodeAffinity), if any
  classes DESIRED.json...   every storageClassName the trees use
  workloads DESIRED.json    "Kind name replicas claims" per StatefulSet/Deployment (replicas of a
                            workload an HPA targets without replicas: the HPA's minReplicas)
  pdbs DESIRED.json         "name expectedDisruptionsAllowed" with every selected pod healthy
  snapshot LIVE.json        "Kind/name resourceVersion generation applyHash" per object, where
                            applyHash digests the managedFields entries of field manager kubectl
  ready LIVE.json WORKLOADS "Kind name ready/wanted" for every workload not yet ready
"""
import hashlib
import json
import math
import sys


def items(path):
    with open(path) as f:
        d = json.load(f)
    return d.get("items", [d]) if d.get("kind", "").endswith("List") else [d]


def pod_specs(objs):
    for o in objs:
        t = o.get("spec", {}).get("template", {})
        if o["kind"] == "CronJob":
            t = o["spec"]["jobTemplate"]["spec"]["template"]
        if t:
            yield o, t.get("spec", {})


def zones(objs):
    seen = []
    for _, spec in pod_specs(objs):
        aff = spec.get("affinity", {}).get("nodeAffinity", {})
        req = aff.get("requiredDuringSchedulingIgnoredDuringExecution", {})
        for term in req.get("nodeSelectorTerms", []):
            for e in term.get("matchExpressions", []):
                if e["key"] == "topology.kubernetes.io/zone" and e["operator"] == "In":
                    seen += [z for z in e["values"] if z not in seen]
    print(" ".join(seen))


def classes(paths):
    names = set()
    for p in paths:
        for o in items(p):
            if o["kind"] == "PersistentVolumeClaim":
                names.add(o["spec"].get("storageClassName", ""))
            for t in o.get("spec", {}).get("volumeClaimTemplates", []):
                names.add(t["spec"].get("storageClassName", ""))
    print(" ".join(sorted(n for n in names if n)))


def replicas_of(objs):
    hpa_min = {}
    for o in objs:
        if o["kind"] == "HorizontalPodAutoscaler":
            ref = o["spec"]["scaleTargetRef"]
            hpa_min[(ref["kind"], ref["name"])] = o["spec"].get("minReplicas", 1)
    out = {}
    for o in objs:
        if o["kind"] in ("StatefulSet", "Deployment"):
            key = (o["kind"], o["metadata"]["name"])
            r = o["spec"].get("replicas")
            if r is None:
                r = hpa_min.get(key, 1)
            out[key] = (o, max(r, hpa_min.get(key, 0)) if key in hpa_min else r)
    return out


def workloads(objs):
    for (kind, name), (o, r) in sorted(replicas_of(objs).items()):
        claims = ",".join(t["metadata"]["name"] for t in o["spec"].get("volumeClaimTemplates", [])) or "-"
        print(kind, name, r, claims)


def matches(sel, labels):
    if any(labels.get(k) != v for k, v in sel.get("matchLabels", {}).items()):
        return False
    for e in sel.get("matchExpressions", []):
        v, op = labels.get(e["key"]), e["operator"]
        if (op == "In" and v not in e["values"]) or (op == "NotIn" and v in e["values"]) \
                or (op == "Exists" and v is None) or (op == "DoesNotExist" and v is not None):
            return False
    return True


def scaled(v, total, up):
    if isinstance(v, str) and v.endswith("%"):
        x = int(v[:-1]) * total / 100
        return math.ceil(x) if up else math.floor(x)
    return int(v)


def pdbs(objs):
    reps = replicas_of(objs)
    for o in objs:
        if o["kind"] != "PodDisruptionBudget":
            continue
        sel = o["spec"].get("selector", {})
        n = sum(r for (w, r) in reps.values()
                if matches(sel, w["spec"]["template"]["metadata"].get("labels", {})))
        if "minAvailable" in o["spec"]:
            allowed = n - scaled(o["spec"]["minAvailable"], n, True)
        else:
            allowed = scaled(o["spec"].get("maxUnavailable", 0), n, True)
        print(o["metadata"]["name"], max(allowed, 0), n)


def snapshot(objs):
    for o in sorted(objs, key=lambda o: (o["kind"], o["metadata"]["name"])):
        md = o["metadata"]
        mine = [m for m in md.get("managedFields", []) if m.get("manager") == "kubectl"]
        h = hashlib.sha256(json.dumps(mine, sort_keys=True).encode()).hexdigest()[:12]
        print(f"{o['kind']}/{md['name']} {md.get('resourceVersion')} {md.get('generation', '-')} {h}")


def ready(objs, wpath):
    live = {(o["kind"], o["metadata"]["name"]): o for o in objs}
    with open(wpath) as f:
        for line in f:
            kind, name, want, _ = line.split()
            o = live.get((kind, name))
            got = o.get("status", {}).get("readyReplicas", 0) if o else "absent"
            if got != int(want):
                print(kind, name, f"{got}/{want}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "classes":
        return classes(args)
    objs = items(args[0])
    {"zones": zones, "workloads": workloads, "pdbs": pdbs, "snapshot": snapshot}.get(
        cmd, lambda o: ready(o, args[1]))(objs)


if __name__ == "__main__":
    main()
