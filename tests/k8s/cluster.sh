# tests/k8s/cluster.sh - sourced by tests/k8s/run.sh: a real Kubernetes control plane on loopback.
# Owns: building/reusing the real programs (tests/tools/build.sh etcd|k8s), per-run certificates
# and service-account key (openssl), starting etcd + kube-apiserver (RBAC, default admission
# plugins incl. PodSecurity) + kube-controller-manager + kube-scheduler on free loopback ports,
# the fake nodes and the stand-in kubelet/provisioner (fakelet.py), the third-party CRDs
# (crds.txt, read from the projects' Go modules at pinned versions), and stopping every process
# by PID. Exposes: k8s_up WORKDIR, k8s_down, KUBECTL (array), KUBECONFIG, K8S_BIN.
# Every wait is bounded; on failure the process logs stay in WORKDIR/logs.

K8S_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_ROOT="$(cd "$K8S_HERE/../.." && pwd)"
K8S_PIDS=()

k8s_die() { echo "k8s: FAIL: $*" >&2; exit 1; }

# k8s_tools: build or reuse etcd and the Kubernetes programs; fails loudly when one cannot be built.
k8s_tools() {
  local t0=$SECONDS
  ETCD_BIN="$(bash "$K8S_ROOT/tests/tools/build.sh" etcd)" || k8s_die "cannot build etcd (tests/tools/etcd)"
  K8S_BIN="$(bash "$K8S_ROOT/tests/tools/build.sh" k8s)" || k8s_die "cannot build the Kubernetes programs (tests/tools/k8s)"
  local p
  for p in "$ETCD_BIN/etcd" "$K8S_BIN/kube-apiserver" "$K8S_BIN/kube-controller-manager" \
           "$K8S_BIN/kube-scheduler" "$K8S_BIN/kubectl"; do
    [[ -x "$p" ]] || k8s_die "tool set built but $p is missing"
  done
  command -v openssl >/dev/null || k8s_die "openssl is not installed (bash .ci/deps test installs it)"
  command -v python3 >/dev/null || k8s_die "python3 is not installed (bash .ci/deps test installs it)"
  echo "k8s: tools ready in $((SECONDS - t0)) s ($K8S_BIN)"
}

k8s_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# k8s_certs DIR: a CA, the API server's serving certificate (loopback only), an admin client
# certificate (system:masters) and the service-account signing key; new for every run.
k8s_certs() {
  local d="$1"
  mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 \
      -subj "/CN=goversec-test-ca" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=kube-apiserver" 2>/dev/null
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
      -extfile server.ext -out server.crt 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj "/O=system:masters/CN=goversec-test-admin" 2>/dev/null
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
      -extfile client.ext -out admin.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  ) || k8s_die "openssl could not generate the certificates"
}

k8s_kubeconfig() {
  local d="$1" url="$2"
  cat >"$d/admin.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: $url
    certificate-authority: $d/ca.crt
users:
- name: admin
  user:
    client-certificate: $d/admin.crt
    client-key: $d/admin.key
contexts:
- name: test
  context: {cluster: test, user: admin}
current-context: test
EOF
  chmod 600 "$d/admin.kubeconfig" "$d"/*.key   # Helm warns about a group/world-readable kubeconfig
}

# k8s_start NAME CMD...: start a process in the background, log to WORKDIR/logs/NAME.log, remember its PID.
k8s_start() {
  local name="$1"; shift
  "$@" >"$K8S_WORK/logs/$name.log" 2>&1 &
  K8S_PIDS+=("$!")
  echo "$name $!" >>"$K8S_WORK/pids"
}

# k8s_wait WHAT SECONDS CMD...: retry CMD every second until it succeeds or the time is up.
k8s_wait() {
  local what="$1" secs="$2"; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if (( SECONDS >= end )); then echo "k8s: timed out after ${secs}s waiting for $what" >&2; return 1; fi
    k8s_alive || return 1
    sleep 1
  done
}

# k8s_alive: every started process still runs (a crashed API server ends the wait at once).
k8s_alive() {
  local name pid
  while read -r name pid; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "k8s: $name (pid $pid) exited; last log lines:" >&2
      tail -n 20 "$K8S_WORK/logs/$name.log" >&2
      return 1
    fi
  done <"$K8S_WORK/pids"
}

k8s_down() {
  local i
  for (( i=${#K8S_PIDS[@]}-1; i>=0; i-- )); do kill "${K8S_PIDS[i]}" 2>/dev/null || true; done
  for i in "${K8S_PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$i" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$i" 2>/dev/null || true
  done
  K8S_PIDS=()
}

# k8s_crds: the published CRD manifests of cert-manager, prometheus-operator, Argo CD and the
# Zalando postgres-operator, read from their Go modules at the versions pinned in crds.txt.
k8s_crds() {
  local mod files dir f
  while read -r mod files; do
    [[ -z "$mod" || "$mod" == '#'* ]] && continue
    dir="$(cd "$K8S_WORK" && go mod download -json "$mod" 2>>"$K8S_WORK/logs/crds.log" \
          | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir","")) if not d.get("Error") else sys.exit(d["Error"])')" \
      || k8s_die "cannot download $mod for its CRDs (see $K8S_WORK/logs/crds.log)"
    for f in ${files//,/ }; do
      [[ -f "$dir/$f" ]] || k8s_die "$mod does not ship $f"
      "${KUBECTL[@]}" apply --server-side -f "$dir/$f" >>"$K8S_WORK/logs/crds.log" 2>&1 \
        || { tail -n 5 "$K8S_WORK/logs/crds.log" >&2; k8s_die "the API server refused the CRD $mod $f"; }
    done
  done <"$K8S_HERE/crds.txt"
  "${KUBECTL[@]}" wait --for=condition=Established crd --all --timeout=60s >/dev/null \
    || k8s_die "CRDs not established"
}

# k8s_up WORKDIR: everything above, in order; the caller traps k8s_down on EXIT.
k8s_up() {
  K8S_WORK="$1"
  mkdir -p "$K8S_WORK/logs" "$K8S_WORK/pki" "$K8S_WORK/etcd"
  : >"$K8S_WORK/pids"
  k8s_tools
  local t0=$SECONDS
  k8s_certs "$K8S_WORK/pki"
  local pki="$K8S_WORK/pki"
  local etcd_port peer_port api_port cm_port sch_port
  etcd_port=$(k8s_free_port) peer_port=$(k8s_free_port) api_port=$(k8s_free_port)
  cm_port=$(k8s_free_port) sch_port=$(k8s_free_port)
  K8S_URL="https://127.0.0.1:$api_port"
  k8s_kubeconfig "$pki" "$K8S_URL"
  export KUBECONFIG="$pki/admin.kubeconfig"
  KUBECTL=("$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG")

  k8s_start etcd "$ETCD_BIN/etcd" --name test --data-dir "$K8S_WORK/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "test=http://127.0.0.1:$peer_port" --unsafe-no-fsync --log-level warn
  k8s_wait "etcd" 30 "$ETCD_BIN/etcdctl" --endpoints "127.0.0.1:$etcd_port" endpoint health \
    || k8s_die "etcd did not start (log: $K8S_WORK/logs/etcd.log)"

  k8s_start kube-apiserver "$K8S_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" \
    --client-ca-file "$pki/ca.crt" \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range 10.96.0.0/16 \
    --authorization-mode RBAC --enable-admission-plugins PodSecurity \
    --endpoint-reconciler-type none \
    --allow-privileged=false --profiling=false
  k8s_wait "kube-apiserver /readyz" 90 "${KUBECTL[@]}" get --raw /readyz \
    || k8s_die "kube-apiserver did not become ready (log: $K8S_WORK/logs/kube-apiserver.log)"

  k8s_start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig "$KUBECONFIG" --authentication-kubeconfig "$KUBECONFIG" --authorization-kubeconfig "$KUBECONFIG" \
    --bind-address 127.0.0.1 --secure-port "$cm_port" --leader-elect=false \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --controllers '*' --concurrent-statefulset-syncs 5 --profiling=false
  k8s_start kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig "$KUBECONFIG" --authentication-kubeconfig "$KUBECONFIG" --authorization-kubeconfig "$KUBECONFIG" \
    --bind-address 127.0.0.1 --secure-port "$sch_port" --leader-elect=false --profiling=false
  k8s_wait "the default ServiceAccount (controller-manager up)" 60 \
    "${KUBECTL[@]}" get serviceaccount default -n default \
    || k8s_die "kube-controller-manager did not start (log: $K8S_WORK/logs/kube-controller-manager.log)"

  k8s_start fakelet python3 "$K8S_HERE/fakelet.py" --kubeconfig-dir "$pki" --server "$K8S_URL" --nodes 6
  k8s_wait "6 Ready nodes" 60 bash -c \
    "[[ \$(\"\$0\" --kubeconfig \"\$1\" get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}' | grep -c True) -ge 6 ]]" \
    "$K8S_BIN/kubectl" "$KUBECONFIG" \
    || k8s_die "the fake nodes did not become Ready (log: $K8S_WORK/logs/fakelet.log)"
  k8s_crds
  echo "k8s: control plane up in $((SECONDS - t0)) s at $K8S_URL (logs: $K8S_WORK/logs)"
}

# k8s_zones Z1 Z2 Z3: relabel the fake nodes (two per zone) for a cluster that names its zones.
k8s_zones() {
  local zones=("$@") i=0 n
  for n in $("${KUBECTL[@]}" get nodes -o name | sort); do
    "${KUBECTL[@]}" label --overwrite "$n" "topology.kubernetes.io/zone=${zones[i % ${#zones[@]}]}" >/dev/null
    i=$((i + 1))
  done
}
