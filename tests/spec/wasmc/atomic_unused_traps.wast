;; wasmc's own spec-format tests: an out-of-bounds atomic read-modify-write
;; or compare-exchange traps even when it changes nothing and its result
;; is dropped. LLVM rewrites such an "idempotent" RMW (add 0, sub 0, or 0,
;; xor 0, and -1) to `or 0`, which the x86 back end used to turn into a
;; fence on the stack, with no memory access left to fault on (found by
;; scripts/difffuzz, seed 1 module 17: i32.atomic.rmw8.add of a value
;; whose low byte is 0). Each export is one such access; each must trap at
;; every optimisation level, on shared and unshared memories. The in-bounds
;; calls check that the functions still work.
(module
  (memory 1 1 shared)
  (func (export "rmw8-add-wrapped") (param i32) (result i32)
    (drop (i32.atomic.rmw8.add_u offset=22 (local.get 0) (i32.const -2147483648)))
    (i32.const 511))
  (func (export "rmw-add-0") (param i32)
    (drop (i32.atomic.rmw.add (local.get 0) (i32.const 0))))
  (func (export "rmw-sub-0") (param i32)
    (drop (i64.atomic.rmw.sub (local.get 0) (i64.const 0))))
  (func (export "rmw-or-0") (param i32)
    (drop (i32.atomic.rmw16.or_u (local.get 0) (i32.const 0))))
  (func (export "rmw-xor-0") (param i32)
    (drop (i64.atomic.rmw32.xor_u (local.get 0) (i64.const 0))))
  (func (export "rmw-and-ones") (param i32)
    (drop (i32.atomic.rmw.and (local.get 0) (i32.const -1))))
  (func (export "cmpxchg-same") (param i32)
    (drop (i32.atomic.rmw.cmpxchg (local.get 0) (i32.const 5) (i32.const 5))))
  (func (export "cmpxchg-never") (param i32)
    (drop (i64.atomic.rmw.cmpxchg (local.get 0) (i64.const 1) (i64.const 1))))
)
(assert_trap (invoke "rmw8-add-wrapped" (i32.const -127)) "out of bounds memory access")
(assert_return (invoke "rmw8-add-wrapped" (i32.const 0)) (i32.const 511))
(assert_trap (invoke "rmw-add-0" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "rmw-add-0" (i32.const -4)) "out of bounds memory access")
(assert_return (invoke "rmw-add-0" (i32.const 65532)))
(assert_trap (invoke "rmw-sub-0" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "rmw-sub-0" (i32.const 65528)))
(assert_trap (invoke "rmw-or-0" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "rmw-or-0" (i32.const 65534)))
(assert_trap (invoke "rmw-xor-0" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "rmw-xor-0" (i32.const 65532)))
(assert_trap (invoke "rmw-and-ones" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "rmw-and-ones" (i32.const 65532)))
(assert_trap (invoke "cmpxchg-same" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "cmpxchg-same" (i32.const 0)))
(assert_trap (invoke "cmpxchg-never" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "cmpxchg-never" (i32.const 8)))

(module
  (memory 1)
  (func (export "rmw-add-0") (param i32)
    (drop (i32.atomic.rmw.add (local.get 0) (i32.const 0))))
  (func (export "rmw8-or-0") (param i32)
    (drop (i32.atomic.rmw8.or_u (local.get 0) (i32.const 256))))
)
(assert_trap (invoke "rmw-add-0" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "rmw-add-0" (i32.const 0)))
(assert_trap (invoke "rmw8-or-0" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "rmw8-or-0" (i32.const 65535)))

;; memory.atomic.notify and wait do not access the memory from generated
;; code (notify uses the address as a key only), so an out-of-bounds
;; address must be caught before the runtime is called (found by
;; scripts/difffuzz, seed 1 module 23: notify at 0x80000004 returned).
;; Out of bounds comes before "expected shared memory" on an unshared
;; memory, as the spec orders the checks.
(module
  (memory 1 1 shared)
  (func (export "notify") (param i32) (result i32)
    (memory.atomic.notify offset=4 (local.get 0) (i32.const -588428)))
  (func (export "wait32") (param i32) (result i32)
    (memory.atomic.wait32 (local.get 0) (i32.const 1) (i64.const 0)))
  (func (export "wait64") (param i32) (result i32)
    (memory.atomic.wait64 (local.get 0) (i64.const 1) (i64.const 0)))
)
(assert_trap (invoke "notify" (i32.const -2147483648)) "out of bounds memory access")
(assert_trap (invoke "notify" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "notify" (i32.const 65528)) (i32.const 0))
(assert_trap (invoke "wait32" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "wait32" (i32.const -4)) "out of bounds memory access")
(assert_return (invoke "wait32" (i32.const 65532)) (i32.const 1))
(assert_trap (invoke "wait64" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "wait64" (i32.const 65528)) (i32.const 1))

(module
  (memory 1)
  (func (export "notify") (param i32) (result i32)
    (memory.atomic.notify (local.get 0) (i32.const 1)))
  (func (export "wait32") (param i32) (result i32)
    (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0)))
)
(assert_trap (invoke "notify" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "notify" (i32.const 0)) (i32.const 0))
(assert_trap (invoke "wait32" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "wait32" (i32.const 0)) "expected shared memory")
