;; wasmc's own spec-format tests: an out-of-bounds load traps even when its
;; value is never used. In guard-page mode loads have no bounds compare, so
;; the load itself must survive the optimiser for the fault (and thus the
;; trap) to happen. Each export does one out-of-bounds load whose value the
;; optimiser can prove unused, in a different way; each must trap at every
;; optimisation level. The in-bounds calls check the functions still work.
(module
  (memory 1)
  ;; The value goes to a local that is never read.
  (func (export "unread-local") (param i32) (local i32)
    (local.set 1 (i32.load (local.get 0))))
  ;; A select whose constant condition picks the other operand.
  (func (export "select-const") (param i32) (result i32)
    (select (i32.const 7) (i32.load (local.get 0)) (i32.const 1)))
  (func (export "select-const-v128") (param i32) (result i32)
    (i32x4.extract_lane 0
      (select (v128.const i32x4 7 7 7 7) (v128.load (local.get 0)) (i32.const 1))))
  ;; Multiplied by zero, and masked away.
  (func (export "mul-zero") (param i32) (result i32)
    (i32.mul (i32.load (local.get 0)) (i32.const 0)))
  (func (export "and-zero-i64") (param i32) (result i64)
    (i64.and (i64.load8_u offset=3 (local.get 0)) (i64.const 0)))
  (func (export "sub-self") (param i32) (result f64)
    (f64.mul (f64.const 0) (f64.convert_i32_u (i32.sub (i32.load16_s (local.get 0))
                                                       (i32.load16_s (local.get 0))))))
  ;; A small callee returning a load, called by a caller that drops the
  ;; result (such a call is never inlined: keep_traps.c).
  (func $get (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "inlined-dropped") (param i32)
    (drop (call $get (local.get 0))))
  (func (export "inlined-unread") (param i32) (local i32)
    (local.set 1 (call $get (local.get 0))))
  ;; A larger callee that is not inlined: the call itself must stay.
  (func $big (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.load (local.get 0)))
    (i32.add (local.get 1) (i32.mul (local.get 1) (local.get 1)))
    (i32.add (i32.load offset=4 (local.get 0)))
    (i32.add (i32.load offset=8 (local.get 0)))
    (i32.add (i32.load offset=12 (local.get 0)))
    (i32.add (i32.load offset=16 (local.get 0)))
    (i32.add (i32.load offset=20 (local.get 0)))
    (i32.add (i32.load offset=24 (local.get 0)))
    (i32.add (i32.load offset=28 (local.get 0)))
    (i32.add (i32.load offset=32 (local.get 0)))
    (i32.add (i32.load offset=36 (local.get 0)))
    (i32.add (i32.load offset=40 (local.get 0)))
    (i32.add (i32.load offset=44 (local.get 0)))
    (i32.add (i32.load offset=48 (local.get 0))))
  (func (export "call-dropped") (param i32)
    (drop (call $big (local.get 0)))
    (drop (call $big (i32.const 0)))
    (drop (call $big (i32.const 64))))
  ;; Control dependence: the only use is in a branch that is never taken.
  (func (export "branch-never-taken") (param i32) (result i32) (local i32)
    (local.set 1 (i32.load (local.get 0)))
    (if (i32.const 0) (then (return (local.get 1))))
    (i32.const 5))
  (func (export "br-if-never-taken") (param i32) (result i32)
    (block (result i32)
      (i32.load (local.get 0))
      (br_if 0 (i32.const 0))
      (drop)
      (i32.const 6)))
  ;; SIMD: unused v128 loads of each kind.
  (func (export "v128-unread") (param i32) (local v128)
    (local.set 1 (v128.load (local.get 0))))
  (func (export "v128-mul-zero") (param i32) (result v128)
    (i32x4.mul (v128.load offset=1 (local.get 0)) (v128.const i32x4 0 0 0 0)))
  (func (export "v128-splat-unread") (param i32) (local v128)
    (local.set 1 (v128.load32_splat (local.get 0))))
  (func (export "v128-extend-unread") (param i32) (local v128)
    (local.set 1 (v128.load8x8_s (local.get 0))))
  (func (export "v128-zero-unread") (param i32) (local v128)
    (local.set 1 (v128.load64_zero (local.get 0))))
  (func (export "v128-lane-unread") (param i32) (local v128)
    (local.set 1 (v128.load16_lane 3 (local.get 0) (local.get 1))))
  ;; The load in a loop whose result is never used.
  (func (export "loop-sum-unread") (param i32) (local i32 i32)
    (local.set 1 (i32.const 4))
    (loop
      (local.set 2 (i32.add (local.get 2) (i32.load (local.get 0))))
      (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
      (br_if 0 (local.get 1))))
)

(assert_trap (invoke "unread-local" (i32.const 65536)) "out of bounds memory access")
(assert_trap (invoke "unread-local" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "unread-local" (i32.const 65532)))
(assert_trap (invoke "select-const" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "select-const" (i32.const 0)) (i32.const 7))
(assert_trap (invoke "select-const-v128" (i32.const 65521)) "out of bounds memory access")
(assert_return (invoke "select-const-v128" (i32.const 65520)) (i32.const 7))
(assert_trap (invoke "mul-zero" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "mul-zero" (i32.const 8)) (i32.const 0))
(assert_trap (invoke "and-zero-i64" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "and-zero-i64" (i32.const 65532)) (i64.const 0))
(assert_trap (invoke "sub-self" (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "sub-self" (i32.const 65534)) (f64.const 0))
(assert_trap (invoke "inlined-dropped" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "inlined-dropped" (i32.const 0)))
(assert_trap (invoke "inlined-unread" (i32.const -4)) "out of bounds memory access")
(assert_return (invoke "inlined-unread" (i32.const 0)))
(assert_trap (invoke "call-dropped" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "call-dropped" (i32.const 0)))
(assert_trap (invoke "branch-never-taken" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "branch-never-taken" (i32.const 0)) (i32.const 5))
(assert_trap (invoke "br-if-never-taken" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "br-if-never-taken" (i32.const 0)) (i32.const 6))
(assert_trap (invoke "v128-unread" (i32.const 65521)) "out of bounds memory access")
(assert_return (invoke "v128-unread" (i32.const 65520)))
(assert_trap (invoke "v128-mul-zero" (i32.const 65520)) "out of bounds memory access")
(assert_return (invoke "v128-mul-zero" (i32.const 65519)) (v128.const i32x4 0 0 0 0))
(assert_trap (invoke "v128-splat-unread" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "v128-splat-unread" (i32.const 65532)))
(assert_trap (invoke "v128-extend-unread" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "v128-extend-unread" (i32.const 65528)))
(assert_trap (invoke "v128-zero-unread" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "v128-zero-unread" (i32.const 65528)))
(assert_trap (invoke "v128-lane-unread" (i32.const 65535)) "out of bounds memory access")
(assert_return (invoke "v128-lane-unread" (i32.const 65534)))
(assert_trap (invoke "loop-sum-unread" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "loop-sum-unread" (i32.const 0)))

;; A load passed to a parameter its callee never reads (the loads are
;; released before any inlining): dead argument elimination or inlining
;; leaves the load feeding nothing. Found by scripts/difffuzz (seed 1000, module 827):
;; the call returned "unreachable" instead of trapping out of bounds.
(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func $nop)
  (func $ignores (param f32) (result i64)
    (call $nop) (call $nop)
    (if (global.get $g) (then (unreachable)))
    (global.set $g (i32.add (global.get $g) (i32.const 0)))
    (i64.const -3380188))
  ;; passes its parameter on to $ignores, which ignores it
  (func $forwards (param i32 f32) (result i64)
    (call $nop) (call $nop) (call $nop)
    (call $ignores (local.get 1)))
  (func (export "arg-ignored") (param i32) (result i64)
    (call $ignores (f32.load offset=22 (local.get 0))))
  (func (export "arg-forwarded") (param i32) (result i64)
    (call $forwards (local.get 0) (f32.load (local.get 0))))
  (func (export "arg-v128-ignored") (param i32) (result i64)
    (call $ignores (f32x4.extract_lane 0 (v128.load (local.get 0)))))
)
(assert_trap (invoke "arg-ignored" (i32.const -79)) "out of bounds memory access")
(assert_trap (invoke "arg-ignored" (i32.const 65512)) "out of bounds memory access")
(assert_return (invoke "arg-ignored" (i32.const 65510)) (i64.const -3380188))
(assert_trap (invoke "arg-forwarded" (i32.const 65536)) "out of bounds memory access")
(assert_return (invoke "arg-forwarded" (i32.const 0)) (i64.const -3380188))
(assert_trap (invoke "arg-v128-ignored" (i32.const 65521)) "out of bounds memory access")
(assert_return (invoke "arg-v128-ignored" (i32.const 65520)) (i64.const -3380188))

;; Trap order: a load evaluated before an explicit check traps first, even
;; when its value is used only after the check (LLVM sinks plain loads to
;; their uses, past the branch to the check's trap). Found by
;; scripts/difffuzz (seed 1000, module 1826): this call_indirect trapped
;; "undefined element" instead of "out of bounds memory access".
(module
  (type $t (func (param f32 f64 v128) (result f64)))
  (memory 1)
  (table 10 funcref)
  (func (export "call-indirect-after-load") (param i32 i32) (result f64)
    (call_indirect (type $t)
      (f32.load offset=4 (local.get 0)) (f64.const 0) (v128.const i64x2 0 0)
      (local.get 1)))
  (func (export "div-after-load") (param i32 i32) (result i32)
    (local i32)
    (local.set 2 (i32.load (local.get 0)))
    (i32.add (i32.div_s (i32.const 1) (local.get 1)) (local.get 2)))
  (func (export "trunc-after-load") (param i32 f32) (result i64)
    (local i64)
    (local.set 2 (i64.load (local.get 0)))
    (i64.add (i64.trunc_f32_s (local.get 1)) (local.get 2)))
)
(assert_trap (invoke "call-indirect-after-load" (i32.const -4194304) (i32.const 15)) "out of bounds memory access")
(assert_trap (invoke "call-indirect-after-load" (i32.const 0) (i32.const 15)) "undefined element")
(assert_trap (invoke "call-indirect-after-load" (i32.const 0) (i32.const 3)) "uninitialized element")
(assert_trap (invoke "div-after-load" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "div-after-load" (i32.const 0) (i32.const 0)) "integer divide by zero")
(assert_return (invoke "div-after-load" (i32.const 0) (i32.const 1)) (i32.const 1))
(assert_trap (invoke "trunc-after-load" (i32.const 65530) (f32.const 1e30)) "out of bounds memory access")
(assert_trap (invoke "trunc-after-load" (i32.const 0) (f32.const 1e30)) "integer overflow")
(assert_return (invoke "trunc-after-load" (i32.const 0) (f32.const 2)) (i64.const 2))

;; A load whose value is used only after a conditional early return must
;; still run when the function returns early (LLVM sinks plain loads to
;; their uses). scripts/difffuzz, seed 1000 module 2003: the load was
;; skipped and a later unaligned atomic trapped first.
(module
  (memory 1 1 shared)
  (global $g (mut i32) (i32.const 10))
  (func $id (param v128 i64) (result v128) (local.get 0))
  (func $lane (param i32) (result i32)
    (i16x8.extract_lane_u 1
      (i8x16.gt_u
        (call $id
          (v128.load offset=22 align=4 (local.get 0))
          (block (result i64)
            (if (i32.eqz (global.get $g)) (then (return (i32.const 1))))
            (i64.const 9)))
        (v128.const i32x4 0xffcdff9d 0xffff0020 0x83dbffff 0x0041aa50))))
  (func (export "early-return") (param i32 i32) (result i32)
    (global.set $g (local.get 1))
    (memory.atomic.notify offset=3 (i32.const 10) (call $lane (local.get 0))))
)
(assert_trap (invoke "early-return" (i32.const -21389) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "early-return" (i32.const 0) (i32.const 0)) "unaligned atomic")
(assert_trap (invoke "early-return" (i32.const -21389) (i32.const 1)) "out of bounds memory access")

;; A load whose value only goes around a recursion (through an intrinsic,
;; rotl, into the next call's argument, which is used for nothing else):
;; dead argument elimination removed it (scripts/difffuzz, seed 1000
;; module 4100: the call returned 0 instead of trapping).
(module
  (memory 1)
  (global $depth (mut i32) (i32.const 0))
  (func $rec (param i64) (result i32)
    (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
    (if (i32.ge_u (global.get $depth) (i32.const 3)) (then (return (i32.const 7))))
    (call $rec
      (i64.rotl (i64.load8_u (i32.const 536870916)) (i64.load16_u (i32.const 19)))))
  (func (export "recursive-arg") (result i32)
    (global.set $depth (i32.const 0))
    (call $rec (i64.const 0)))
)
(assert_trap (invoke "recursive-arg") "out of bounds memory access")

;; The same with the load's value sign-extended right after it, in its own
;; block: the extension sinks along with the load (scripts/difffuzz, seed
;; 1000 module 8333: "uninitialized element" came first).
(module
  (type $t (func (param i64) (result i64)))
  (memory 1)
  (global $a (mut i32) (i32.const -6486197))
  (table 23 funcref)
  (func (export "call-indirect-extended-arg") (param i32) (result i64)
    (call_indirect (type $t)
      (i64.load16_s offset=4 (global.get $a))
      (local.get 0)))
)
(assert_trap (invoke "call-indirect-extended-arg" (i32.const 16)) "out of bounds memory access")
(assert_trap (invoke "call-indirect-extended-arg" (i32.const 30)) "out of bounds memory access")

;; A load that is only a select's true or false value, with the condition
;; picking the other one: x86's instruction selection folded the load into
;; a conditional move (which always reads) and its cmov-to-branch
;; conversion then put the load on one side of a branch only, at -O2 and
;; -O3. scripts/difffuzz, seed 1000 module 18128: the select returned its
;; constant instead of trapping. Each type in both operand positions; the
;; condition comes from a global so no pass can fold it.
(module
  (memory 1)
  (global $c (mut i32) (i32.const 0))
  (func (export "select-load-i64-true") (param i32 i32) (result i64)
    (global.set $c (local.get 1))
    (select (i64.const -18142) (i64.load offset=2 (local.get 0)) (global.get $c)))
  (func (export "select-load-i64-false") (param i32 i32) (result i64)
    (global.set $c (local.get 1))
    (select (i64.load (local.get 0)) (i64.const 5) (global.get $c)))
  (func (export "select-load-i32") (param i32 i32) (result i32)
    (global.set $c (local.get 1))
    (select (i32.const 3) (i32.load (local.get 0)) (global.get $c)))
  (func (export "select-load8") (param i32 i32) (result i32)
    (global.set $c (local.get 1))
    (select (i32.const 3) (i32.load8_u (local.get 0)) (global.get $c)))
  (func (export "select-load-f64") (param i32 i32) (result f64)
    (global.set $c (local.get 1))
    (select (f64.const 1.5) (f64.load (local.get 0)) (global.get $c)))
  (func (export "select-load-f32") (param i32 i32) (result f32)
    (global.set $c (local.get 1))
    (select (f32.load (local.get 0)) (f32.const 2.5) (global.get $c)))
  (func (export "select-load-v128") (param i32 i32) (result i32)
    (global.set $c (local.get 1))
    (i32x4.extract_lane 3
      (select (v128.const i32x4 1 2 3 4) (v128.load (local.get 0)) (global.get $c))))
  ;; the load goes through an add first, then the select
  (func (export "select-load-add") (param i32 i32) (result i32)
    (global.set $c (local.get 1))
    (select (i32.const 3) (i32.add (i32.load (local.get 0)) (i32.const 1)) (global.get $c)))
)
(assert_trap (invoke "select-load-i64-true" (i32.const -5805) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "select-load-i64-true" (i32.const 65529) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "select-load-i64-true" (i32.const 0) (i32.const 1)) (i64.const -18142))
(assert_return (invoke "select-load-i64-true" (i32.const 0) (i32.const 0)) (i64.const 0))
(assert_trap (invoke "select-load-i64-false" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "select-load-i64-false" (i32.const 65528) (i32.const 0)) (i64.const 5))
(assert_trap (invoke "select-load-i32" (i32.const 65533) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "select-load-i32" (i32.const 65532) (i32.const 1)) (i32.const 3))
(assert_trap (invoke "select-load8" (i32.const 65536) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "select-load8" (i32.const 65535) (i32.const 1)) (i32.const 3))
(assert_trap (invoke "select-load-f64" (i32.const -8) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "select-load-f64" (i32.const 65528) (i32.const 1)) (f64.const 1.5))
(assert_trap (invoke "select-load-f32" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "select-load-f32" (i32.const 65532) (i32.const 0)) (f32.const 2.5))
(assert_trap (invoke "select-load-v128" (i32.const 65521) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "select-load-v128" (i32.const 65520) (i32.const 1)) (i32.const 4))
(assert_trap (invoke "select-load-add" (i32.const 65536) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "select-load-add" (i32.const 65532) (i32.const 1)) (i32.const 3))

;; A load whose value only leaves the loop it is in (the last iteration's
;; value, read after the loop) may be sunk by LICM to the loop's exit,
;; where it runs once, after every iteration's calls. It must trap in the
;; first iteration, after one call. scripts/difffuzz, seed 1000 module
;; 13640: a loop of logging calls ran until its counter ran out. The
;; accumulator cases (the load feeds a recurrence) stay optimisable.
(module
  (type $v (func))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $bump)
  (global $calls (mut i32) (i32.const 0))
  (func $bump (global.set $calls (i32.add (global.get $calls) (i32.const 1))))
  (func (export "last-value") (param $p i32) (result i32) (local $x i32) (local $k i32)
    (global.set $calls (i32.const 0))
    (local.set $k (i32.const 5))
    (loop $l
      (if (i32.eqz (local.get $k)) (then (return (local.get $x))))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (call_indirect (type $v) (i32.const 0))
      (local.set $x (i32.load offset=3 (local.get $p)))
      (br $l))
    (unreachable))
  (func (export "sum") (param $p i32) (result i32) (local $s i32) (local $k i32)
    (global.set $calls (i32.const 0))
    (local.set $k (i32.const 5))
    (loop $l
      (call_indirect (type $v) (i32.const 0))
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $k (i32.sub (local.get $k) (i32.const 1)))
      (br_if $l (local.get $k)))
    (local.get $s))
  (func (export "calls") (result i32) (global.get $calls))
)
(assert_trap (invoke "last-value" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "calls") (i32.const 1))
(assert_return (invoke "last-value" (i32.const 65529)) (i32.const 0))
(assert_return (invoke "calls") (i32.const 5))
(assert_trap (invoke "sum" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "calls") (i32.const 1))
(assert_return (invoke "sum" (i32.const 65532)) (i32.const 0))
(assert_return (invoke "calls") (i32.const 5))

;; A small callee returning a load, whose caller uses the result only where
;; it would not need the load once the callee is inlined: beyond a branch
;; not taken, as a select's unchosen value, or narrowed. The release judges
;; a call's result as it judges a load (keep_traps.c, "Calls whose result
;; is not needed"), and such a call is never inlined.
(module
  (memory 1)
  (func $get (param i32) (result i32) (i32.load (local.get 0)))
  (func $get64 (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "result-branch") (param i32 i32) (result i32) (local i32)
    (local.set 2 (call $get (local.get 0)))
    (if (local.get 1) (then (return (local.get 2))))
    (i32.const 9))
  (func (export "result-select") (param i32 i32) (result i32)
    (select (call $get (local.get 0)) (i32.const 9) (local.get 1)))
  (func (export "result-narrow") (param i32) (result i32)
    (i32.wrap_i64 (call $get64 (local.get 0))))
)
(assert_trap (invoke "result-branch" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "result-branch" (i32.const 0) (i32.const 0)) (i32.const 9))
(assert_return (invoke "result-branch" (i32.const 0) (i32.const 1)) (i32.const 0))
(assert_trap (invoke "result-select" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "result-select" (i32.const 0) (i32.const 0)) (i32.const 9))
(assert_trap (invoke "result-narrow" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "result-narrow" (i32.const 65528)) (i32.const 0))
