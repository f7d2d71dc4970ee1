;; gc_grow.wat: a WASI command that keeps a growing linked list alive in a
;; global, 8192 nodes each holding a 1 KiB array (about 8.5 MiB live), then
;; prints "kept 8192 nodes". Under --gc-heap-limit 4M it must trap "out of
;; memory"; under a larger limit (or the default, 1 GiB) it finishes.
;; wasmc reads the text format itself (build-tests.sh, run-cache-tests.sh).
(module
  (type $bytes (array (mut i8)))
  (type $node (struct (field $next (ref null $node)) (field $data (ref $bytes))))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; an iovec at 0 for the text at 16; nwritten at 8
  (data (i32.const 0) "\10\00\00\00\10\00\00\00")
  (data (i32.const 16) "kept 8192 nodes\n")
  (global $head (mut (ref null $node)) (ref.null $node))
  (func (export "_start")
    (local $i i32)
    (loop $grow
      (global.set $head
        (struct.new $node (global.get $head)
          (array.new_default $bytes (i32.const 1024))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $grow (i32.lt_u (local.get $i) (i32.const 8192))))
    ;; the list is still all there: walk it
    (local.set $i (i32.const 0))
    (block $end
      (loop $walk
        (br_if $end (ref.is_null (global.get $head)))
        (global.set $head (struct.get $node $next (global.get $head)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $walk)))
    (if (i32.ne (local.get $i) (i32.const 8192)) (then unreachable))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit (i32.const 0))))
