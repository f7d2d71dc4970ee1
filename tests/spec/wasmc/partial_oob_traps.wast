;; wasmc's own spec-format tests: an access that starts inside the memory
;; and ends past it traps, even when only its first bytes are used. With
;; guard pages the fault of the last bytes is the trap, and LLVM reads
;; fewer bytes than asked when only some bits matter: instcombine turns a
;; lane extracted from a loaded vector into a scalar load of that lane,
;; and the code generator narrows truncated, masked and shifted loads
;; (also through an add it pushes a truncation into). Each export reads
;; only the low part of its load; each must trap at the memory's end at
;; every optimisation level. Found while reducing a scripts/difffuzz case.
(module
  (memory 1)
  (func (export "v128-lane0") (param i32) (result i32)
    (i32x4.extract_lane 0 (v128.load (local.get 0))))
  (func (export "v128-i64-lane0") (param i32) (result i64)
    (i64x2.extract_lane 0 (v128.load (local.get 0))))
  (func (export "v128-f64-lane0") (param i32) (result f64)
    (f64x2.extract_lane 0 (v128.load (local.get 0))))
  (func (export "v128-shuffle-low") (param i32) (result i32)
    (i32x4.extract_lane 0
      (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (v128.load (local.get 0)) (v128.const i64x2 0 0))))
  (func (export "i64-wrap") (param i32) (result i32)
    (i32.wrap_i64 (i64.load (local.get 0))))
  (func (export "i64-wrap-add") (param i32) (result i32)
    (i32.wrap_i64 (i64.add (i64.load (local.get 0)) (i64.const 1))))
  (func (export "i64-shift-wrap") (param i32) (result i32)
    (i32.and (i32.wrap_i64 (i64.shr_u (i64.load (local.get 0)) (i64.const 8))) (i32.const 255)))
  (func (export "i32-mask") (param i32) (result i32)
    (i32.and (i32.load (local.get 0)) (i32.const 255)))
  (func (export "i32-test") (param i32) (result i32)
    (if (result i32) (i32.and (i32.load (local.get 0)) (i32.const 1))
      (then (i32.const 1)) (else (i32.const 2))))
  (func (export "f64-as-f32") (param i32) (result f32)
    (f32.reinterpret_i32 (i32.wrap_i64 (i64.reinterpret_f64 (f64.load (local.get 0))))))
)
(assert_trap (invoke "v128-lane0" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "v128-lane0" (i32.const 65521)) "out of bounds memory access")
(assert_return (invoke "v128-lane0" (i32.const 65520)) (i32.const 0))
(assert_trap (invoke "v128-i64-lane0" (i32.const 65528)) "out of bounds memory access")
(assert_return (invoke "v128-i64-lane0" (i32.const 65520)) (i64.const 0))
(assert_trap (invoke "v128-f64-lane0" (i32.const 65528)) "out of bounds memory access")
(assert_return (invoke "v128-f64-lane0" (i32.const 65520)) (f64.const 0))
(assert_trap (invoke "v128-shuffle-low" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "v128-shuffle-low" (i32.const 0)) (i32.const 0))
(assert_trap (invoke "i64-wrap" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "i64-wrap" (i32.const 65529)) "out of bounds memory access")
(assert_return (invoke "i64-wrap" (i32.const 65528)) (i32.const 0))
(assert_trap (invoke "i64-wrap-add" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "i64-wrap-add" (i32.const 65528)) (i32.const 1))
(assert_trap (invoke "i64-shift-wrap" (i32.const 65530)) "out of bounds memory access")
(assert_return (invoke "i64-shift-wrap" (i32.const 65528)) (i32.const 0))
(assert_trap (invoke "i32-mask" (i32.const 65535)) "out of bounds memory access")
(assert_trap (invoke "i32-mask" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "i32-mask" (i32.const 65532)) (i32.const 0))
(assert_trap (invoke "i32-test" (i32.const 65534)) "out of bounds memory access")
(assert_return (invoke "i32-test" (i32.const 65532)) (i32.const 2))
(assert_trap (invoke "f64-as-f32" (i32.const 65532)) "out of bounds memory access")
(assert_return (invoke "f64-as-f32" (i32.const 65528)) (f32.const 0))
