#!/bin/sh
# run-cache-tests.sh WASMC DIR HELLO_WASM: `wasmc run` and its compile
# cache, with a private XDG_CACHE_HOME. The first run compiles and stores
# an entry, the second reuses it (entry untouched); stdout and exit codes
# match the `wasmc build` executable's; a corrupted (flipped byte),
# truncated or foreign entry is reported, recompiled and the right output
# given; concurrent runs of a fresh module all succeed and leave one good
# entry; a cache directory writable by others is not used. Sections 1-4
# pin one foreground compile per miss (WASMC_RUN_WAIT=1, as --wait);
# section 5 checks the default: a quick -O0 compile runs at once while one
# background process makes the optimised entry, used from then on; a
# cached run does not map libLLVM. Prints "N passed, N failed"; exits
# non-zero when anything failed.
WASMC=$1
DIR=$2
HELLO=$3
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
CACHE=$XDG_CACHE_HOME/wasmc
WASMC_RUN_WAIT=1
export WASMC_RUN_WAIT

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$tmp/err" ] && sed 's/^/  stderr: /' "$tmp/err"; }

# same NAME WANT_ERR_PATTERN EXE_CMD... ::: RUN_CMD...: stdout and exit
# code of the built executable and of `wasmc run` are equal; run's stderr
# matches the pattern (empty: anything).
same() {
  name=$1 pat=$2
  shift 2
  exe=""
  while [ "$1" != ":::" ]; do exe="$exe \"$1\""; shift; done
  shift
  eval "$exe" </dev/null >"$tmp/exe.out" 2>/dev/null
  erc=$?
  "$WASMC" run "$@" </dev/null >"$tmp/run.out" 2>"$tmp/err"
  rrc=$?
  # (examples/hello prints the time: that line may differ)
  if [ "$erc" = "$rrc" ] &&
     [ "$(grep -v 'seconds since' "$tmp/exe.out")" = "$(grep -v 'seconds since' "$tmp/run.out")" ] &&
     { [ -z "$pat" ] || grep -Eq -e "$pat" "$tmp/err"; }; then
    ok "$name (exit $rrc)"
  else
    bad "$name: exe exit $erc, run exit $rrc"
    diff "$tmp/exe.out" "$tmp/run.out" | head -5
  fi
}

entries() { ls "$CACHE" 2>/dev/null | grep -c '\.wasmc$'; }

# 1. First run compiles and stores; second run hits, entry unchanged.
"$WASMC" build "$HELLO" -o "$tmp/hello" 2>"$tmp/err" || bad build_hello
"$WASMC" run -v "$HELLO" >"$tmp/out1" 2>"$tmp/err"
if [ $? = 0 ] && grep -q 'cache miss' "$tmp/err" && [ "$(entries)" = 1 ]; then
  ok first_run_stores
else
  bad first_run_stores
fi
entry=$(ls "$CACHE"/*.wasmc | head -1)
cp "$entry" "$tmp/entry.good"
sleep 1 # so that a rewrite would change the mtime
m1=$(stat -c %Y.%i "$entry")
"$WASMC" run -v "$HELLO" >"$tmp/out2" 2>"$tmp/err"
if [ $? = 0 ] && grep -q 'cache hit' "$tmp/err" && [ "$(stat -c %Y.%i "$entry")" = "$m1" ] &&
   [ "$(grep -v 'seconds since' "$tmp/out1")" = "$(grep -v 'seconds since' "$tmp/out2")" ]; then
  ok second_run_hits
else
  bad second_run_hits
fi
# A different option is a different key.
"$WASMC" run -v -O0 "$HELLO" >/dev/null 2>"$tmp/err"
if grep -q 'cache miss' "$tmp/err" && [ "$(entries)" = 2 ]; then ok option_in_key; else bad option_in_key; fi

# 2. Same output and exit codes as `wasmc build`.
same hello "" "$tmp/hello" ::: "$HELLO"
for p in exit_code args_env trap; do
  [ -f "$DIR/$p.wasm" ] && "$WASMC" build "$DIR/$p.wasm" -o "$tmp/$p" 2>"$tmp/err" || bad "build_$p"
done
same exit_3 "" "$tmp/exit_code" -- exit 3 ::: "$DIR/exit_code.wasm" -- exit 3
same return_7 "" "$tmp/exit_code" -- return 7 ::: "$DIR/exit_code.wasm" -- return 7
same args_env "" "$tmp/args_env" --env A=1 --env B=x=y -- one "two words" --env \
  ::: --env A=1 "$DIR/args_env.wasm" --env B=x=y -- one "two words" --env
same dir_grant "" "$tmp/args_env" --dir "$tmp::/sandbox" -- x ::: --dir "$tmp::/sandbox" "$DIR/args_env.wasm" -- x
same bad_dir "nonexistent" "$tmp/args_env" --dir "$tmp/nonexistent" -- ::: "$DIR/args_env.wasm" --dir "$tmp/nonexistent"
# (trap.wasm comes from trap.wat by wat2wasm: a missing one fails here.)
same trap 'trap: unreachable in function \$boom' "$tmp/trap" ::: "$DIR/trap.wasm"
same trap_cached 'trap: unreachable in function \$boom' "$tmp/trap" ::: "$DIR/trap.wasm"
# --gc-heap-limit: gc_grow.wat keeps about 8.5 MiB alive; 4 MiB is too
# little ("out of memory", 134), 64 MiB enough; a bad SIZE exits 2.
GC_WAT=$(cd "$(dirname "$0")" && pwd)/gc_grow.wat
"$WASMC" build "$GC_WAT" -o "$tmp/gc_grow" 2>"$tmp/err" || bad build_gc_grow
same gc_limit_4M '^wasmc: trap: out of memory' "$tmp/gc_grow" --gc-heap-limit 4M -- \
  ::: --gc-heap-limit 4M "$GC_WAT"
same gc_limit_64M '' "$tmp/gc_grow" --gc-heap-limit 64M -- ::: "$GC_WAT" --gc-heap-limit=64M
same gc_limit_default '' "$tmp/gc_grow" ::: "$GC_WAT"
same gc_limit_bad "^wasmc: --gc-heap-limit '-1': expected a number of bytes" \
  "$tmp/gc_grow" --gc-heap-limit -1 -- ::: --gc-heap-limit -1 "$GC_WAT"
same gc_limit_zero "^wasmc: --gc-heap-limit '0G': must be more than 0" \
  "$tmp/gc_grow" --gc-heap-limit 0G -- ::: --gc-heap-limit 0G "$GC_WAT"

# 3. Damaged entries are detected, recompiled, and the output is right.
# damage NAME CMD: apply CMD to the hello entry, then run: the damage is
# reported, the output is right, and the rewritten entry is then used.
damage() {
  name=$1
  shift
  cp "$tmp/entry.good" "$entry"
  eval "$@"
  "$WASMC" run -v "$HELLO" >"$tmp/out3" 2>"$tmp/err"
  rc=$?
  if [ $rc = 0 ] && [ "$(grep -v 'seconds since' "$tmp/out1")" = "$(grep -v 'seconds since' "$tmp/out3")" ] && grep -q 'rejected' "$tmp/err" &&
     grep -q 'cache miss' "$tmp/err" &&
     "$WASMC" run -v "$HELLO" 2>&1 >/dev/null | grep -q 'cache hit'; then
    ok "$name"
  else
    bad "$name (exit $rc)"
  fi
}
size=$(stat -c %s "$entry")
flip() { # flip one byte at offset $1
  b=$(od -An -tu1 -j "$1" -N1 "$entry" | tr -d ' ')
  printf "$(printf '\\%03o' $(( (b ^ 255) & 255 )))" |
    dd of="$entry" bs=1 seek="$1" conv=notrunc 2>/dev/null
}
damage corrupt_payload_middle "flip $((size / 2))"
damage corrupt_payload_end "flip $((size - 1))"
damage corrupt_magic "flip 0"
damage corrupt_key "flip 20"
damage corrupt_size "flip 50"
damage truncated "truncate -s $((size - 100)) '$entry'"
damage truncated_header "truncate -s 40 '$entry'"
damage empty "truncate -s 0 '$entry'"
damage extended "printf xx >>'$entry'"
# A foreign entry: another module's entry renamed to this key.
other=$(ls "$CACHE"/*.wasmc | grep -v "$entry" | head -1)
damage foreign "cp '$other' '$entry'"

# 4. Concurrent runs of a fresh module all succeed, one good entry.
rm -rf "$CACHE"
i=0
while [ $i -lt 4 ]; do
  ("$WASMC" run "$DIR/exit_code.wasm" -- return 5 >"$tmp/c$i.out" 2>"$tmp/c$i.err"
   echo $? >"$tmp/c$i.rc") &
  i=$((i + 1))
done
wait
allok=1
i=0
while [ $i -lt 4 ]; do
  [ "$(cat "$tmp/c$i.out")" = "returning 5" ] || allok=0
  [ "$(cat "$tmp/c$i.rc")" = 5 ] || allok=0
  [ -s "$tmp/c$i.err" ] && allok=0
  i=$((i + 1))
done
"$WASMC" run -v "$DIR/exit_code.wasm" -- return 5 >"$tmp/out4" 2>"$tmp/err"
rc=$?
if [ $allok = 1 ] && [ $rc = 5 ] && grep -q 'cache hit' "$tmp/err" && [ "$(entries)" = 1 ] &&
   [ -z "$(ls "$CACHE" | grep -v '\.wasmc$')" ]; then
  ok concurrent_runs
else
  bad concurrent_runs
  cat "$tmp"/c*.err
fi

# A cache directory others can write to is not used (an entry planted
# there would be run): the run still works, compiled afresh, and nothing
# is stored there.
mkdir -p "$tmp/shared/wasmc"
chmod 777 "$tmp/shared/wasmc"
XDG_CACHE_HOME=$tmp/shared "$WASMC" run "$DIR/exit_code.wasm" -- return 4 >"$tmp/out5" 2>"$tmp/err"
rc=$?
if [ $rc = 4 ] && grep -q 'not using the compile cache: .*writable by other users' "$tmp/err" &&
   [ -z "$(ls "$tmp/shared/wasmc")" ]; then
  ok untrusted_cache_dir
else
  bad untrusted_cache_dir
fi

# 5. The default: quick compile now, optimised entry in the background.
unset WASMC_RUN_WAIT
rm -rf "$CACHE"
# wait_opt: up to 120 s for no .lock left (the background compile ended)
wait_bg() {
  n=0
  while ls "$CACHE" 2>/dev/null | grep -q '\.lock$' && [ $n -lt 1200 ]; do
    sleep 0.1
    n=$((n + 1))
  done
}
"$WASMC" run -v "$HELLO" >"$tmp/q1" 2>"$tmp/err"
rc=$?
if [ $rc = 0 ] && grep -q 'cache miss: compiled quickly (-O0)' "$tmp/err" &&
   grep -q 'compiling the optimised (-O2) version in the background' "$tmp/err" &&
   [ "$(grep -v 'seconds since' "$tmp/out1")" = "$(grep -v 'seconds since' "$tmp/q1")" ]; then
  ok quick_first_run
else
  bad quick_first_run
fi
wait_bg
if [ "$(entries)" = 2 ] && [ -z "$(ls "$CACHE" | grep -v '\.wasmc$')" ]; then
  ok background_entry_appears
else
  bad background_entry_appears
  ls -la "$CACHE"
fi
"$WASMC" run -v "$HELLO" >"$tmp/q2" 2>"$tmp/err"
if [ $? = 0 ] && grep -q 'cache hit: /' "$tmp/err" && ! grep -q 'quick\|background' "$tmp/err" &&
   [ "$(grep -v 'seconds since' "$tmp/out1")" = "$(grep -v 'seconds since' "$tmp/q2")" ]; then
  ok second_run_optimised
else
  bad second_run_optimised
fi
# The -O0 entry is -O0's own: `run -O0` hits it.
"$WASMC" run -v -O0 "$HELLO" >/dev/null 2>"$tmp/err"
if grep -q 'cache hit: /' "$tmp/err" && [ "$(entries)" = 2 ]; then ok quick_is_O0_entry; else bad quick_is_O0_entry; fi

# --wait: the optimised compile in the foreground, nothing in the background.
rm -rf "$CACHE"
"$WASMC" run -v --wait "$DIR/exit_code.wasm" -- return 6 >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc = 6 ] && grep -q 'cache miss: compiled and stored' "$tmp/err" && [ "$(entries)" = 1 ] &&
   [ -z "$(ls "$CACHE" | grep -v '\.wasmc$')" ]; then
  ok wait_foreground
else
  bad wait_foreground
fi
opt_entry=$(ls "$CACHE"/*.wasmc)
lock=${opt_entry%.wasmc}.lock
# --quick: the quick entry only.
"$WASMC" run -v --quick "$DIR/args_env.wasm" -- x >/dev/null 2>"$tmp/err"
if [ $? = 0 ] && grep -q 'compiled quickly' "$tmp/err" && ! grep -q background "$tmp/err" &&
   [ "$(entries)" = 2 ] && [ -z "$(ls "$CACHE" | grep -v '\.wasmc$')" ]; then
  ok quick_only
else
  bad quick_only
fi
"$WASMC" run --wait --quick "$HELLO" >/dev/null 2>"$tmp/err"
if [ $? = 2 ] && grep -q 'exclude each other' "$tmp/err"; then ok wait_quick_exclusive; else bad wait_quick_exclusive; fi

# A held lock (a background compile running) starts no second one: the
# run uses the quick entry and the optimised entry is not written.
rm -f "$opt_entry"
"$WASMC" run --quick "$DIR/exit_code.wasm" -- return 6 >/dev/null 2>&1
flock -n "$lock" sleep 30 &
holder=$!
sleep 0.3
"$WASMC" run -v "$DIR/exit_code.wasm" -- return 6 >/dev/null 2>"$tmp/err"
rc=$?
sleep 1
if [ $rc = 6 ] && grep -q 'cache hit: the quick' "$tmp/err" && grep -q 'already running' "$tmp/err" &&
   [ ! -e "$opt_entry" ]; then
  ok lock_held_no_second_compile
else
  bad lock_held_no_second_compile
fi
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# Concurrent first runs of a fresh module: one background compile.
rm -rf "$CACHE"
i=0
while [ $i -lt 4 ]; do
  ("$WASMC" run -v "$DIR/exit_code.wasm" -- return 5 >"$tmp/c$i.out" 2>"$tmp/c$i.err"
   echo $? >"$tmp/c$i.rc") &
  i=$((i + 1))
done
wait
wait_bg
allok=1
i=0
while [ $i -lt 4 ]; do
  [ "$(cat "$tmp/c$i.out")" = "returning 5" ] && [ "$(cat "$tmp/c$i.rc")" = 5 ] || allok=0
  i=$((i + 1))
done
started=$(cat "$tmp"/c*.err | grep -c 'version in the background')
if [ $allok = 1 ] && [ "$started" = 1 ] && [ "$(entries)" = 2 ] &&
   [ -z "$(ls "$CACHE" | grep -v '\.wasmc$')" ]; then
  ok concurrent_one_background
else
  bad "concurrent_one_background ($started started)"
  cat "$tmp"/c*.err
fi

# A killed background compile leaves no entry, no lock holder, only
# temporary files (removed by a later compile once an hour old); the
# next run works and makes the entry.
rm -rf "$CACHE"
"$WASMC" run -v "$DIR/escape.wasm" </dev/null >/dev/null 2>"$tmp/err"
bg_entry=$(sed -n 's/.*version in the background into //p' "$tmp/err")
bg_pid=$(cat "${bg_entry%.wasmc}.lock" 2>/dev/null)
killed=0
if [ -n "$bg_pid" ] && kill -9 "$bg_pid" 2>/dev/null; then killed=1; fi
sleep 0.5
if [ $killed = 1 ] && [ ! -e "$bg_entry" ] && [ "$(entries)" = 1 ]; then
  ok killed_background_no_entry
elif [ $killed = 0 ] && [ -e "$bg_entry" ]; then
  echo "SKIPPED: killed_background_no_entry: the background compile ended before the kill"
else
  bad "killed_background_no_entry (pid '$bg_pid', killed $killed)"
  ls -la "$CACHE"
fi
touch -d '2 hours ago' "$CACHE/old.wasmc.tmp-abcdef.so"
"$WASMC" run -v "$DIR/escape.wasm" </dev/null >/dev/null 2>"$tmp/err"
rc=$?
wait_bg
if grep -q 'cache hit: the quick' "$tmp/err" && [ -e "$bg_entry" ] && [ "$(entries)" = 2 ] &&
   [ ! -e "$CACHE/old.wasmc.tmp-abcdef.so" ] &&
   [ -z "$(ls "$CACHE" | grep -v '\.wasmc$' | grep -v '\.wasmc\.tmp-')" ]; then
  ok after_kill_next_run_compiles
else
  bad "after_kill_next_run_compiles (exit $rc)"
  ls -la "$CACHE"
fi

# A module rewritten while its background compile runs (a rebuild) is
# not stored under the old module's key.
rm -rf "$CACHE"
cp "$DIR/escape.wasm" "$tmp/m.wasm"
"$WASMC" run -v "$tmp/m.wasm" </dev/null >/dev/null 2>"$tmp/err"
cp "$DIR/exit_code.wasm" "$tmp/m.wasm.new" && mv "$tmp/m.wasm.new" "$tmp/m.wasm"
bg_entry=$(sed -n 's/.*version in the background into //p' "$tmp/err")
wait_bg
if [ -n "$bg_entry" ] && [ ! -e "$bg_entry" ] && [ "$(entries)" = 1 ]; then
  ok rewritten_module_not_stored
elif [ -e "$bg_entry" ]; then
  echo "SKIPPED: rewritten_module_not_stored: the background compile ended before the rewrite"
else
  bad rewritten_module_not_stored
fi

# A cached run does not map libLLVM (nor wasmc's code generator): a
# program blocked reading stdin, its maps inspected.
"$WASMC" run "$DIR/stdin.wasm" </dev/null >/dev/null 2>&1
wait_bg
mkfifo "$tmp/fifo"
"$WASMC" run "$DIR/stdin.wasm" <"$tmp/fifo" >/dev/null 2>&1 &
runpid=$!
exec 9>"$tmp/fifo"
n=0
while ! grep -q 'libwasmrt' "/proc/$runpid/maps" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.2
if readelf -d "$WASMC" | grep -q 'NEEDED.*libwasmc_llvm'; then
  # sanitized builds link it (compiler/CMakeLists.txt): not counted
  echo "NOTE cached_run_no_libllvm not checked: this (sanitized) wasmc links libwasmc_llvm.so"
elif grep -q 'libwasmrt' "/proc/$runpid/maps" && ! grep -qi 'libLLVM\|libwasmc_llvm' "/proc/$runpid/maps"; then
  ok cached_run_no_libllvm
else
  bad cached_run_no_libllvm
  grep -i 'llvm' "/proc/$runpid/maps" | head -3
fi
exec 9>&-
wait "$runpid"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
