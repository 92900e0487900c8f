#!/usr/bin/env bash
# tests/live/inroot.sh - runs ONE emitted container the way its image would run it, inside the
# mount namespace that `ip netns exec` gives the caller (lib.sh): a fresh tmpfs root holding only
# what the image holds (etcd image: /usr/local/bin/{etcd,etcdctl,etcdutl} and no shell, like the
# distroless upstream image; busybox image: busybox applets in /bin; postgres image: the host's
# Debian /usr with PostgreSQL's bin directory on PATH), the cluster's /etc/hosts, the container's
# volume mounts at their emitted paths, a read-only root when the container asks for one, and the
# emitted user/group. Then exec: the PID the caller started is the program's PID.
#   inroot.sh ROOT KIND UID GID FSGROUP READONLY HOSTS TOOLS MOUNT... -- NAME=VALUE... -- ARGV...
set -euo pipefail
root=$1 kind=$2 uid=$3 gid=$4 fsgroup=$5 ro=$6 hosts=$7 tools=$8
shift 8
mounts=()
while [[ $1 != -- ]]; do mounts+=("$1"); shift; done
shift
envv=()
while [[ $1 != -- ]]; do envv+=("$1"); shift; done
shift

mkdir -p "$root"
mount -t tmpfs -o mode=0755 gvroot "$root"
mkdir -p "$root"/{proc,dev,etc,tmp,usr/lib,usr/lib64}
chmod 1777 "$root/tmp"
mount --rbind /proc "$root/proc"
mount --rbind /dev "$root/dev"
case $kind in
  etcd)
    # Dynamically linked Go build: libc from the host, nothing else.
    mount --bind -o ro /usr/lib "$root/usr/lib"; mount --bind -o ro /usr/lib64 "$root/usr/lib64"
    ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
    mkdir -p "$root/usr/local/bin"
    for b in etcd etcdctl etcdutl; do
      touch "$root/usr/local/bin/$b"; mount --bind -o ro "$tools/$b" "$root/usr/local/bin/$b"
    done
    path=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin ;;
  busybox)
    mount --bind -o ro /usr/lib "$root/usr/lib"; mount --bind -o ro /usr/lib64 "$root/usr/lib64"
    ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
    mkdir -p "$root/bin"; touch "$root/bin/busybox"
    mount --bind -o ro "$(command -v busybox)" "$root/bin/busybox"
    for a in $(busybox --list); do [[ $a == busybox ]] || ln -s busybox "$root/bin/$a"; done
    path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ;;
  postgres)
    rmdir "$root/usr/lib" "$root/usr/lib64"
    mount --bind -o ro /usr "$root/usr"
    for l in bin lib lib64 sbin; do ln -s "usr/$l" "$root/$l"; done
    path=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ;;
  *) echo "inroot: unknown image kind $kind" >&2; exit 2 ;;
esac
cp "$hosts" "$root/etc/hosts"
printf 'hosts: files\n' >"$root/etc/nsswitch.conf"
: >"$root/etc/resolv.conf"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:%s:%s:user:/tmp:/bin/sh\n' "$uid" "$gid" >"$root/etc/passwd"
printf 'root:x:0:\nuser:x:%s:\nfs:x:%s:\n' "$gid" "$fsgroup" >"$root/etc/group"
for m in "${mounts[@]}"; do
  spec=${m#*=} mpath=${m%%=*} mro=0
  [[ $spec == *:ro ]] && { mro=1; spec=${spec%:ro}; }
  mkdir -p "$spec" "$root$mpath"
  # What the kubelet does for fsGroup: group ownership and group write on the volume.
  chgrp -R "$fsgroup" "$spec"; chmod -R g+rwX "$spec"; find "$spec" -type d -exec chmod g+s {} +
  mount --bind "$spec" "$root$mpath"
  [[ $mro == 1 ]] && mount -o remount,bind,ro "$root$mpath"
done
[[ $ro == 1 ]] && mount -o remount,ro "$root"
cd /
exec env -i PATH="$path" HOME=/tmp "${envv[@]}" \
  /usr/sbin/chroot --userspec="$uid:$gid" --groups="$fsgroup" "$root" "$@"
