;; memories.wast: wasmc's own tests of multiple memories, memory64 and
;; table64 at the edges of how wasmc implements them: each memory's base
;; loaded once per function (compiler/lower_memory.c), the explicit bounds
;; checks of 64-bit memories (an add with carry), their reservation cap
;; (WASMRT_MEMORY64_RESERVATION = 8 GiB: grow fails beyond it), and the
;; 64-bit operands of the runtime's bulk helpers.

;; Bases loaded once per function stay right after memory.grow of the same
;; memory (in this function or a callee): memories grow in place.
(module
  (memory $a 1 4)
  (memory $b 1 4)
  (func $grow_b (result i32) (memory.grow $b (i32.const 1)))
  (func (export "store_grow_load") (result i32)
    (i32.store $b (i32.const 65532) (i32.const 7))
    (drop (call $grow_b))
    (i32.store $b (i32.const 65536) (i32.const 35))
    (drop (memory.grow $b (i32.const 1)))
    (i32.store $b (i32.const 131072) (i32.const 100))
    (i32.add (i32.add (i32.load $b (i32.const 65532))
                      (i32.load $b (i32.const 65536)))
             (i32.load $b (i32.const 131072))))
  (func (export "size_b") (result i32) (memory.size $b))
  (func (export "load_a_past_b") (result i32)
    ;; memory a did not grow: its second page faults in its own guard region
    (i32.load $a (i32.const 65536)))
  ;; copy between the two memories, both directions
  (func (export "copy") (param i32 i32 i32)
    (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "load_a") (param i32) (result i32) (i32.load $a (local.get 0)))
)
(assert_return (invoke "store_grow_load") (i32.const 142))
(assert_return (invoke "size_b") (i32.const 3))
(assert_trap (invoke "load_a_past_b") "out of bounds memory access")
(invoke "copy" (i32.const 16) (i32.const 131072) (i32.const 4))
(assert_return (invoke "load_a" (i32.const 16)) (i32.const 100))
(assert_trap (invoke "copy" (i32.const 65535) (i32.const 0) (i32.const 2))
             "out of bounds memory access")
(assert_trap (invoke "copy" (i32.const 0) (i32.const 196605) (i32.const 4))
             "out of bounds memory access")

;; memory64: offsets and indices near 2^64 must trap, never wrap.
(module
  (memory i64 1)
  (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
  (func (export "load_off") (param i64) (result i32)
    (i32.load offset=0xFFFF_FFFF_FFFF_FFF0 (local.get 0)))
  (func (export "load_max_off") (param i64) (result i32)
    (i32.load offset=0xFFFF_FFFF_FFFF_FFFF (local.get 0)))
  (func (export "store8") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
  (func (export "v128_load") (param i64) (result v128) (v128.load (local.get 0)))
  (func (export "size") (result i64) (memory.size))
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "fill") (param i64 i32 i64)
    (memory.fill (local.get 0) (local.get 1) (local.get 2)))
)
(assert_return (invoke "load" (i64.const 65532)) (i32.const 0))
(assert_trap (invoke "load" (i64.const 65533)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const -1)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const -4)) "out of bounds memory access")
(assert_trap (invoke "load" (i64.const 0x1_0000_0000)) "out of bounds memory access")
;; index + offset wraps to a small address in 64 bits: the carry traps
(assert_trap (invoke "load_off" (i64.const 0x10)) "out of bounds memory access")
(assert_trap (invoke "load_off" (i64.const 0x20)) "out of bounds memory access")
(assert_trap (invoke "load_max_off" (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "v128_load" (i64.const 65521)) "out of bounds memory access")
(invoke "store8" (i64.const 65535) (i32.const 0xAB))
(assert_return (invoke "load8" (i64.const 65535)) (i32.const 0xAB))
;; grow: 8 GiB (131072 pages) is the most a 64-bit memory reserves
(assert_return (invoke "grow" (i64.const 0)) (i64.const 1))
(assert_return (invoke "grow" (i64.const 131072)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 0x1_0000_0000_0000)) (i64.const -1))
(assert_return (invoke "grow" (i64.const -1)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 1)) (i64.const 1))
(assert_return (invoke "size") (i64.const 2))
(assert_return (invoke "load" (i64.const 131068)) (i32.const 0))
;; bulk operations with 64-bit sizes that would wrap
(assert_trap (invoke "fill" (i64.const 1) (i32.const 0) (i64.const -1))
             "out of bounds memory access")
(assert_trap (invoke "fill" (i64.const -1) (i32.const 0) (i64.const 2))
             "out of bounds memory access")
(invoke "fill" (i64.const 131071) (i32.const 5) (i64.const 1))
(assert_return (invoke "load8" (i64.const 131071)) (i32.const 5))

;; A 64-bit memory whose maximum is beyond the reservation still works up
;; to it; its minimum must fit.
(module
  (memory i64 2 0x1_0000_0000_0000)
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
)
(assert_return (invoke "grow" (i64.const 131070)) (i64.const 2))
(assert_return (invoke "grow" (i64.const 1)) (i64.const -1))

;; Data segments at i64 offsets: in bounds, and out of bounds at
;; instantiation (nothing is written).
(module
  (memory $m i64 1)
  (data (i64.const 65534) "\01\02")
  (func (export "load16") (param i64) (result i32) (i32.load16_u (local.get 0)))
)
(assert_return (invoke "load16" (i64.const 65534)) (i32.const 0x0201))
(assert_trap
  (module (memory i64 1) (data (i64.const 0xFFFF_FFFF_FFFF_FFFF) "\01\02"))
  "out of bounds memory access")

;; table64: indices past 2^32 and near 2^64 trap; grow and fill take i64.
(module
  (type $t (func (result i32)))
  (table $t64 i64 3 funcref)
  (table $t32 3 funcref)
  (func $f (result i32) (i32.const 42))
  (elem (table $t64) (i64.const 1) func $f)
  (func (export "call") (param i64) (result i32)
    (call_indirect $t64 (type $t) (local.get 0)))
  (func (export "is_null") (param i64) (result i32)
    (ref.is_null (table.get $t64 (local.get 0))))
  (func (export "grow") (param i64) (result i64)
    (table.grow $t64 (ref.null func) (local.get 0)))
  (func (export "size") (result i64) (table.size $t64))
  (func (export "fill") (param i64 i64)
    (table.fill $t64 (local.get 0) (ref.func $f) (local.get 1)))
  ;; 64 -> 32: the count is an i32
  (func (export "copy_to_32") (param i64 i32 i32)
    (table.copy $t32 $t64 (local.get 1) (local.get 0) (local.get 2)))
  (func (export "call32") (param i32) (result i32)
    (call_indirect $t32 (type $t) (local.get 0)))
)
(assert_return (invoke "call" (i64.const 1)) (i32.const 42))
(assert_trap (invoke "call" (i64.const 0)) "uninitialized element")
(assert_trap (invoke "call" (i64.const 0x1_0000_0001)) "undefined element")
(assert_trap (invoke "call" (i64.const -1)) "undefined element")
(assert_trap (invoke "is_null" (i64.const 0x1_0000_0000)) "out of bounds table access")
(assert_return (invoke "grow" (i64.const 0x1_0000_0000)) (i64.const -1))
(assert_return (invoke "grow" (i64.const -1)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 2)) (i64.const 3))
(assert_return (invoke "size") (i64.const 5))
(assert_trap (invoke "fill" (i64.const 1) (i64.const -1)) "out of bounds table access")
(invoke "fill" (i64.const 3) (i64.const 2))
(assert_return (invoke "call" (i64.const 4)) (i32.const 42))
(invoke "copy_to_32" (i64.const 3) (i32.const 0) (i32.const 2))
(assert_return (invoke "call32" (i32.const 1)) (i32.const 42))
(assert_trap (invoke "copy_to_32" (i64.const 4) (i32.const 0) (i32.const 2))
             "out of bounds table access")
