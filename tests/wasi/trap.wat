;; trap.wat: a WASI command that traps; the runner must report the trap
;; and exit with WASI_EXIT_TRAP (134).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (memory (export "memory") 1)
  (func $boom (export "_start") unreachable))
