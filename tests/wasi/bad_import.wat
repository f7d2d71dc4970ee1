;; bad_import.wat: imports a name wasi_snapshot_preview1 does not have;
;; the shim must refuse it by name (test "unknown import").
(module
  (import "wasi_snapshot_preview1" "fd_frobnicate" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
