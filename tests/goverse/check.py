#!/usr/bin/env python3
"""tests/goverse/check.py OUT_CLUSTER_DIR LABEL - what Goverse's binaries are told, checked on one
built cluster (OUT/<cluster>/manifests):

  * config.yaml holds only keys that Goverse's config.LoadConfig reads and passes its Validate
    rules; nodes are listed by StatefulSet ordinal with addresses under the headless Service;
  * each Goverse container's argv uses only flags its binary defines, in the mode it must use
    (node: config mode, exactly --config and --node-id; gate and inspector: flag mode);
  * probes, Service ports, ServiceMonitor endpoints and Prometheus annotations point at listeners
    those flags or that config open.

The key and flag lists below are transcribed from Goverse's source at 542b6c7 (config/config.go,
node/serverconfig, cmd/gate/gateconfig, cmd/inspector/inspectorconfig). They are a regression
guard, not the proof: the proof is running Goverse's own loaders and binaries on this output,
which the Go module proxy does not allow in CI (docs/goverse.md says how it was done). Prints
`ok`/`FAIL` lines and exits 1 on any failure."""
import re
import sys
from pathlib import Path

import yaml

CONFIG_KEYS = {
    "version": None,
    "cluster": {"shards": None, "provider": None, "etcd": {"endpoints": None, "prefix": None},
                "imbalance_threshold": None, "cluster_state_stability_duration": None,
                "stuck_shard_reallocation_timeout": None, "default_call_timeout": None,
                "default_create_timeout": None, "default_delete_timeout": None, "auto_load_objects": None},
    "postgres": {"host": None, "port": None, "user": None, "password": None, "database": None,
                 "sslmode": None, "max_open_conns": None, "max_idle_conns": None},
    "inspector": {"grpc_addr": None, "http_addr": None, "advertise_addr": None},
    "nodes": {"id": None, "grpc_addr": None, "advertise_addr": None, "http_addr": None},
    "gates": {"id": None, "grpc_addr": None, "advertise_addr": None, "http_addr": None, "ops_addr": None},
    "object_access_rules": None,
    "object_lifecycle_rules": None,
}
GATE_FLAGS = {"config", "gate-id", "listen", "advertise", "http-listen", "ops-listen", "etcd", "etcd-prefix",
              "inspector-address"}
INSPECTOR_FLAGS = {"config", "grpc-addr", "http-addr", "static-dir", "etcd-addr", "etcd-prefix"}
DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$")

fails = 0
passes = 0


def check(ok, what):
    global fails, passes
    if ok:
        passes += 1
    else:
        fails += 1
        print(f"FAIL {LABEL}: {what}")


def unknown_keys(node, schema, path=""):
    """Keys of `node` that `schema` does not name (lists are checked item by item)."""
    if schema is None:
        return []
    if isinstance(node, list):
        return [k for item in node for k in unknown_keys(item, schema, path + "[]")]
    if not isinstance(node, dict):
        return [f"{path} is not a map"]
    out = []
    for key, value in node.items():
        if key not in schema:
            out.append(f"{path}.{key}".lstrip("."))
        else:
            out.extend(unknown_keys(value, schema[key], f"{path}.{key}"))
    return out


def flags(argv):
    """{name: value} of `--name=value` items; anything else is an error."""
    out = {}
    for a in argv:
        m = re.match(r"^--([a-z-]+)=(.*)$", a)
        check(m is not None, f"argument {a!r} is not --flag=value")
        if m:
            check(m.group(1) not in out, f"flag --{m.group(1)} given twice")
            out[m.group(1)] = m.group(2)
    return out


def port_of(addr):
    return int(addr.rsplit(":", 1)[1])


def load(dirpath):
    docs = {}
    for f in sorted(Path(dirpath).rglob("*.yaml")):
        if f.name == "kustomization.yaml":
            continue
        for d in yaml.safe_load_all(f.read_text()):
            if d and "kind" in d:
                docs[(d["kind"], d["metadata"]["name"])] = d
    return docs


def container(doc, name):
    for c in doc["spec"]["template"]["spec"]["containers"]:
        if c["name"] == name:
            return c
    raise KeyError(name)


def probe_ports(c):
    return {c[p]["httpGet"]["port"] for p in ("livenessProbe", "readinessProbe") if p in c and "httpGet" in c[p]}


def check_service(docs, svc_name, pod_ports, what):
    svc = docs.get(("Service", svc_name))
    check(svc is not None, f"{what}: Service {svc_name} exists")
    if not svc:
        return {}
    names = {}
    for p in svc["spec"]["ports"]:
        check(p["targetPort"] in pod_ports, f"{what}: Service {svc_name} port {p['name']} targets "
                                            f"{p['targetPort']}, a port its pods listen on ({sorted(pod_ports)})")
        names[p["name"]] = p["targetPort"]
    return names


def check_monitor(docs, name, svc_name, listener, what):
    sm = docs.get(("ServiceMonitor", name))
    if not sm:
        return
    svc = docs[("Service", svc_name)]
    by_name = {p["name"]: p["targetPort"] for p in svc["spec"]["ports"]}
    port = sm["spec"]["endpoints"][0]["port"]
    check(by_name.get(port) == listener, f"{what}: ServiceMonitor {name} scrapes port {port} "
                                          f"({by_name.get(port)}), the /metrics listener is {listener}")


def main():
    manifests = Path(sys.argv[1]) / "manifests"
    docs = load(manifests)
    ns = docs[("ConfigMap", "goverse-config")]["metadata"]["namespace"]
    cfg = yaml.safe_load(docs[("ConfigMap", "goverse-config")]["data"]["config.yaml"])

    # config.yaml: only keys LoadConfig reads, and Validate's rules.
    check(unknown_keys(cfg, CONFIG_KEYS) == [], f"config.yaml keys Goverse does not read: {unknown_keys(cfg, CONFIG_KEYS)}")
    check(cfg.get("version") == 1, "config version is 1")
    cl = cfg.get("cluster", {})
    check(cl.get("provider") == "etcd", "cluster.provider is etcd")
    check(cl.get("shards") == 8192, "cluster.shards is 8192 (what flag-mode gates and inspector use)")
    eps = cl.get("etcd", {}).get("endpoints") or []
    check(len(eps) == 1 and eps[0], f"exactly one etcd endpoint (Goverse uses the first): {eps}")
    check(bool(cl.get("etcd", {}).get("prefix")), "etcd prefix is set")
    dur = cl.get("cluster_state_stability_duration")
    check(dur is None or (isinstance(dur, str) and DURATION.match(dur)), f"stability is a Go duration: {dur!r}")
    check("password" not in (cfg.get("postgres") or {}), "no password in the ConfigMap")

    # Nodes: config mode, listed by ordinal.
    ss = docs[("StatefulSet", "goverse-node")]
    node = container(ss, "goverse-node")
    check(node.get("args") == ["--config=/etc/goverse/config.yaml", "--node-id=$(POD_NAME)"],
          f"node argv is config mode: {node.get('args')}")
    check("env" not in node or all(e["name"] in ("POD_NAME", "POD_NAMESPACE") for e in node["env"]),
          "node env holds only its pod identity")
    replicas = ss["spec"]["replicas"]
    nodes = cfg.get("nodes") or []
    check([n["id"] for n in nodes] == [f"goverse-node-{i}" for i in range(replicas)],
          f"config lists goverse-node-0..{replicas - 1}: {[n['id'] for n in nodes]}")
    headless = ss["spec"]["serviceName"]
    for i, n in enumerate(nodes):
        check(n["advertise_addr"] == f"goverse-node-{i}.{headless}.{ns}.svc.cluster.local:{port_of(n['grpc_addr'])}",
              f"node {i} advertises its headless DNS name: {n['advertise_addr']}")
    node_ports = {p["containerPort"] for p in node["ports"]}
    if nodes:
        http = port_of(nodes[0]["http_addr"])
        check({port_of(nodes[0]["grpc_addr"]), http} == node_ports, f"node containerPorts {node_ports} are its listeners")
        check(probe_ports(node) == {http}, f"node probes {probe_ports(node)} hit its http_addr {http}")
        ann = ss["spec"]["template"]["metadata"].get("annotations", {})
        if "prometheus.io/port" in ann:
            check(int(ann["prometheus.io/port"]) == http, "node prometheus.io/port is its http_addr")
        check_monitor(docs, "goverse-nodes", headless, http, "nodes")
    check_service(docs, headless, node_ports, "nodes")
    check(docs[("Service", headless)]["spec"].get("publishNotReadyAddresses") is True,
          "node headless Service publishes not-ready addresses (names are identities)")
    vols = {v["name"]: v for v in ss["spec"]["template"]["spec"].get("volumes", [])}
    inits = {c["name"]: c for c in ss["spec"]["template"]["spec"].get("initContainers", [])}
    if cfg.get("postgres"):
        check("render-config" in inits, "PostgreSQL on: render-config adds the password at start")
        check(vols.get("config", {}).get("emptyDir", {}).get("medium") == "Memory", "rendered config is in memory")
        check("env" not in inits.get("render-config", {}), "no password in an environment variable")
        pw = vols.get("postgres-password", {}).get("secret", {})
        check(pw.get("items") and pw["items"][0]["path"] == "password", "the password is a file from a Secret")
    else:
        check(not inits and vols.get("config", {}).get("configMap", {}).get("name") == "goverse-config",
              "PostgreSQL off: the ConfigMap is the config, no init containers")

    # Gates: flag mode.
    dep = docs[("Deployment", "goverse-gate")]
    gate = container(dep, "goverse-gate")
    gf = flags(gate.get("args", []))
    check(set(gf) <= GATE_FLAGS and "config" not in gf, f"gate flags are gateconfig's, flag mode: {sorted(gf)}")
    for f in ("gate-id", "listen", "advertise", "http-listen", "ops-listen", "etcd", "etcd-prefix"):
        check(f in gf, f"gate is given --{f}")
    if {"listen", "http-listen", "ops-listen", "etcd", "etcd-prefix"} <= set(gf):
        gate_ports = {p["containerPort"] for p in gate["ports"]}
        ops = port_of(gf["ops-listen"])
        check({port_of(gf["listen"]), port_of(gf["http-listen"]), ops} == gate_ports,
              f"gate containerPorts {gate_ports} are its listeners")
        check(probe_ports(gate) == {ops}, f"gate probes {probe_ports(gate)} hit its ops listener {ops}")
        check(gf["advertise"] == f"$(POD_IP):{port_of(gf['listen'])}", "gate advertises its pod IP and gRPC port")
        check(gf["etcd"] == eps[0] if eps else False, "gate and nodes use the same etcd address")
        check(gf["etcd-prefix"] == cl.get("etcd", {}).get("prefix"), "gate and nodes use the same etcd prefix")
        ann = dep["spec"]["template"]["metadata"].get("annotations", {})
        if "prometheus.io/port" in ann:
            check(int(ann["prometheus.io/port"]) == ops, "gate prometheus.io/port is its ops listener")
        check_service(docs, "goverse-gate", gate_ports, "gates")
        check_monitor(docs, "goverse-gates", "goverse-gate", ops, "gates")
        env = {e["name"]: e for e in gate.get("env", [])}
        for var in re.findall(r"\$\(([A-Z_]+)\)", " ".join(gate["args"])):
            check(var in env, f"gate argv references $({var}), which its env defines")

    # Inspector: flag mode; nodes and gates find it where it listens.
    ins = docs.get(("Deployment", "inspector"))
    if ins:
        c = container(ins, "inspector")
        f = flags(c.get("args", []))
        check(set(f) <= INSPECTOR_FLAGS and "config" not in f, f"inspector flags are inspectorconfig's: {sorted(f)}")
        if {"grpc-addr", "http-addr"} <= set(f):
            ports = {p["containerPort"] for p in c["ports"]}
            check({port_of(f["grpc-addr"]), port_of(f["http-addr"])} == ports, "inspector containerPorts are its listeners")
            check(probe_ports(c) == {port_of(f["http-addr"])}, "inspector probes hit its http listener")
            check(f.get("etcd-addr") == (eps[0] if eps else None), "inspector uses the nodes' etcd address")
            names = check_service(docs, "inspector", ports, "inspector")
            adv = (cfg.get("inspector") or {}).get("advertise_addr", "")
            check(adv == f"inspector.{ns}.svc.cluster.local:{names.get('grpc')}",
                  f"nodes report to the inspector's Service gRPC port: {adv}")
            if "inspector-address" in gf:
                check(gf["inspector-address"] == adv, "the gate reports to the same inspector address")
    else:
        check("inspector-address" not in gf and not cfg.get("inspector"), "no inspector: nobody is told of one")

    print(f"{LABEL}: {passes} checks passed, {fails} failed")
    sys.exit(1 if fails else 0)


LABEL = sys.argv[2] if len(sys.argv) > 2 else sys.argv[1]
main()
