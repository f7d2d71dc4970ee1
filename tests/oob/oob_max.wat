;; oob_max.wat: a memory with no declared maximum (so 65536 pages, 4 GiB,
;; by its type), starting empty, for tests/oob/oob_test.c: nothing is
;; accessible at size 0; the runtime grows it to at most 65535 pages
;; (WASMRT_MAX_MEMORY_PAGES), where the very last byte, index 2^32-65537,
;; is accessible (also as index 0 + offset 2^32-65537) and one byte
;; further traps, as does anything at offset 2^32-1; growing beyond 65535
;; pages returns -1.
(module
  (memory (export "mem") 0)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load8/off1") (param i32) (result i32)
    (i32.load8_u offset=1 (local.get 0)))
  (func (export "load8/max") (param i32) (result i32)
    (i32.load8_u offset=4294967295 (local.get 0)))
  (func (export "store8/max") (param i32 i32)
    (i32.store8 offset=4294967295 (local.get 0) (local.get 1)))
  (func (export "load8/top") (param i32) (result i32)
    (i32.load8_u offset=4294901759 (local.get 0)))
  (func (export "store8/top") (param i32 i32)
    (i32.store8 offset=4294901759 (local.get 0) (local.get 1)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "load128") (param i32) (result v128) (v128.load (local.get 0)))
  (func (export "store128") (param i32 v128) (v128.store (local.get 0) (local.get 1)))
)
