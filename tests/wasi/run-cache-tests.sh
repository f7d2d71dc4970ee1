#!/bin/sh
# run-cache-tests.sh WASMC DIR HELLO_WASM: `wasmc run` and its compile
# cache, with a private XDG_CACHE_HOME. The first run compiles and stores
# an entry, the second reuses it (entry untouched); stdout and exit codes
# match the `wasmc build` executable's; a corrupted (flipped byte),
# truncated or foreign entry is reported, recompiled and the right output
# given; concurrent runs of a fresh module all succeed and leave one good
# entry; a cache directory writable by others is not used. Prints "N passed, N failed"; exits non-zero when anything failed.
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

echo "$pass passed, $fail failed"
[ $fail = 0 ]
