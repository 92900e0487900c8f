#!/usr/bin/env python3
"""gen-dump.py - a `kubectl get -A -o json` style dump of N objects for `goversec diff --live`
(bench/targets.sh: "goversec diff of 100 000 objects against a dump"). It holds the live
objects of tests/diff/fixtures/design.gv (tests/diff/fixtures/live-design-all.json, in sync)
and N minus those of other workloads of a busy cluster: Deployments, ConfigMaps, Services and
Secrets-free Pods in 500 other namespaces, in API-server form (uid, resourceVersion,
creationTimestamp, managedFields-free), ~0.8 KB each. ORPHANS of them (default 0) carry
goversec's ownership label in goversec's namespace, so diff reports them as orphans.
Usage: gen-dump.py FIXTURE.json N [ORPHANS] > dump.json"""
import json
import sys

fixture, total = sys.argv[1], int(sys.argv[2])
orphans = int(sys.argv[3]) if len(sys.argv) > 3 else 0
items = json.load(open(fixture))["items"]


def meta(kind, i, ns, owned):
    labels = {"app": f"svc-{i % 997}", "team": f"team-{i % 31}", "tier": "backend"}
    if owned:
        labels["app.kubernetes.io/managed-by"] = "goversec"
        labels["app.kubernetes.io/part-of"] = "goverse"
    return {"name": f"{kind.lower()}-{i}", "namespace": ns, "labels": labels,
            "uid": f"00000000-0000-4000-8000-{i:012d}", "resourceVersion": str(1000 + i),
            "creationTimestamp": "2024-05-02T10:11:12Z", "generation": 1}


def foreign(i, owned):
    ns = "goverse" if owned else f"team-{i % 500}"
    kind = ("Deployment", "ConfigMap", "Service", "Pod")[i % 4]
    obj = {"apiVersion": "apps/v1" if kind == "Deployment" else "v1", "kind": kind,
           "metadata": meta(kind, i, ns, owned)}
    if kind == "ConfigMap":
        obj["data"] = {"settings.yaml": f"replicas: {i % 7}\nmode: fast\nendpoint: http://svc-{i % 997}:8080\n"}
    elif kind == "Service":
        obj["spec"] = {"type": "ClusterIP", "clusterIP": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                       "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
                       "selector": {"app": f"svc-{i % 997}"}, "sessionAffinity": "None"}
    else:
        pod = {"containers": [{"name": "main", "image": f"registry.example.com/svc-{i % 997}:1.{i % 40}.0",
                               "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                               "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                               "imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "File"}],
               "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler"}
        if kind == "Pod":
            obj["spec"] = dict(pod, nodeName=f"node-{i % 50}")
            obj["status"] = {"phase": "Running", "podIP": f"10.244.{i // 256 % 256}.{i % 256}"}
        else:
            obj["spec"] = {"replicas": 2, "selector": {"matchLabels": {"app": f"svc-{i % 997}"}},
                           "template": {"metadata": {"labels": {"app": f"svc-{i % 997}"}}, "spec": pod}}
            obj["status"] = {"replicas": 2, "readyReplicas": 2, "observedGeneration": 1}
    return obj


n = total - len(items)
for i in range(n):
    items.append(foreign(i, i < orphans))
json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items},
          sys.stdout, separators=(",", ":"))
