;; addr_nowrap.wast: wasmc's own tests of i32 address arithmetic at the
;; edges, for compiler/addr_nowrap.c (an `add i32 x, C` after an access at
;; x is treated as not wrapping) and the runtime's memory cap
;; (WASMRT_MAX_MEMORY_PAGES = 65535: memory.grow refuses the 65536th page).

;; Wrapping adds with no access before them keep Wasm's wraparound.
(module
  (memory 1)
  (func (export "wrap_load") (param i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.const 8))))
  (func (export "wrap_store_load") (param i32) (param i32) (result i32)
    (i32.store (i32.add (local.get 0) (i32.const 16)) (local.get 1))
    (i32.load (i32.const 4)))
  ;; an access at x first: out of bounds, so it traps before the add
  (func (export "access_then_add") (param i32) (result i32)
    (drop (i32.load (local.get 0)))
    (i32.load (i32.add (local.get 0) (i32.const 8))))
  ;; a loop summing n words from p on, the way clang writes it
  (func (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $s))
  ;; the access dominates the add across an if
  (func (export "diamond") (param i32 i32) (result i32)
    (local.set 1 (i32.load (local.get 0)))
    (if (local.get 1) (then (i32.store (i32.const 0) (i32.const 1))))
    (i32.load (i32.add (local.get 0) (i32.const 4))))
  ;; the access is on one arm only: the add after the join may wrap
  (func (export "one_arm") (param i32 i32) (result i32)
    (if (local.get 1) (then (drop (i32.load (local.get 0)))))
    (i32.load (i32.add (local.get 0) (i32.const 8))))
  (func (export "fill") (param $p i32) (param $n i32) (param $v i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (i32.store (local.get $p) (local.get $v))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l))))
)
(assert_return (invoke "wrap_store_load" (i32.const 0xfffffff4) (i32.const 77)) (i32.const 77))
(assert_return (invoke "wrap_load" (i32.const 0xfffffffc)) (i32.const 77))
(assert_trap (invoke "access_then_add" (i32.const 0xfffffffc)) "out of bounds memory access")
(assert_return (invoke "access_then_add" (i32.const 0xfff0)) (i32.const 0))
(assert_return (invoke "access_then_add" (i32.const 0xfff4)) (i32.const 0))
(assert_trap (invoke "access_then_add" (i32.const 0xfffc)) "out of bounds memory access")
(assert_trap (invoke "diamond" (i32.const 0xfffc) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "diamond" (i32.const 0xfff8) (i32.const 0)) (i32.const 0))
(assert_return (invoke "one_arm" (i32.const 0xfffffffc) (i32.const 0)) (i32.const 77))
(assert_trap (invoke "one_arm" (i32.const 0xfffffffc) (i32.const 1)) "out of bounds memory access")
(invoke "fill" (i32.const 0) (i32.const 100) (i32.const 3))
(assert_return (invoke "sum" (i32.const 0) (i32.const 100)) (i32.const 300))
;; runs off the end of the 64 KiB memory: traps, never wraps to 0
(assert_trap (invoke "sum" (i32.const 65000) (i32.const 1000)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 65000) (i32.const 1000) (i32.const 1)) "out of bounds memory access")

;; Table lookups t + (b & 255) * 4, the way clang indexes a lookup table,
;; and loops whose pointer starts at t: an access at t before the lookup
;; makes the add non-wrapping; without one, Wasm's wraparound stays.
(module
  (memory 1)
  (func (export "lookup") (param $t i32) (param $b i32) (result i32)
    (i32.load (i32.add (local.get $t)
      (i32.shl (i32.and (local.get $b) (i32.const 255)) (i32.const 2)))))
  (func (export "byte_lookup") (param $t i32) (param $p i32) (result i32)
    (i32.load (i32.add (local.get $t)
      (i32.shl (i32.load8_u (local.get $p)) (i32.const 2)))))
  ;; fill n words from t on (a do-while: the first pass stores at t), then
  ;; look up entry b & 255 of t
  (func (export "fill_lookup") (param $t i32) (param $n i32) (param $b i32)
        (result i32) (local $p i32)
    (local.set $p (local.get $t))
    (loop $l
      (i32.store (local.get $p) (local.get $n))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.load (i32.add (local.get $t)
      (i32.shl (i32.and (local.get $b) (i32.const 255)) (i32.const 2)))))
  ;; the same loop as a while: it may not run, so it proves nothing of t
  (func (export "maybe_fill_lookup") (param $t i32) (param $n i32)
        (param $b i32) (result i32) (local $p i32)
    (local.set $p (local.get $t))
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (i32.store (local.get $p) (local.get $n))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (i32.load (i32.add (local.get $t)
      (i32.shl (i32.and (local.get $b) (i32.const 255)) (i32.const 2)))))
  ;; the loop's pointer starts at t or at t2: the first pass accessed one
  ;; of them, not t for sure
  (func (export "two_starts") (param $t i32) (param $t2 i32) (param $c i32)
        (param $b i32) (result i32) (local $p i32) (local $n i32)
    (local.set $p (select (local.get $t) (local.get $t2) (local.get $c)))
    (local.set $n (i32.const 2))
    (loop $l
      (drop (i32.load (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.load (i32.add (local.get $t)
      (i32.shl (i32.and (local.get $b) (i32.const 255)) (i32.const 2)))))
  (data (i32.const 16) "\07\00\00\00\09\00\00\00")
)
;; 0xfffffff0 + 4 * 5 wraps to 4, 0xfffffff0 + 4 * 8 to 16 (holding 7)
(assert_return (invoke "lookup" (i32.const 0xfffffff0) (i32.const 0x308)) (i32.const 7))
(assert_return (invoke "lookup" (i32.const 0) (i32.const 5)) (i32.const 9))
(assert_return (invoke "byte_lookup" (i32.const 0xfffffff4) (i32.const 16)) (i32.const 7))
(assert_return (invoke "fill_lookup" (i32.const 256) (i32.const 3) (i32.const 0x101)) (i32.const 2))
(assert_trap (invoke "fill_lookup" (i32.const 0xfffffff0) (i32.const 1) (i32.const 8)) "out of bounds memory access")
(assert_trap (invoke "fill_lookup" (i32.const 0xfffc) (i32.const 2) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "maybe_fill_lookup" (i32.const 0xfffffff0) (i32.const 0) (i32.const 8)) (i32.const 7))
(assert_trap (invoke "maybe_fill_lookup" (i32.const 0xfffffff0) (i32.const 1) (i32.const 8)) "out of bounds memory access")
(assert_return (invoke "two_starts" (i32.const 0xfffffff0) (i32.const 0) (i32.const 0) (i32.const 8)) (i32.const 7))
(assert_trap (invoke "two_starts" (i32.const 0xfffffff0) (i32.const 0) (i32.const 1) (i32.const 8)) "out of bounds memory access")

;; The top of the largest memory: 65535 pages, the last word at 0xfffefffc.
(module
  (memory 0)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $s))
)
(assert_return (invoke "grow" (i32.const 65536)) (i32.const -1))
(assert_return (invoke "grow" (i32.const 65535)) (i32.const 0))
(assert_return (invoke "size") (i32.const 65535))
(assert_return (invoke "grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke "size") (i32.const 65535))
(invoke "store" (i32.const 0xfffefffc) (i32.const 5))
(invoke "store" (i32.const 0xfffefff8) (i32.const 6))
(assert_return (invoke "load" (i32.const 0xfffefffc)) (i32.const 5))
(assert_trap (invoke "load" (i32.const 0xffff0000)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 0xfffefff8) (i32.const 2)) (i32.const 11))
;; p + 4 of the last word is 0xffff0000: out of bounds, not wrapped
(assert_trap (invoke "sum" (i32.const 0xfffefff8) (i32.const 3)) "out of bounds memory access")

;; (A memory whose type asks for 65536 pages cannot be made:
;; tests/unit/test_runtime.c, memory_cap.)
