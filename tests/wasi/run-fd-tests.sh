#!/bin/bash
# run-fd-tests.sh WASI_RUN DIR: the fd_* / poll_oneoff / sock_* /
# proc_raise programs (DIR/{fdcalls,poll,sock,raise}.so). bash, not sh:
# the socket client is bash's /dev/tcp. Prints "N passed, N failed";
# exits non-zero when anything failed.
RUN=$1
DIR=$2
. "$(dirname "$0")/check.sh"

# ---- fdcalls: fd 0 a read-write file, fd 3 a directory of 202 entries
# (with . and ..: 203 with sub), fds 4 and 5 two more preopens.
mkdir -p "$tmp/big/sub" "$tmp/a" "$tmp/b"
for i in $(seq -f %03g 0 199); do : >"$tmp/big/f$i"; done
printf 0123456789 >"$tmp/file"
want="fdstat(0): 0 type=4 read=1 write=1 seek=1 readdir=0
fdstat(3): 0 type=3 readdir=1 read=0
pread(2,4): 0 n=4 '2345' tell=0
pwrite(8): 0 -> '01234567AB' tell=0
pread past end: 0 n=0
pwrite on a pipe: 70
pread huge offset: 28
read: 0 '012', seek(0,CUR): 0 pos=3
seek on a dir: 8, read on a dir: 8
filestat: type=4 size=10 nlink=1 ino!=0:1
set_size(4): 0 size=4
set_size(6): 0 size=6 tail zero=1
set_size huge: 28
set_times: 0 atim ok=1 mtim ok=1
set_times ATIM+ATIM_NOW: 28
set_times MTIM+MTIM_NOW: 28
set_times bad flag: 28
set_times MTIM_NOW: 0 atim kept=1 mtim now=1
advise 0..5: 0, bad advice: 28
allocate(0,100): 0 size=100
allocate huge: 28, overflow: 22
datasync: 0, sync: 0, sync dir: 0
set_flags APPEND: 0 flags=1 size=101 last=Z
set_flags 0: 0 flags=0, SYNC: 28, NONBLOCK: 0
nonblock flag: 4
readdir(80 B): entries=203 all once=1 dots=2 sub=1 types=1
readdir cookie again: 0 same=1
readdir 10 B: 0 used=10
readdir past end: 0 used=0
readdir on a file: 54, bad fd: 8
readdir(4096 B): entries=203
renumber(5,4): 0 fd4=/b fd5: 8
renumber(4,4): 0, to closed: 8, from closed: 8
set_rights -WRITE: 0, write: 76, pwrite: 76, read: 0
set_rights +WRITE: 76
only READ: seek 76 tell 76 filestat 76 set_size 76 set_times 76 advise 76 allocate 76 datasync 76 sync 76 set_flags 76
dir without rights: readdir 76
close(0): 0, again: 8"
# stdin read-write (check.sh opens it read-only): reopen it inside.
check fdcalls 0 "$want" sh -c 'f=$1; shift; exec "$@" 0<>"$f"' sh "$tmp/file" \
  "$RUN" "$DIR/fdcalls.so" --dir "$tmp/big::/big" --dir "$tmp/a::/a" --dir "$tmp/b::/b" --
# The file as the calls left it: "0123" + zeroes up to 100 (set_size,
# allocate), then the appended "Z".
if [ "$(head -c 4 "$tmp/file")" = 0123 ] && [ "$(tail -c 1 "$tmp/file")" = Z ] &&
   [ "$(wc -c <"$tmp/file")" -eq 101 ] && [ "$(tail -c +5 "$tmp/file" | head -c 96 | tr -d '\0')" = "" ]; then
  pass=$((pass + 1)); echo "PASS fdcalls_file"
else
  fail=$((fail + 1)); echo "FAIL fdcalls_file:"; od -c "$tmp/file" | head
fi

# ---- poll_oneoff
check poll_sleep 0 "relative 200ms: 0 n=1 ud=7 type=0 err=0 time ok
realtime abstime +150ms: 0 n=1 time ok
monotonic abstime +100ms: 0 n=1 time ok
smallest of 5s/100ms/3s: 0 n=1 ud=2 time ok
usleep(120ms): time ok
bad fd + bad clock: 0 n=2 ev0 ud=2 err=8 ev1 ud=3 err=28 time ok
no subscriptions: 28
zero timeout: 0 n=1 ud=5
overlapping in/out: 0 n=2 ud=11,12" "$RUN" "$DIR/poll.so" -- sleep
# stdin is a pipe whose writer is late and writes in two pieces.
check poll_stdin 0 "stdin data: 0 n=1 ud=1 type=1 err=0
read 11 bytes
stdin eof: 0 n=1 ud=1 hangup=1 nbytes=0
stdout writable: 0 n=1 ud=3 type=2
no poll right: 0 n=1 ud=4 err=76" \
  sh -c '(sleep 0.3; printf hello; sleep 0.2; printf " world") | "$@"' sh "$RUN" "$DIR/poll.so" -- stdin

# ---- proc_raise: preview1 numbers; fatal ones exit with 128 + the host's.
WANT_ERR="terminated by wasi proc_raise\(SIGTERM\) \(exit code 143\)" \
  check raise_term 143 "raising 15" "$RUN" "$DIR/raise.so" -- 15
check raise_kill 137 "raising 9" "$RUN" "$DIR/raise.so" -- 9
check raise_abrt 134 "raising 6" "$RUN" "$DIR/raise.so" -- 6
check raise_usr1 138 "raising 10" "$RUN" "$DIR/raise.so" -- 10
for s in 16 17 18 19 22 27; do # CHLD CONT STOP TSTP URG WINCH
  check raise_ignored_$s 0 "raising $s${NL}returned 0" "$RUN" "$DIR/raise.so" -- $s
done
for s in 0 31 1000; do
  check raise_invalid_$s 0 "raising $s${NL}returned 28" "$RUN" "$DIR/raise.so" -- $s
done

# ---- sockets: --tcplisten, then bash connects to it.
WANT_ERR="--tcplisten 'nonsense': expected HOST:PORT" \
  check tcplisten_bad 2 "" "$RUN" "$DIR/hello.so" --tcplisten nonsense --
WANT_ERR="--tcplisten '127.0.0.1:notaport'" \
  check tcplisten_badport 2 "" "$RUN" "$DIR/hello.so" --tcplisten 127.0.0.1:notaport --

# A port nobody listens on (per /proc/net/tcp*), else a random one; a
# bind that still fails with "in use" (a race) moves to the next try.
port_in_use() {
  local hex
  hex=$(printf '%04X' "$1")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '{print $2}' | grep -qi ":$hex\$"
}
sock_out="$tmp/sock.out"
server=0 port=0
for try in $(seq 20); do
  port=$((20000 + RANDOM % 40000))
  port_in_use $port && continue
  # (timeout: a hung server must not hang the test)
  timeout 60 "$RUN" "$DIR/sock.so" --tcplisten 127.0.0.1:$port -- </dev/null >"$sock_out" 2>"$tmp/sock.err" &
  server=$!
  connected=0
  for i in $(seq 100); do
    kill -0 $server 2>/dev/null || break
    if exec 5<>/dev/tcp/127.0.0.1/$port; then connected=1; break; fi 2>/dev/null
    sleep 0.1
  done
  [ $connected = 1 ] && break
  wait $server
  grep -q "in use" "$tmp/sock.err" || break # a real failure: report it below
  server=0
done
if [ $connected = 1 ]; then
  printf 'hello sockets\n' >&5
  IFS= read -r -t 20 reply <&5
  rest=$(timeout 20 cat <&5) # EOF once the server shut down its side
  exec 5>&-
  exec 6<>/dev/tcp/127.0.0.1/$port && exec 6>&-
  wait $server
  rc=$?
  want="fd 3: 0 filetype=6 accept right=1
accept bad flags: 28
accept on a non-socket: 57
accept: 0 fd=4
conn: filetype=6 nonblock=0
peek: 0 n=3 'hel' roflags=0
received: 'hello sockets' roflags=0
recv bad flags: 28
send: 0 n=1
send bad flags: 28
send on a non-socket: 57, recv: 57, shutdown: 57
shutdown bad how: 28, 0: 28
shutdown WR: 0
recv after client closed: 0 n=0
close: 0
accept NONBLOCK: 0 nonblock=1
shutdown RD|WR: 0
nonblocking accept, nobody waiting: 6"
  if [ "$rc" = 0 ] && [ "$reply" = "echo: hello sockets" ] && [ -z "$rest" ] &&
     [ "$(cat "$sock_out")" = "$want" ]; then
    pass=$((pass + 1)); echo "PASS sock_echo (port $port)"
  else
    fail=$((fail + 1))
    echo "FAIL sock_echo (port $port): exit $rc, reply '$reply', rest '$rest'"
    echo "--- stdout:"; cat "$sock_out"; echo "--- want:"; echo "$want"
    echo "--- stderr:"; cat "$tmp/sock.err"
  fi
else
  fail=$((fail + 1))
  echo "FAIL sock_echo: could not start the server and connect"; cat "$tmp/sock.err"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
