#!/usr/bin/env python3
"""tests/live/podspec.py - one container of an emitted manifest, as the kubelet would start it.

Prints bash assignments (sourced by lib.sh): ARGV (command + args with $(VAR) expanded from the
container's env as the kubelet does, `$$` -> `$`), ENVV (NAME=VALUE, fieldRefs filled with the
pod's fields, secretKeyRefs from --secret), MOUNTS (mountPath=hostDir[:ro]), IMAGE, RUN_UID,
RUN_GID, READONLY_ROOT. Volumes map to host directories: a claim (or a volumeClaimTemplate of a
StatefulSet, claim NAME-POD) to PVDIR/CLAIM, an emptyDir to PODDIR/VOLUME (shared by the pod's
containers). Anything it cannot map (configMap, secret, hostPath volumes, unknown fieldRefs) is an
error: the test must not run a container other than the one emitted.

usage: podspec.py MANIFEST KIND NAME CONTAINER --pod P --namespace NS --ip IP --pvdir D --poddir D
       [--secret NAME/KEY=VALUE ...]
"""
import argparse
import re
import shlex
import sys

import yaml

REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand(text, env):
    """Kubelet expansion: $(VAR) from env when defined, kept as is otherwise; $$ -> $."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return REF.sub(sub, text)


def pod_spec(obj):
    kind = obj["kind"]
    if kind == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if kind in ("StatefulSet", "Deployment", "Job", "DaemonSet"):
        return obj["spec"]["template"]["spec"]
    sys.exit(f"podspec: {kind} has no pod template")


# The images' own CMD where a container has no command (the etcd release images:
# CMD ["/usr/local/bin/etcd"], no ENTRYPOINT).
IMAGE_CMD = {"quay.io/coreos/etcd": ["/usr/local/bin/etcd"], "gcr.io/etcd-development/etcd": ["/usr/local/bin/etcd"]}


def image_cmd(image, name):
    repo = image.rsplit(":", 1)[0]
    if repo not in IMAGE_CMD:
        die(f"container {name}: no command, and the entrypoint of {image} is not known here")
    return IMAGE_CMD[repo]


def die(msg):
    sys.exit(f"podspec: {msg}")


def main():
    ap = argparse.ArgumentParser()
    for a in ("manifest", "kind", "name", "container"):
        ap.add_argument(a)
    for a in ("--pod", "--namespace", "--ip", "--pvdir", "--poddir"):
        ap.add_argument(a, required=True)
    ap.add_argument("--secret", action="append", default=[])
    o = ap.parse_args()

    with open(o.manifest) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    objs = [d for d in docs if d.get("kind") == o.kind and d["metadata"]["name"] == o.name]
    if len(objs) != 1:
        die(f"{o.manifest}: expected one {o.kind} {o.name}, found {len(objs)}")
    obj = objs[0]
    spec = pod_spec(obj)
    conts = [c for c in spec.get("initContainers", []) + spec.get("containers", []) if c["name"] == o.container]
    if len(conts) != 1:
        die(f"{o.kind} {o.name}: no container {o.container}")
    c = conts[0]

    secrets = {}
    for s in o.secret:
        k, v = s.split("=", 1)
        secrets[k] = v
    fields = {"metadata.name": o.pod, "metadata.namespace": o.namespace, "status.podIP": o.ip}
    env, order = {}, []
    for e in c.get("env", []):
        if "value" in e:
            val = expand(str(e["value"]), env)
        elif "valueFrom" in e and "fieldRef" in e["valueFrom"]:
            path = e["valueFrom"]["fieldRef"]["fieldPath"]
            if path not in fields:
                die(f"container {o.container}: fieldRef {path} not simulated")
            val = fields[path]
        elif "valueFrom" in e and "secretKeyRef" in e["valueFrom"]:
            r = e["valueFrom"]["secretKeyRef"]
            key = f"{r['name']}/{r['key']}"
            if key not in secrets:
                die(f"container {o.container}: secret {key} not given (--secret {key}=...)")
            val = secrets[key]
        else:
            die(f"container {o.container}: env {e.get('name')} has an unsupported source")
        if e["name"] not in env:
            order.append(e["name"])
        env[e["name"]] = val
    if c.get("envFrom"):
        die(f"container {o.container}: envFrom not simulated")
    command = c.get("command") or image_cmd(c["image"], o.container)
    argv = [expand(str(x), env) for x in command + c.get("args", [])]

    vols = {}
    for v in spec.get("volumes", []):
        if "persistentVolumeClaim" in v:
            vols[v["name"]] = (f"{o.pvdir}/{v['persistentVolumeClaim']['claimName']}",
                               bool(v["persistentVolumeClaim"].get("readOnly")))
        elif "emptyDir" in v:
            vols[v["name"]] = (f"{o.poddir}/{v['name']}", False)
        else:
            die(f"volume {v['name']}: only claims and emptyDirs are simulated")
    for t in obj["spec"].get("volumeClaimTemplates", []) if o.kind == "StatefulSet" else []:
        vols[t["metadata"]["name"]] = (f"{o.pvdir}/{t['metadata']['name']}-{o.pod}", False)
    mounts = []
    for m in c.get("volumeMounts", []):
        if m["name"] not in vols:
            die(f"container {o.container}: mount {m['name']} has no volume")
        host, ro = vols[m["name"]]
        mounts.append(f"{m['mountPath']}={host}" + (":ro" if ro or m.get("readOnly") else ""))

    psc, csc = spec.get("securityContext", {}), c.get("securityContext", {})
    uid = csc.get("runAsUser", psc.get("runAsUser", 0))
    gid = csc.get("runAsGroup", psc.get("runAsGroup", uid))
    q = shlex.quote
    print("ARGV=(" + " ".join(q(a) for a in argv) + ")")
    print("ENVV=(" + " ".join(q(f"{k}={env[k]}") for k in order) + ")")
    print("MOUNTS=(" + " ".join(q(m) for m in mounts) + ")")
    print(f"IMAGE={q(c['image'])}")
    print(f"RUN_UID={int(uid)}")
    print(f"RUN_GID={int(gid)}")
    print(f"FS_GROUP={int(psc.get('fsGroup', gid))}")
    print(f"READONLY_ROOT={1 if csc.get('readOnlyRootFilesystem') else 0}")


if __name__ == "__main__":
    main()
