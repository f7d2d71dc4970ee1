#!/bin/sh
# run-fs-tests.sh WASI_RUN DIR: the path_* calls and the capability
# sandbox. Runs paths.so (every path_* call, raw and through libc) and
# escape.so (the escape suite) under both resolvers of path_resolve.c:
# openat2 (the default where the kernel has it) and the portable walk
# (WASMC_WASI_RESOLVER=portable); checks their stdout and, on the host,
# the files they left and that nothing outside the granted directory was
# created, changed, renamed or read (escape.so itself compares every fd
# and filestat it gets with the host files outside it is given); then a
# check-then-use race: the host flips a path inside the granted
# directory between a directory and a symlink to outside while the
# guest opens through it (with few fds allowed, so that a leak of host
# fds shows up). With strace (which it needs): the resolver variable is
# obeyed, the fallback works when openat2 fails, and no unconfined host
# call names a path outside. Prints "N passed, N failed, N skipped";
# exits 1 when anything failed, 77 when checks were skipped (only with
# WASI_TESTS_NO_STRACE, below).
RUN=$1
DIR=$2
. "$(dirname "$0")/check.sh"

# host_check NAME WANT CMD...: compares the output of a host-side command.
host_check() {
  name=$1 want=$2
  shift 2
  got=$("$@" 2>&1)
  if [ "$got" = "$want" ]; then
    pass=$((pass + 1)); echo "PASS $name"
  else
    fail=$((fail + 1)); echo "FAIL $name"
    echo "--- got:"; echo "$got"; echo "--- want:"; echo "$want"
  fi
}

# escape_setup E: E/box (granted) and E/outside/secret beside it, its
# times set in the past.
escape_setup() {
  mkdir -p "$1/box" "$1/outside"
  echo TOPSECRET >"$1/outside/secret"
  touch -d '2001-02-03 04:05:06' "$1/outside/secret" "$1/outside"
}

# forbidden E: DEV:INO of the host files escape.so must never open or
# stat (its arguments after OUTSIDE).
forbidden() {
  stat -c '%d:%i' "$1/outside/secret" "$1/outside" "$1" /etc/passwd /
}

# A listing of a tree: type, path, link target or size (stable order).
tree() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r f; do
    if [ -L "$f" ]; then echo "l $f -> $(readlink "$f")"
    elif [ -d "$f" ]; then echo "d $f"
    else echo "f $f $(wc -c <"$f" | tr -d ' ')"; fi
  done)
}

PATHS_OUT=$(cat <<'EOF'
mkdir d: 0
mkdir d again: 20
mkdir e/: 0
mkdir in missing dir: 44
create d/f.txt: 0
write: 0
close: 0
read back: hello
open missing: 44
creat|excl existing: 20
directory flag on file: 54
creat|directory: 28
write access on a directory: 31
creat with trailing slash: 31
file with trailing slash: 54
open d: 0, filetype 3
open f.txt via d: 0, read 'hello'
via d: mkdir (right missing): 76
via d: creat|trunc (right missing): 76
via d: rw open: 0, base is read: yes, write denied: yes
via d: creat (has the right): 0
path_open on closed fd: 8
path_open on stdout: 54
path_open on a file fd: 54
filestat on a file fd: 54
trunc: 0, now ''
append: 0, flags 1
append write: 0
now 'helloXY'
open dsync: 0, flags 2
open nonblock: 0, flags 4
open rsync: 0, flags 24
open sync: 0, flags 24
rights: 0, base is read|seek: yes, inheriting is write: yes
filestat d/f.txt: 0, filetype 4, size 7, nlink 1
filestat dir: 0, filetype 3
filestat missing: 44
filestat file/: 54
filestat e/: 0
'.' and 'd/..' same dir: yes
empty path: 44
symlink d/lnk -> f.txt: 0
symlink again: 20
symlink new/: 44
readlink: 0, 'f.txt' (5)
readlink short buffer: 0, 'f.t' (3)
readlink on a file: 28
lnk nofollow filetype 7, follow filetype 4
open via lnk: helloXY
open lnk nofollow: 32
symlink dl -> d: 0
open dl/f.txt: helloXY
open dl/ nofollow, as dir: 0
symlink loop1: 0
symlink loop2: 0
open loop: 32
filestat loop/: 32
symlink dang -> d/target: 0
creat through dang: 0
created d/target: 
creat|excl through a link: 20
link d/f.txt -> d/hard: 0
link again: 20
link follow lnk -> hard2: 0
link nofollow lnk -> hard3: 0
link to new/: 44
nlink 3, hard3 filetype 7
link a directory: 63
rename d/hard -> d/renamed: 0
stat old name: 44
stat new name: 0
rename missing: 44
rename file to file/: 54
rename dir e -> e3/: 0
rename dir over nonempty dir: 55
set_times via link (follow): 0, atim ok, mtim ok
set_times on link itself: 0, file mtim kept: yes, link mtim 5000000000
mtim now: 0, after 2020: yes, atim kept: yes
atim|atim_now: 28
mtim|mtim_now: 28
set mtim again: 0
unlink d/renamed: 0
unlink again: 44
unlink a dir: 31
unlink file/: 54
rmdir nonempty: 55
rmdir a file: 54
rmdir e3/: 0
rmdir again: 44
rmdir .: 28
unlink loop1: 0
unlink loop2: 0
unlink dang: 0
unlink dl (a link to a dir): 0
fclose: 0
fread 13: via stdio 42
after append: via stdio 42
more
libc mkdir: 0 errno 0
libc stat dir: 0 isdir 1
libc stat file: 0 size 18
libc open missing: NULL errno 44
libc rename: 0 errno 0
libc symlink: 0 errno 0
libc link: 0 errno 0
libc readlink: 9 'moved.txt'
libc lstat is link: 1
libc access sym: 0 errno 0
libc access missing: -1 errno 44
readdir ld: hl moved.txt sym
libc unlink sym: 0 errno 0
libc unlink hl: 0 errno 0
libc rmdir a file: -1 errno 54
libc rmdir nonempty: -1 errno 55
EOF
)

PATHS_TREE=$(cat <<'EOF'
d ./d
f ./d/f.txt 7
f ./d/hard2 7
l ./d/hard3 -> f.txt
l ./d/lnk -> f.txt
f ./d/made 0
f ./d/target 0
d ./ld
f ./ld/moved.txt 18
EOF
)

# The suite's expected lines; every attempt is denied.
ESCAPE_OUT=$(cat <<'EOF'
dotdot_root: denied (errno 76)
dotdot_file: denied (errno 76)
a_dotdot_dotdot: denied (errno 76)
dot_dotdot_slash: denied (errno 76)
a_dot_dotdot_dotdot: denied (errno 76)
absolute_etc_passwd: denied (errno 76)
absolute_secret: denied (errno 76)
stat_dotdot: denied (errno 76)
stat_a_dotdot_dotdot: denied (errno 76)
subdir_fd_dotdot: denied (errno 76)
abs_create: 0
abs_create_root: 0
abs_create_libc: 0 errno 0
abs_readlink: text is the target: yes
abs_readlink_libc: text is the target: yes
abs_lstat: 0, filetype 7, size is the text's: yes
abs_open_follow: denied (errno 76)
abs_open_nofollow: denied (errno 32)
abs_open_dir_follow: denied (errno 76)
abs_open_through_root: denied (errno 76)
abs_open_trailing_slash: denied (errno 76)
abs_creat_follow: denied (errno 76)
abs_stat_follow: 76, buffer untouched: yes
abs_libc_open: -1 errno 76
abs_libc_stat: -1 errno 76
abs_libc_opendir: NULL errno 76
abs_no_probing: stat 76/76, open 76/76
abs_target_is_the_box: denied (errno 76)
abs_target_guest_name: denied (errno 76)
abs_target_guest_name_libc: denied (errno 76)
abs_unlink: 0, then lstat: 44
abs_unlink_libc: 0 errno 0
rel_inside_open: 0 'inside'
rel_inside_dotdot_open: 0 'inside'
rel_inside_chain_open: 0 'inside'
rel_inside_stat: 0, filetype 4, size 6
rel_inside_libc_opendir: ok
rel_inside_libc_fopen: 'inside'
rel_escape_create: 0
rel_escape_readlink: text is the target: yes
rel_escape_open: denied (errno 76)
rel_escape_unlink: 0
abs_symlink_open: denied (errno 76)
abs_symlink_stat_follow: denied (errno 76)
abs_symlink_trailing_slash: denied (errno 76)
abs_symlink_readlink: 0, text is the target: yes
abs_symlink_lstat: 0, filetype 7
abs_symlink_set_times: denied (errno 76)
abs_symlink_hardlink_follow: denied (errno 76)
rel_symlink_open: denied (errno 76)
rel_symlink_stat: denied (errno 76)
rel_symlink_dotdot_dotdot: denied (errno 76)
rel_symlink_nofollow_intermediate: denied (errno 76)
symlink_chain: denied (errno 76)
symlink_to_dotdot_via_inside: denied (errno 76)
dirlink_abs_file: denied (errno 76)
dirlink_abs_file_nofollow: denied (errno 76)
dirlink_rel_file: denied (errno 76)
dirlink_abs_dir: denied (errno 76)
dirlink_trailing_slash: denied (errno 76)
dirlink_stat: denied (errno 76)
dirlink_creat: denied (errno 76)
dirlink_mkdir: denied (errno 76)
dirlink_unlink: denied (errno 76)
dirlink_rmdir: denied (errno 76)
dirlink_readlink: denied (errno 76)
rename_file_out: denied (errno 76)
rename_file_out_via_link: denied (errno 76)
rename_file_out_abs: denied (errno 76)
rename_dir_out: denied (errno 76)
rename_dir_out_deep: denied (errno 76)
rename_secret_in: denied (errno 76)
rename_root_away: denied (errno 76)
link_out: denied (errno 76)
link_out_via_link: denied (errno 76)
link_secret_in: denied (errno 76)
symlink_create_outside: denied (errno 76)
symlink_create_via_link: denied (errno 76)
mkdir_out: denied (errno 76)
unlink_out: denied (errno 76)
made_symlink_open: denied (errno 76)
creat_dangling_rel: denied (errno 76)
creat_dangling_abs: denied (errno 76)
creat_dangling_trunc: denied (errno 76)
creat_dangling_nofollow: denied (errno 32)
creat_dangling_excl: denied (errno 20)
symlink_loop: denied (errno 32)
long_path: denied (errno 37)
long_component: denied (errno 37)
many_dotdot: denied (errno 76)
nul_in_path: denied (errno 28)
nul_in_symlink_target: denied (errno 28)
bad_path_ptr: denied (errno 21)
bad_path_len: denied (errno 21)
bad_out_ptr_creat: denied (errno 21)
bad_filestat_buf: denied (errno 21)
bad_readlink_buf: denied (errno 21)
bad_rename_ptr: denied (errno 21)
libc_fopen_dotdot: denied (errno 76)
libc_fopen_rel_symlink: denied (errno 76)
libc_fopen_w_dangling: denied (errno 76)
hostile_paths: 3000 calls, some worked inside: yes, some refused with 76: yes
secret read: no
host files outside reached: no
EOF
)

for res in openat2 portable; do
  # paths: results, then the tree and the times it left on the host
  p="$tmp/paths-$res"
  mkdir -p "$p"
  check "paths_$res" 0 "$PATHS_OUT" env WASMC_WASI_RESOLVER=$res "$RUN" "$DIR/paths.so" \
    --dir "$p::/sandbox" --
  host_check "paths_tree_$res" "$PATHS_TREE" tree "$p"
  host_check "paths_files_$res" "helloXY|via stdio 42 more |1100000000|same inode" \
    sh -c 'printf "%s|%s|%s|" "$(cat "$1/d/f.txt")" "$(tr "\n" " " <"$1/ld/moved.txt")" \
      "$(stat -c %Y "$1/d/f.txt")"
      [ "$(stat -c %i "$1/d/f.txt")" = "$(stat -c %i "$1/d/hard2")" ] && echo "same inode"' \
    sh "$p"

  # escape: box/ is granted, outside/ lies next to it, with a secret whose
  # contents and times must survive (its atime too: with relatime, which
  # updates an atime not after the mtime, reading it would show), and
  # nothing may appear or vanish outside box/
  e="$tmp/escape-$res"
  escape_setup "$e"
  before=$(stat -c '%X %Y %s %i' "$e/outside/secret" "$e/outside")
  check "escape_$res" 0 "$ESCAPE_OUT" env WASMC_WASI_RESOLVER=$res "$RUN" "$DIR/escape.so" \
    --dir "$e/box::/box" -- "$e/outside" $(forbidden "$e")
  host_check "escape_outside_untouched_$res" "$before${NL}TOPSECRET${NL}box outside${NL}secret" \
    sh -c 'stat -c "%X %Y %s %i" "$1/outside/secret" "$1/outside"; cat "$1/outside/secret"
      ls "$1" | tr "\n" " " | sed "s/ $//"; echo; ls -A "$1/outside"' sh "$e"
  # and the faulting create left nothing behind inside either
  host_check "escape_no_faultfile_$res" "absent" \
    sh -c '[ -e "$1/box/faultfile" ] && echo present || echo absent' sh "$e"
  # the absolute and escaping links the guest made and unlinked are gone
  # (the links, not their targets: outside/ is checked above)
  host_check "escape_links_removed_$res" "" \
    sh -c 'for n in etcpw rootl libcabs ghost boxself guestname rel2; do
      if [ -e "$1/box/$n" ] || [ -L "$1/box/$n" ]; then echo "$n left"; fi; done' sh "$e"

  # the race: flip/ alternates between a directory holding "inside" and
  # symlinks (absolute, relative) to outside/ holding TOPSECRET
  r="$tmp/race-$res"
  mkdir -p "$r/box" "$r/outside" "$r/flipdir"
  echo TOPSECRET >"$r/outside/secret"
  echo inside >"$r/flipdir/secret"
  (
    while [ ! -e "$r/stop" ]; do
      mv "$r/flipdir" "$r/box/flip"
      mv "$r/box/flip" "$r/flipdir"
      ln -s "$r/outside" "$r/box/flip"
      rm "$r/box/flip"
      ln -s ../outside "$r/box/flip"
      rm "$r/box/flip"
    done
  ) &
  flipper=$!
  check "race_$res" 0 "race: escaped 0${NL}race: saw the directory: yes${NL}race: saw the link (denied): yes${NL}race: out of fds: 0" \
    sh -c 'ulimit -n 256 && exec "$@"' sh \
    env WASMC_WASI_RESOLVER=$res "$RUN" "$DIR/escape.so" --dir "$r/box::/box" -- race 2
  touch "$r/stop"
  wait "$flipper"
done

# The variable does select the resolver: the portable run makes no
# openat2 call, the default one does (traced with strace). Without strace
# these checks fail, naming it. WASI_TESTS_NO_STRACE=REASON skips them by
# name (tests/wasi/cross-tests.sh: under qemu-user strace sees qemu's
# system calls, and qemu 7.2 has no openat2 at all).
strace_checks="resolver_selected escape_openat2_ENOSYS escape_openat2_EPERM
  escape_no_outside_names_openat2 escape_no_outside_names_portable"
if [ -n "${WASI_TESTS_NO_STRACE:-}" ]; then
  for c in $strace_checks; do skip "$c" "$WASI_TESTS_NO_STRACE"; done
elif ! command -v strace >/dev/null 2>&1; then
  for c in $strace_checks; do
    fail=$((fail + 1)); echo "FAIL $c: strace not found (Debian package strace; scripts/install-deps installs it)"
  done
else
  for res in openat2 portable; do
    mkdir -p "$tmp/st-$res"
    n=$(env WASMC_WASI_RESOLVER=$res strace -f -e trace=openat2 "$RUN" "$DIR/paths.so" \
          --dir "$tmp/st-$res::/sandbox" -- 2>&1 >/dev/null | grep -c '^\(\[pid *[0-9]*\] \)\?openat2(')
    echo "strace: $res resolver: $n openat2 calls"
    eval "n_$res=$n"
  done
  if [ "$n_portable" = 0 ] && [ "$n_openat2" -gt 0 ]; then
    pass=$((pass + 1)); echo "PASS resolver_selected"
  else
    fail=$((fail + 1)); echo "FAIL resolver_selected (openat2: $n_openat2, portable: $n_portable calls)"
  fi
  # A kernel without openat2 (or a seccomp filter refusing it): strace
  # makes every openat2 fail; the shim must fall back on its own and give
  # the same results. (LeakSanitizer cannot run under ptrace.)
  for err in ENOSYS EPERM; do
    e="$tmp/noopenat2-$err"
    escape_setup "$e"
    check "escape_openat2_$err" 0 "$ESCAPE_OUT" \
      env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
      strace -f -o /dev/null -e trace=openat2 -e inject=openat2:error=$err \
      "$RUN" "$DIR/escape.so" --dir "$e/box::/box" -- "$e/outside" $(forbidden "$e")
  done
  # No unconfined host call is ever given a path naming something
  # outside: the shim never hands a link's text, absolute or climbing
  # out, to the kernel to follow by name. Such a name may only show in
  # creating a link (its text is the argument), reading one (its text is
  # the result), the runner's own execve, and openat2 with
  # RESOLVE_BENEATH, where the kernel refuses the step out.
  for res in openat2 portable; do
    e="$tmp/byname-$res"
    escape_setup "$e"
    env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" WASMC_WASI_RESOLVER=$res \
      strace -f -qq -o "$e/trace" -e trace=%file,openat2 \
      "$RUN" "$DIR/escape.so" --dir "$e/box::/box" -- "$e/outside" $(forbidden "$e") >/dev/null 2>&1
    host_check "escape_no_outside_names_$res" "" \
      sh -c 'grep -F -e "\"$1/outside" -e "\"/etc/passwd" -e "\"/nonexistent" -e "\"../outside" "$1/trace" |
        grep -Ev "^[0-9]+ +((symlinkat|readlinkat|execve)\(|openat2\(.*RESOLVE_BENEATH)"' sh "$e"
  done
fi

finish
