#!/usr/bin/env python3
"""tests/k8s/fakelet.py - the stand-in for kubelets and a volume provisioner in the test control plane.

Owns: registering the fake Nodes (two per zone over three zones, generous capacity, Ready) and their
Leases; keeping them Ready (Lease renewed every 10 s, Ready heartbeat every 60 s) so the real
node-lifecycle controller never taints them; marking every pod the real scheduler bound to a fake
node Running+Ready (no container runs; this is what a kubelet would report); finishing pod
deletions (a kubelet confirms them with a zero grace period); and provisioning a PersistentVolume for
every claim the real scheduler selected a fake node for (storage classes of provisioner
goversec.test/fake, WaitForFirstConsumer), deleting it again once Released.
Only talks to the API server given on the command line (loopback), with the admin client
certificate. Everything else (scheduling, binding, controllers, admission) is the real programs'.
"""
import argparse
import datetime
import json
import ssl
import sys
import time
import urllib.error
import urllib.request

PROVISIONER = "goversec.test/fake"
ZONES = ["zone-a", "zone-b", "zone-c"]


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def stamp(t=None):
    return (t or now()).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro(t=None):
    return (t or now()).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Api:
    def __init__(self, server, pki):
        self.server = server
        self.ctx = ssl.create_default_context(cafile=f"{pki}/ca.crt")
        self.ctx.load_cert_chain(f"{pki}/admin.crt", f"{pki}/admin.key")

    def call(self, method, path, body=None, ctype="application/json", ok404=False):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
                return json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            if ok404 and e.code in (404, 409):
                return None
            raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:400]!r}") from None

    def merge(self, path, body):
        return self.call("PATCH", path, body, "application/merge-patch+json")


def node_status():
    t = stamp()
    cond = lambda typ, st, reason: {"type": typ, "status": st, "reason": reason, "message": "fakelet",
                                     "lastHeartbeatTime": t, "lastTransitionTime": t}
    cap = {"cpu": "32", "memory": "128Gi", "pods": "110", "ephemeral-storage": "500Gi"}
    return {"capacity": cap, "allocatable": cap,
            "conditions": [cond("Ready", "True", "KubeletReady"),
                           cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
                           cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
                           cond("PIDPressure", "False", "KubeletHasSufficientPID")],
            "nodeInfo": {"kubeletVersion": "v1.37.2", "operatingSystem": "linux", "architecture": "amd64",
                         "containerRuntimeVersion": "fake://0", "kernelVersion": "", "osImage": "fakelet",
                         "machineID": "", "systemUUID": "", "bootID": "", "kubeProxyVersion": ""}}


def register(api, n):
    names = []
    for i in range(n):
        name = f"fake-node-{i}"
        zone = ZONES[i % len(ZONES)]
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {
                    "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "topology.kubernetes.io/region": "region-1", "topology.kubernetes.io/zone": zone}}}
        api.call("POST", "/api/v1/nodes", node, ok404=True)
        api.merge(f"/api/v1/nodes/{name}/status", {"status": node_status()})
        lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": name, "namespace": "kube-node-lease"},
                 "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": micro()}}
        api.call("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease, ok404=True)
        names.append(name)
    return names


def run_pod(api, pod):
    md, spec = pod["metadata"], pod["spec"]
    t = stamp()
    cs = [{"name": c["name"], "image": c["image"], "imageID": "", "ready": True, "started": True,
           "restartCount": 0, "containerID": f"fake://{md['uid']}/{c['name']}",
           "state": {"running": {"startedAt": t}}} for c in spec.get("containers", [])]
    ics = [{"name": c["name"], "image": c["image"], "imageID": "", "ready": True, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": t, "finishedAt": t}}}
           for c in spec.get("initContainers", [])]
    conds = [{"type": k, "status": "True", "lastTransitionTime": t}
             for k in ("PodScheduled", "Initialized", "ContainersReady", "Ready")]
    status = {"phase": "Running", "startTime": t, "conditions": conds, "containerStatuses": cs,
              "initContainerStatuses": ics, "qosClass": pod.get("status", {}).get("qosClass", "BestEffort")}
    api.merge(f"/api/v1/namespaces/{md['namespace']}/pods/{md['name']}/status", {"status": status})


def provision(api, pvc):
    md, spec = pvc["metadata"], pvc["spec"]
    node = md.get("annotations", {}).get("volume.kubernetes.io/selected-node")
    pv = {"apiVersion": "v1", "kind": "PersistentVolume",
          "metadata": {"name": f"pvc-{md['uid']}", "annotations": {"pv.kubernetes.io/provisioned-by": PROVISIONER}},
          "spec": {"capacity": {"storage": spec["resources"]["requests"]["storage"]},
                   "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
                   "persistentVolumeReclaimPolicy": "Delete",
                   "storageClassName": spec.get("storageClassName", ""),
                   "volumeMode": spec.get("volumeMode", "Filesystem"),
                   "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": md["namespace"],
                                "name": md["name"], "uid": md["uid"]},
                   "local": {"path": "/fake"},
                   "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                       {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}}}
    api.call("POST", "/api/v1/persistentvolumes", pv, ok404=True)


def tick(api, names, last):
    t = time.monotonic()
    if t - last["lease"] >= 10:
        for n in names:
            api.merge(f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{n}",
                      {"spec": {"renewTime": micro()}})
        last["lease"] = t
    if t - last["status"] >= 60:
        for n in names:
            api.merge(f"/api/v1/nodes/{n}/status", {"status": node_status()})
        last["status"] = t
    mine = set(names)
    for pod in api.call("GET", "/api/v1/pods")["items"]:
        md, spec = pod["metadata"], pod["spec"]
        if spec.get("nodeName") not in mine:
            continue
        if md.get("deletionTimestamp"):
            api.call("DELETE", f"/api/v1/namespaces/{md['namespace']}/pods/{md['name']}",
                     {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0}, ok404=True)
        elif pod.get("status", {}).get("phase", "Pending") == "Pending":
            run_pod(api, pod)
            print(f"{stamp()} running {md['namespace']}/{md['name']} on {spec['nodeName']}", flush=True)
    for pvc in api.call("GET", "/api/v1/persistentvolumeclaims")["items"]:
        md = pvc["metadata"]
        if (pvc.get("status", {}).get("phase") == "Pending" and not pvc["spec"].get("volumeName")
                and md.get("annotations", {}).get("volume.kubernetes.io/selected-node") in mine
                and md.get("annotations", {}).get("volume.kubernetes.io/storage-provisioner") == PROVISIONER):
            provision(api, pvc)
            print(f"{stamp()} provisioned {md['namespace']}/{md['name']}", flush=True)
    for pv in api.call("GET", "/api/v1/persistentvolumes")["items"]:
        md = pv["metadata"]
        if (pv.get("status", {}).get("phase") == "Released"
                and md.get("annotations", {}).get("pv.kubernetes.io/provisioned-by") == PROVISIONER):
            api.call("DELETE", f"/api/v1/persistentvolumes/{md['name']}", ok404=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--kubeconfig-dir", required=True)
    ap.add_argument("--nodes", type=int, default=6)
    a = ap.parse_args()
    api = Api(a.server, a.kubeconfig_dir)
    names = register(api, a.nodes)
    print(f"{stamp()} registered {names}", flush=True)
    last = {"lease": 0.0, "status": time.monotonic()}
    while True:
        try:
            tick(api, names, last)
        except Exception as e:  # a conflict or a transient error: logged, retried next tick
            print(f"{stamp()} tick: {e}", file=sys.stderr, flush=True)
        time.sleep(0.5)


if __name__ == "__main__":
    main()
