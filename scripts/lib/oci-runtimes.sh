# shellcheck shell=bash
# oci-runtimes.sh: run OCI images (what `wasmc image` writes) under runc,
# crun, containerd (ctr) and podman, each from private state under one work
# directory. Sourced by tests/containers/run and bench/containers; bash 4+.
# Needs: jq, tar, gzip, sha256sum, umoci (runc/crun), unshare (util-linux),
# readelf (binutils, to tell a static qemu), and the runtime's own tools.
#
# API (every function returns 0 on success; on failure it prints
# "oci: ..." on stderr and returns non-zero, unless said otherwise):
#
#   oci_init WORKDIR
#       Start a session: WORKDIR (created; should be new or empty) holds
#       every runtime's state (runc/crun state dirs, bundles, podman
#       storage, containerd root/state/socket). Sets OCI_WORK,
#       OCI_HOST_ARCH (amd64|arm64|riscv64, from uname -m), OCI_CGROUP
#       (v2 | hybrid | v1: how /sys/fs/cgroup is mounted) and
#       OCI_SYS_RESOURCE (1 if we have CAP_SYS_RESOURCE). Call once.
#   oci_cleanup
#       End the session: stop a containerd started by oci_containerd_start
#       (and its shims), remove podman's containers and images from the
#       private store, unmount anything left under OCI_WORK, delete OCI_WORK
#       (kept when OCI_KEEP=1). Idempotent. CALL IT FROM YOUR EXIT TRAP:
#         trap oci_cleanup EXIT
#   oci_check RUNTIME [PLATFORM]
#       Can RUNTIME (runc|crun|containerd|podman) run an image for PLATFORM
#       (default linux/$OCI_HOST_ARCH) here? Returns 0, or prints ONE line
#       saying why not on STDOUT and returns 1:  why=$(oci_check crun) ||
#       echo "SKIPPED: crun: $why". A foreign PLATFORM is supported by runc
#       and crun only, through qemu registered in a private binfmt_misc (see
#       "Foreign architectures"); containerd and podman need the host's own
#       binfmt_misc to have qemu-ARCH registered (checked: /proc/sys/fs/
#       binfmt_misc/qemu-NAME exists).
#   oci_containerd_start / oci_containerd_stop
#       Start (and wait for, at most 20 s) a private containerd daemon:
#       root, state, socket, config and log under OCI_WORK/containerd, CRI
#       plugin disabled, namespace "wasmc". Sets OCI_CTR_SOCK and
#       OCI_CTR_PID. Stop: SIGTERM (SIGKILL after 5 s) to that PID and to
#       containerd-shims serving that socket. oci_cleanup stops it too.
#   oci_prepare RUNTIME HANDLE IMAGE [PLATFORM]
#       Once per image: make IMAGE runnable by RUNTIME under the name
#       HANDLE ([A-Za-z0-9_.-]+, unique in the session). IMAGE is an OCI
#       image layout directory or an OCI archive (.tar), optionally
#       followed by :TAG (the org.opencontainers.image.ref.name of an entry
#       of index.json; default: the only entry). PLATFORM (linux/ARCH[/VARIANT],
#       default linux/$OCI_HOST_ARCH) picks the manifest of a multi-platform
#       index.
#         runc, crun:  the layout's manifest for PLATFORM unpacked by
#                      `umoci unpack` into OCI_WORK/bundles/HANDLE (rootfs/
#                      and umoci's config.json, blob digests checked).
#         containerd:  the archive (a layout is tarred first) imported with
#                      `ctr images import --platform PLATFORM` into the
#                      daemon of oci_containerd_start (start it first); the
#                      reference is the index's io.containerd.image.name.
#         podman:      `podman pull --platform PLATFORM oci:DIR[:TAG]` or
#                      `oci-archive:FILE[:TAG]` into private storage; the
#                      image ID is kept.
#   oci_run_cmd HANDLE [-v HOST:CTR]... [--] [ARGS...]
#       Sets the bash array OCI_CMD to a command that runs the prepared
#       image once, to exit, with ARGS as the program's arguments (they
#       replace the image's Cmd and follow its Entrypoint, as `docker run
#       IMAGE ARGS` does; for ctr the Entrypoint is put in front, since
#       `ctr run` replaces the whole process). -v HOST:CTR bind-mounts the
#       host directory HOST read-write at CTR (a "volume"). The command's
#       stdout/stderr are the program's and its exit status is the
#       program's (runtime errors exit non-zero too). No terminal, no
#       network (network namespace with loopback only).
#       Files for the command (runc/crun: a config.json and a rootfs of
#       hard links to the unpacked one in OCI_WORK/runs/N/) are written
#       now, so that OCI_CMD is exactly what to time: "${OCI_CMD[@]}"
#       may be run any number of
#       times, one after the other (every runtime removes its container
#       on exit: `runc/crun run`, `ctr run --rm`, `podman run --rm`); each
#       call of oci_run_cmd makes a new container ID
#       (wasmc-HANDLE-PID-N), so commands from different calls may run at
#       the same time.
#   oci_rootfs HANDLE
#       Prints the unpacked root filesystem of a runc/crun handle.
#   oci_unpack IMAGE PLATFORM DIR
#       Unpacks the image of PLATFORM (umoci) into the new directory DIR as
#       a bundle: DIR/rootfs (e.g. DIR/rootfs/app, to run under qemu-user)
#       and DIR/config.json. Needs no runtime.
#   oci_podman ARGS...
#       Runs podman ARGS with the session's private storage and flags (see
#       below), e.g. oci_podman load -i IMAGE.tar; oci_podman run --rm ...
#   oci_arch PLATFORM          linux/arm64/v8 -> arm64
#   oci_qemu_name ARCH         amd64 -> x86_64, arm64 -> aarch64, riscv64
#   oci_static_qemu ARCH       prints the path of a STATIC qemu-user for ARCH
#                              (qemu-NAME-static, or qemu-NAME when static)
#
# Runtime notes (measured on Debian 12, kernel 6.18, cgroup v1 "hybrid";
# see also /work/shared/MACHINE-NOTES.md):
#   - crun 1.8 refuses hybrid cgroups ("cgroups in hybrid mode not
#     supported"). When OCI_CGROUP=hybrid, OCI_CMD runs crun inside a private
#     mount namespace whose cgroup2 mount is removed first:
#       unshare -m -- sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh crun ...
#     (the host's mounts are untouched; unshare makes the namespace
#     private). On pure cgroup v2 or v1 crun runs directly.
#   - crun 1.8 on cgroup v2 raises RLIMIT_MEMLOCK to load its eBPF device
#     filter ("setrlimit (RLIM_MEMLOCK): Operation not permitted" when root
#     lacks CAP_SYS_RESOURCE, as here): then the bundle's
#     linux.resources.devices is dropped (no device cgroup rules; the
#     container still has only the default /dev nodes). OCI_SYS_RESOURCE
#     is 1 when the capability is there.
#   - podman 4.3: every command gets --root/--runroot/--tmpdir under
#     OCI_WORK/podman, --cgroup-manager cgroupfs, --events-backend file;
#     `run` gets --network none, --pull never and --ulimit nofile=1024:1024
#     --ulimit nproc=4096:4096 (root here lacks CAP_SYS_RESOURCE, and
#     podman's default would raise them). Its OCI runtime: $OCI_PODMAN_RUNTIME
#     if set, else runc when OCI_CGROUP=hybrid, or v2 without
#     CAP_SYS_RESOURCE (podman's default crun fails there), else podman's
#     default.
#   - containerd 1.6: `ctr run` needs a fresh container ID while the
#     previous container of that ID exists; --rm removes it at exit. Its
#     IO FIFOs and runc state go under OCI_WORK/containerd (--fifo-dir,
#     --runc-root); the shim's socket is always in /run/containerd/s
#     (fixed in containerd 1.6; removed when the shim exits).
#   - runc/crun use state dirs under OCI_WORK (--root), never /run/runc.
#
# Foreign architectures (runc, crun): binfmt_misc can be mounted in a new
# user namespace since Linux 6.7, and its registrations apply to that
# namespace only. For a PLATFORM that is not the host's, OCI_CMD is
#   unshare --user --map-root-user --mount -- sh -c '
#     mount -t binfmt_misc binfmt_misc MNT &&
#     printf %s ":qemu-ARCH:M::MAGIC:MASK:/usr/bin/qemu-ARCH-static:F" >MNT/register &&
#     exec "$@"' sh runc --root ... run --bundle ... ID
# with a user-namespace ("rootless") variant of the bundle's config. The F
# flag makes the kernel open qemu at registration, so the container's
# rootfs (only /app) needs no qemu; qemu must be STATIC (Debian:
# qemu-user-static, which can be installed beside qemu-user but conflicts
# with qemu-user-binfmt), as a dynamic qemu's loader and libraries are
# looked up inside the container. oci_check says why when the kernel refuses
# the mount (older than 6.7) or no static qemu exists. The host's binfmt_misc
# is never touched.

OCI_WORK=${OCI_WORK:-}
OCI_CMD=()
declare -gA OCI_H_RT=() OCI_H_ARCH=() OCI_H_PLATFORM=() OCI_H_REF=() OCI_H_DIR=() OCI_H_ENTRY=()
declare -g OCI_SEQ=0 OCI_CTR_SOCK="" OCI_CTR_PID=""
OCI_CTR_NS=wasmc

oci__err() { echo "oci: $*" >&2; return 1; }

oci_arch() { # linux/arm64/v8 -> arm64
  local p=${1#*/}
  echo "${p%%/*}"
}

oci_qemu_name() {
  case $1 in
    amd64) echo x86_64 ;;
    arm64) echo aarch64 ;;
    *) echo "$1" ;;
  esac
}

oci__host_arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;;
    aarch64) echo arm64 ;;
    *) uname -m ;;
  esac
}

# linux/ARCH -> linux/ARCH[/VARIANT] as registries write it (arm64 -> v8).
oci__norm_platform() {
  local p=${1:-linux/$OCI_HOST_ARCH}
  case $p in
    */*/*) echo "$p" ;;
    linux/arm64) echo linux/arm64/v8 ;;
    */*) echo "$p" ;;
    *) oci__err "bad platform '$p' (want OS/ARCH[/VARIANT])" ;;
  esac
}

oci_init() {
  [[ -n ${1:-} ]] || { oci__err "oci_init WORKDIR"; return 1; }
  mkdir -p "$1" || return 1
  OCI_WORK=$(cd "$1" && pwd) || return 1
  OCI_HOST_ARCH=$(oci__host_arch)
  if [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]]; then
    OCI_CGROUP=v2
  elif [[ $(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]] &&
       grep -q ' /sys/fs/cgroup/unified ' /proc/self/mountinfo; then
    OCI_CGROUP=hybrid
  else
    OCI_CGROUP=v1
  fi
  # CAP_SYS_RESOURCE (bit 24) in our effective set? Root here lacks it.
  local eff
  eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
  if (( (16#${eff:-0} >> 24) & 1 )); then OCI_SYS_RESOURCE=1; else OCI_SYS_RESOURCE=0; fi
  OCI_SEQ=0
}

oci__need_init() { [[ -n $OCI_WORK && -d $OCI_WORK ]] || oci__err "call oci_init WORKDIR first"; }

# ---- checks -------------------------------------------------------------------

oci_static_qemu() {
  local n q
  n=$(oci_qemu_name "$1")
  for q in "/usr/bin/qemu-$n-static" "$(command -v "qemu-$n-static" 2>/dev/null)" \
           "$(command -v "qemu-$n" 2>/dev/null)"; do
    [[ -n $q && -x $q ]] || continue
    # static: no program interpreter (PT_INTERP)
    if ! readelf -lW "$q" 2>/dev/null | grep -q 'Requesting program interpreter'; then
      echo "$q"; return 0
    fi
  done
  return 1
}

# The ELF magic/mask of binfmt_misc for ARCH (as qemu's own
# scripts/qemu-binfmt-conf.sh writes them; the kernel decodes \x).
oci__binfmt_magic() {
  local m='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00'
  local k='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  case $1 in
    arm64) printf "%s\n" "$m\xb7\x00:$k" ;;
    riscv64) printf "%s\n" "$m\xf3\x00:$k" ;;
    amd64) printf "%s\n" "$m\x3e\x00:$k" ;;
    *) return 1 ;;
  esac
}

# The registration line for ARCH with a static qemu and the F flag.
oci__binfmt_line() {
  local q mm
  q=$(oci_static_qemu "$1") || return 1
  mm=$(oci__binfmt_magic "$1") || return 1
  echo ":wasmc-qemu-$(oci_qemu_name "$1"):M::$mm:$q:F"
}

# Can this kernel mount binfmt_misc in a user namespace and register ARCH?
# Prints why not.
oci__binfmt_userns_check() {
  local arch=$1 line mnt out
  command -v unshare >/dev/null || { echo "unshare (util-linux) not found"; return 1; }
  line=$(oci__binfmt_line "$arch") ||
    { echo "no static qemu-user for $arch (install qemu-user-static; Debian's qemu-$(oci_qemu_name "$arch") is dynamically linked and its libraries are not in the container)"; return 1; }
  mnt=$OCI_WORK/binfmt
  mkdir -p "$mnt"
  # shellcheck disable=SC2016
  if ! out=$(unshare --user --map-root-user --mount -- sh -c \
        'mount -t binfmt_misc binfmt_misc "$1" && printf %s "$2" >"$1/register" && cat "$1/wasmc-qemu-$3" >/dev/null' \
        sh "$mnt" "$line" "$(oci_qemu_name "$arch")" 2>&1); then
    echo "binfmt_misc cannot be mounted and registered in a user namespace (kernel $(uname -r); needs >= 6.7): ${out//$'\n'/ }"
    return 1
  fi
}

oci_check() {
  local rt=${1:-} platform arch p
  oci__need_init || { echo "oci_init was not called"; return 1; }
  platform=$(oci__norm_platform "${2:-}") || { echo "bad platform '${2:-}'"; return 1; }
  arch=$(oci_arch "$platform")
  for p in jq tar gzip sha256sum; do
    command -v "$p" >/dev/null || { echo "$p not found"; return 1; }
  done
  case $rt in
    runc|crun)
      command -v "$rt" >/dev/null || { echo "$rt not found (Debian package $rt)"; return 1; }
      "$rt" --version >/dev/null 2>&1 || { echo "$rt --version fails"; return 1; }
      command -v umoci >/dev/null || { echo "umoci not found (Debian package umoci)"; return 1; }
      [[ $(id -u) == 0 ]] || { echo "not root: these bundles are for rootful $rt"; return 1; }
      if [[ $rt == crun && $OCI_CGROUP == hybrid ]]; then
        command -v unshare >/dev/null || { echo "hybrid cgroups and no unshare for the workaround"; return 1; }
      fi
      if [[ $arch != "$OCI_HOST_ARCH" ]]; then
        oci__binfmt_userns_check "$arch" || return 1
      fi
      ;;
    containerd)
      for p in containerd ctr containerd-shim-runc-v2 runc; do
        command -v "$p" >/dev/null || { echo "$p not found (Debian package containerd, runc)"; return 1; }
      done
      [[ $(id -u) == 0 ]] || { echo "not root: the private containerd runs as root"; return 1; }
      if [[ $arch != "$OCI_HOST_ARCH" && ! -e /proc/sys/fs/binfmt_misc/qemu-$(oci_qemu_name "$arch") ]]; then
        echo "$platform needs qemu-$(oci_qemu_name "$arch") in the host's binfmt_misc (not registered; a private binfmt_misc, as runc and crun get here, would need containerd itself in that user namespace)"
        return 1
      fi
      ;;
    podman)
      for p in podman conmon; do
        command -v "$p" >/dev/null || { echo "$p not found (Debian package podman)"; return 1; }
      done
      if [[ $arch != "$OCI_HOST_ARCH" && ! -e /proc/sys/fs/binfmt_misc/qemu-$(oci_qemu_name "$arch") ]]; then
        echo "$platform needs qemu-$(oci_qemu_name "$arch") in the host's binfmt_misc (not registered)"
        return 1
      fi
      local out
      if ! out=$(oci__podman info --format '{{.Host.OCIRuntime.Name}}' 2>&1); then
        echo "podman info fails: $(echo "$out" | tail -n 1)"
        return 1
      fi
      ;;
    *) echo "unknown runtime '$rt' (runc, crun, containerd, podman)"; return 1 ;;
  esac
}

# ---- images -------------------------------------------------------------------

# oci__split IMAGE: sets OCI__PATH and OCI__TAG from PATH[:TAG].
oci__split() {
  local img=$1
  if [[ -e $img ]]; then OCI__PATH=$img OCI__TAG=""
  elif [[ $img == *:* && -e ${img%:*} ]]; then OCI__PATH=${img%:*} OCI__TAG=${img##*:}
  else oci__err "no image at '$img'"; return 1; fi
  OCI__PATH=$(realpath -- "$OCI__PATH")
}

# oci__layout PATH HANDLE: prints the layout directory of the image at PATH;
# an archive is extracted once under OCI_WORK/layouts/HANDLE.
oci__layout() {
  local path=$1 h=$2
  if [[ -d $path ]]; then
    (cd "$path" && pwd)
  else
    local d=$OCI_WORK/layouts/$h
    rm -rf "$d"; mkdir -p "$d"
    tar -xf "$path" -C "$d" || { oci__err "cannot extract the OCI archive $path"; return 1; }
    echo "$d"
  fi
}

# oci__blob LAYOUT DIGEST: prints the path of a blob after checking its digest.
oci__blob() {
  local f=$1/blobs/${2%%:*}/${2#*:}
  [[ -f $f ]] || { oci__err "blob $2 missing from $1"; return 1; }
  [[ ${2%%:*} == sha256 ]] || { oci__err "unsupported digest $2"; return 1; }
  local got
  got=$(sha256sum "$f") || return 1
  [[ "sha256:${got%% *}" == "$2" ]] || { oci__err "blob $2 has digest sha256:${got%% *}"; return 1; }
  echo "$f"
}

# oci__select LAYOUT TAG PLATFORM: prints the JSON descriptor of the image
# manifest for PLATFORM (walks one level of nested indexes) and, on a second
# line, the top-level entry's annotations.
oci__select() {
  local lay=$1 tag=$2 platform=$3 top n os arch variant
  [[ -f $lay/index.json ]] || { oci__err "$lay has no index.json: not an OCI image layout"; return 1; }
  if [[ -n $tag ]]; then
    top=$(jq -c --arg t "$tag" '[.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)]' "$lay/index.json") || return 1
  else
    top=$(jq -c '.manifests' "$lay/index.json") || return 1
  fi
  n=$(jq length <<<"$top")
  [[ $n == 1 ]] || { oci__err "$lay: $n entries in index.json${tag:+ for tag $tag}: give IMAGE:TAG"; return 1; }
  top=$(jq -c '.[0]' <<<"$top")
  IFS=/ read -r os arch variant <<<"$platform"
  local want
  want=$(jq -cn --arg o "$os" --arg a "$arch" --arg v "${variant:-}" '{os:$o, architecture:$a, variant:$v}')
  local mt idx f
  mt=$(jq -r .mediaType <<<"$top")
  case $mt in
    application/vnd.oci.image.index.v1+json|application/vnd.docker.distribution.manifest.list.v2+json)
      f=$(oci__blob "$lay" "$(jq -r .digest <<<"$top")") || return 1
      idx=$(jq -c --argjson w "$want" '[.manifests[] | select(.platform.os == $w.os and .platform.architecture == $w.architecture
              and ($w.variant == "" or (.platform.variant // "") == "" or .platform.variant == $w.variant))]' "$f") || return 1
      n=$(jq length <<<"$idx")
      [[ $n -ge 1 ]] || { oci__err "$lay has no image for $platform (has: $(jq -r '[.manifests[].platform | [.os, .architecture, .variant // empty] | join("/")] | join(", ")' "$f"))"; return 1; }
      jq -c '.[0]' <<<"$idx"
      ;;
    application/vnd.oci.image.manifest.v1+json)
      local m c
      m=$(oci__blob "$lay" "$(jq -r .digest <<<"$top")") || return 1
      c=$(oci__blob "$lay" "$(jq -r .config.digest "$m")") || return 1
      [[ $(jq -r '.os + "/" + .architecture' "$c") == "$os/$arch" ]] ||
        { oci__err "$lay holds one image, for $(jq -r '.os + "/" + .architecture' "$c"), not $platform"; return 1; }
      echo "$top"
      ;;
    *) oci__err "$lay: unsupported media type $mt in index.json"; return 1 ;;
  esac
  jq -c '.annotations // {}' <<<"$top"
}

# oci__entry LAYOUT MANIFEST_DESCRIPTOR: prints Entrypoint and Cmd of the
# image config as a JSON object {entry:[...], cmd:[...]}.
oci__entry() {
  local m c
  m=$(oci__blob "$1" "$(jq -r .digest <<<"$2")") || return 1
  c=$(oci__blob "$1" "$(jq -r .config.digest "$m")") || return 1
  jq -c '{entry: (.config.Entrypoint // []), cmd: (.config.Cmd // [])}' "$c"
}

oci_prepare() {
  local rt=${1:-} h=${2:-} img=${3:-} platform lay sel desc ann entry
  oci__need_init || return 1
  [[ $h =~ ^[A-Za-z0-9_.-]+$ ]] || { oci__err "oci_prepare RUNTIME HANDLE IMAGE [PLATFORM]: bad handle '$h'"; return 1; }
  [[ -z ${OCI_H_RT[$h]:-} ]] || { oci__err "handle '$h' is already prepared"; return 1; }
  platform=$(oci__norm_platform "${4:-}") || return 1
  oci__split "$img" || return 1
  lay=$(oci__layout "$OCI__PATH" "$h") || return 1
  sel=$(oci__select "$lay" "$OCI__TAG" "$platform") || return 1
  desc=$(sed -n 1p <<<"$sel") ann=$(sed -n 2p <<<"$sel")
  entry=$(oci__entry "$lay" "$desc") || return 1
  OCI_H_ENTRY[$h]=$entry
  OCI_H_ARCH[$h]=$(oci_arch "$platform")
  OCI_H_PLATFORM[$h]=$platform
  case $rt in
    runc|crun) oci__prepare_bundle "$h" "$lay" "$desc" || return 1 ;;
    containerd) oci__prepare_containerd "$h" "$lay" "$ann" || return 1 ;;
    podman) oci__prepare_podman "$h" || return 1 ;;
    *) oci__err "unknown runtime '$rt'"; return 1 ;;
  esac
  OCI_H_RT[$h]=$rt
}

# oci__umoci_unpack LAYOUT DESCRIPTOR BUNDLE: umoci unpack of one manifest.
oci__umoci_unpack() {
  local lay=$1 desc=$2 b=$3 out u
  u=$(mktemp -d "$OCI_WORK/umoci.XXXXXX") || return 1
  # A one-entry view of the layout naming just the chosen manifest.
  cp "$lay/oci-layout" "$u/oci-layout"
  ln -s "$lay/blobs" "$u/blobs"
  jq -c '{schemaVersion: 2, manifests: [. + {annotations: {"org.opencontainers.image.ref.name": "selected"}}]}' \
    <<<"$desc" >"$u/index.json" || return 1
  rm -rf "$b"
  mkdir -p "$(dirname "$b")"
  # umoci checks the digests of what it reads.
  if ! out=$(umoci unpack --image "$u:selected" "$b" 2>&1); then
    rm -rf "$u"
    oci__err "umoci unpack failed: $out"; return 1
  fi
  rm -rf "$u"
}

oci__prepare_bundle() {
  oci__umoci_unpack "$2" "$3" "$OCI_WORK/bundles/$1" || return 1
  OCI_H_DIR[$1]=$OCI_WORK/bundles/$1
}

oci_unpack() {
  local img=${1:-} platform dir=${3:-} lay sel
  oci__need_init || return 1
  [[ -n $dir && ! -e $dir ]] || { oci__err "oci_unpack IMAGE PLATFORM DIR: DIR must be new"; return 1; }
  command -v umoci >/dev/null || { oci__err "umoci not found (Debian package umoci)"; return 1; }
  platform=$(oci__norm_platform "${2:-}") || return 1
  oci__split "$img" || return 1
  lay=$(oci__layout "$OCI__PATH" "unpack-$OCI_SEQ-$RANDOM") || return 1
  sel=$(oci__select "$lay" "$OCI__TAG" "$platform") || return 1
  oci__umoci_unpack "$lay" "$(sed -n 1p <<<"$sel")" "$dir"
}

oci__prepare_containerd() {
  local h=$1 lay=$2 ann=$3 ref archive out
  [[ -n $OCI_CTR_SOCK ]] || { oci__err "containerd: call oci_containerd_start first"; return 1; }
  ref=$(jq -r '.["io.containerd.image.name"] // empty' <<<"$ann")
  [[ -n $ref ]] || { oci__err "containerd: the image has no io.containerd.image.name annotation"; return 1; }
  if [[ -d $OCI__PATH ]]; then # ctr imports archives only
    archive=$OCI_WORK/layouts/$h.tar
    mkdir -p "$OCI_WORK/layouts"
    tar -C "$lay" -cf "$archive" oci-layout index.json blobs || return 1
  else
    archive=$OCI__PATH
  fi
  if ! out=$(ctr -a "$OCI_CTR_SOCK" -n "$OCI_CTR_NS" images import --platform "${OCI_H_PLATFORM[$h]}" "$archive" 2>&1); then
    oci__err "ctr images import: $out"; return 1
  fi
  ctr -a "$OCI_CTR_SOCK" -n "$OCI_CTR_NS" images ls -q | grep -qxF "$ref" ||
    { oci__err "ctr images import did not create $ref: $out"; return 1; }
  OCI_H_REF[$h]=$ref
}

oci__podman_runtime() {
  if [[ -n ${OCI_PODMAN_RUNTIME:-} ]]; then echo "$OCI_PODMAN_RUNTIME"
  elif [[ $OCI_CGROUP == hybrid || ($OCI_CGROUP == v2 && $OCI_SYS_RESOURCE == 0) ]]; then echo runc
  fi
}

# podman with the session's private storage and settings.
oci__podman_args() {
  local d=$OCI_WORK/podman rt
  OCI__PODMAN=(podman --root "$d/root" --runroot "$d/run" --tmpdir "$d/tmp"
               --cgroup-manager cgroupfs --events-backend file)
  rt=$(oci__podman_runtime)
  [[ -z $rt ]] || OCI__PODMAN+=(--runtime "$rt")
}
oci__podman() {
  oci__podman_args
  mkdir -p "$OCI_WORK/podman"
  "${OCI__PODMAN[@]}" "$@"
}

oci_podman() { oci__need_init && oci__podman "$@"; }

oci__prepare_podman() {
  local h=$1 src id name srcdir=$OCI_WORK/podman/src
  # podman names an image pulled from oci:PATH after PATH, and refuses
  # upper case there: pull through a lower-case relative symlink.
  name=${h,,}
  name=wasmc-${name//[^a-z0-9]/-}
  mkdir -p "$srcdir"
  ln -sfn "$OCI__PATH" "$srcdir/$name"
  if [[ -d $OCI__PATH ]]; then src=oci:$name; else src=oci-archive:$name; fi
  [[ -z $OCI__TAG ]] || src+=:$OCI__TAG
  if ! id=$(cd "$srcdir" && oci__podman pull -q --platform "${OCI_H_PLATFORM[$h]}" "$src" 2>"$OCI_WORK/podman/pull.err"); then
    oci__err "podman pull $src: $(cat "$OCI_WORK/podman/pull.err")"; return 1
  fi
  id=$(tail -n 1 <<<"$id")
  [[ $id =~ ^[0-9a-f]{12,64}$ ]] || { oci__err "podman pull $src printed '$id', not an image ID"; return 1; }
  OCI_H_REF[$h]=$id
}

oci_rootfs() {
  [[ -n ${OCI_H_DIR[${1:-}]:-} ]] || { oci__err "oci_rootfs: '${1:-}' is not a prepared runc/crun handle"; return 1; }
  echo "${OCI_H_DIR[$1]}/rootfs"
}

# ---- containerd daemon ----------------------------------------------------------

oci_containerd_start() {
  oci__need_init || return 1
  [[ -z $OCI_CTR_PID ]] || { oci__err "containerd already started (pid $OCI_CTR_PID)"; return 1; }
  local d=$OCI_WORK/containerd i
  mkdir -p "$d/root" "$d/state" "$d/opt"
  cat >"$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = ""
[debug]
  address = ""
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$d/opt"
EOF
  containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 &
  OCI_CTR_PID=$!
  OCI_CTR_SOCK=$d/containerd.sock
  for ((i = 0; i < 200; i++)); do
    if [[ -S $OCI_CTR_SOCK ]] && ctr -a "$OCI_CTR_SOCK" version >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$OCI_CTR_PID" 2>/dev/null || break
    sleep 0.1
  done
  oci__err "containerd did not start: $(tail -n 5 "$d/containerd.log")"
  oci_containerd_stop
  return 1
}

# PIDs of containerd-shims serving our socket (their command line names it).
oci__ctr_shims() {
  local p
  for p in /proc/[0-9]*; do
    [[ -r $p/cmdline ]] || continue
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "-address $OCI_CTR_SOCK "; then
      echo "${p#/proc/}"
    fi
  done
}

oci_containerd_stop() {
  [[ -n $OCI_CTR_PID ]] || return 0
  local shims i
  shims=$(oci__ctr_shims)
  # each step may find the process gone already: never fail (callers may
  # run under set -e, in an EXIT trap)
  kill -TERM "$OCI_CTR_PID" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do kill -0 "$OCI_CTR_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$OCI_CTR_PID" 2>/dev/null || true
  wait "$OCI_CTR_PID" 2>/dev/null || true
  # shellcheck disable=SC2086
  [[ -z $shims ]] || kill -KILL $shims 2>/dev/null || true
  OCI_CTR_PID=""
  OCI_CTR_SOCK=""
  return 0
}

# ---- the run command -----------------------------------------------------------

oci_run_cmd() {
  local h=${1:-} vols=() args=() v id
  [[ -n ${OCI_H_RT[$h]:-} ]] || { oci__err "oci_run_cmd: '$h' is not a prepared handle"; return 1; }
  shift
  while (($#)); do
    case $1 in
      -v) [[ ${2:-} == /*:/* ]] || { oci__err "oci_run_cmd: -v wants HOST:CTR, absolute paths (got '${2:-}')"; return 1; }
          vols+=("$2"); shift 2 ;;
      --) shift; break ;;
      *) break ;;
    esac
  done
  args=("$@")
  OCI_SEQ=$((OCI_SEQ + 1))
  id=wasmc-$h-$$-$OCI_SEQ
  OCI_CMD=()
  case ${OCI_H_RT[$h]} in
    runc|crun) oci__cmd_bundle "$h" "$id" "${#vols[@]}" "${vols[@]}" "${args[@]}" || return 1 ;;
    containerd)
      OCI_CMD=(ctr -a "$OCI_CTR_SOCK" -n "$OCI_CTR_NS" run --rm --platform "${OCI_H_PLATFORM[$h]}"
               --fifo-dir "$OCI_WORK/containerd/fifo" --runc-root "$OCI_WORK/containerd/runc")
      for v in "${vols[@]}"; do
        OCI_CMD+=(--mount "type=bind,src=${v%%:*},dst=${v#*:},options=rbind:rw")
      done
      OCI_CMD+=("${OCI_H_REF[$h]}" "$id")
      local proc
      mapfile -t proc < <(jq -r --argjson a "$(oci__json_array "${args[@]}")" \
        '.entry + (if ($a | length) > 0 then $a else .cmd end) | .[]' <<<"${OCI_H_ENTRY[$h]}")
      OCI_CMD+=("${proc[@]}")
      ;;
    podman)
      oci__podman_args
      OCI_CMD=("${OCI__PODMAN[@]}" run --rm --pull never --network none --name "$id"
               --ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
      for v in "${vols[@]}"; do OCI_CMD+=(-v "$v"); done
      OCI_CMD+=("${OCI_H_REF[$h]}" "${args[@]}")
      ;;
  esac
}

oci__json_array() { jq -cn '$ARGS.positional' --args -- "$@"; }

# oci__cmd_bundle HANDLE ID NVOLS VOLS... ARGS...
oci__cmd_bundle() {
  local h=$1 id=$2 nv=$3 rt=${OCI_H_RT[$1]} b=${OCI_H_DIR[$1]} run mounts="[]" v foreign=false
  shift 3
  local vols=("${@:1:nv}")
  shift "$nv"
  for v in "${vols[@]}"; do
    mounts=$(jq -c --arg s "${v%%:*}" --arg d "${v#*:}" \
      '. + [{destination: $d, type: "bind", source: $s, options: ["rbind", "rw"]}]' <<<"$mounts")
  done
  run=$OCI_WORK/runs/$OCI_SEQ
  mkdir -p "$run"
  # Each command its own rootfs (hard links to the unpacked one): runc/crun
  # create mount points in it, which must not show up in other commands.
  cp -al "$b/rootfs" "$run/rootfs" || return 1
  [[ ${OCI_H_ARCH[$h]} == "$OCI_HOST_ARCH" ]] || foreign=true
  # crun 1.8 on cgroup v2 raises RLIMIT_MEMLOCK to load its eBPF device
  # filter, which needs CAP_SYS_RESOURCE: without it, no device rules.
  local nodevcg=false
  [[ $rt == crun && $OCI_CGROUP == v2 && $OCI_SYS_RESOURCE == 0 ]] && nodevcg=true
  jq --arg root "$run/rootfs" --argjson args "$(oci__json_array "$@")" --argjson m "$mounts" \
     --argjson userns "$foreign" --argjson e "${OCI_H_ENTRY[$h]}" --argjson nodevcg "$nodevcg" '
    .process.terminal = false
    | .root = {path: $root, readonly: false}
    | (if ($args | length) > 0 then .process.args = ($e.entry + $args) else . end)
    | .mounts += $m
    | if $nodevcg then del(.linux.resources.devices) else . end
    | if $userns then
        .linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}]
        | .linux.gidMappings = [{containerID: 0, hostID: 0, size: 1}]
        | .mounts |= map(if .type == "devpts" then .options |= map(select(startswith("gid=") | not))
                         elif .type == "sysfs" then {destination, type: "none", source: "/sys", options: ["rbind", "nosuid", "noexec", "nodev", "ro"]}
                         else . end)
        | del(.linux.resources.devices)
      else . end' "$b/config.json" >"$run/config.json" || return 1
  local state=$OCI_WORK/$rt-state
  $foreign && state=$OCI_WORK/$rt-userns-state
  local base=("$rt" --root "$state" run --bundle "$run" "$id")
  if $foreign; then
    local line
    line=$(oci__binfmt_line "${OCI_H_ARCH[$h]}") || { oci__err "no static qemu for ${OCI_H_ARCH[$h]}"; return 1; }
    mkdir -p "$OCI_WORK/binfmt"
    if [[ $rt == crun && $OCI_CGROUP == hybrid ]]; then
      # shellcheck disable=SC2016
      OCI_CMD=(unshare -m -- sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh)
    fi
    # shellcheck disable=SC2016
    OCI_CMD+=(unshare --user --map-root-user --mount -- sh -c \
      'mount -t binfmt_misc binfmt_misc "$1" && printf %s "$2" >"$1/register" && shift 2 && exec "$@"' \
      sh "$OCI_WORK/binfmt" "$line" "${base[@]}")
  elif [[ $rt == crun && $OCI_CGROUP == hybrid ]]; then
    # shellcheck disable=SC2016
    OCI_CMD=(unshare -m -- sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh "${base[@]}")
  else
    OCI_CMD=("${base[@]}")
  fi
}

# ---- cleanup --------------------------------------------------------------------

oci_cleanup() {
  [[ -n ${OCI_WORK:-} && -d $OCI_WORK ]] || return 0
  oci_containerd_stop
  if [[ -d $OCI_WORK/podman ]] && command -v podman >/dev/null; then
    oci__podman_args
    "${OCI__PODMAN[@]}" rm -af -t 0 >/dev/null 2>&1
    "${OCI__PODMAN[@]}" rmi -af >/dev/null 2>&1
    "${OCI__PODMAN[@]}" system reset -f >/dev/null 2>&1
  fi
  # Anything still mounted under the work dir (innermost first).
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null
  done < <(awk -v w="$OCI_WORK" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  if [[ ${OCI_KEEP:-0} != 1 ]]; then
    rm -rf "$OCI_WORK" 2>/dev/null || { chmod -R u+rwX "$OCI_WORK" 2>/dev/null; rm -rf "$OCI_WORK"; }
  fi
  OCI_H_RT=() OCI_H_DIR=() OCI_H_REF=()
  return 0
}
