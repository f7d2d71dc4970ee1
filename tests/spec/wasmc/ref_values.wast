;; ref_values.wast: the Wasm 3.0 script forms of reference values the
;; harness compares (tests/spec/spec_values.c): (ref.null) without a heap
;; type is any null reference, null references of the bottom types are
;; compared by family, (ref.func)/(ref.extern)/(ref) are any non-null one.

(module
  (func $f)
  (elem declare func $f)
  (table $t 1 funcref)
  (func (export "null-func") (result funcref) (ref.null func))
  (func (export "null-extern") (result externref) (ref.null extern))
  (func (export "func") (result funcref) (ref.func $f))
  (func (export "id-extern") (param externref) (result externref) (local.get 0))
  (func (export "id-func") (param funcref) (result funcref) (local.get 0))
  (func (export "is-null") (param funcref) (result i32) (ref.is_null (local.get 0)))
)

(assert_return (invoke "null-func") (ref.null))
(assert_return (invoke "null-func") (ref.null func))
(assert_return (invoke "null-func") (ref.null nofunc))
(assert_return (invoke "null-extern") (ref.null))
(assert_return (invoke "null-extern") (ref.null noextern))
(assert_return (invoke "func") (ref.func))
(assert_return (invoke "func") (ref))
(assert_return (invoke "func") (either (ref.null func) (ref.func)))
(assert_return (invoke "id-extern" (ref.extern 7)) (ref.extern 7))
(assert_return (invoke "id-extern" (ref.extern 7)) (ref.extern))
(assert_return (invoke "id-extern" (ref.null noextern)) (ref.null extern))
(assert_return (invoke "id-func" (ref.null nofunc)) (ref.null))
(assert_return (invoke "is-null" (ref.null func)) (i32.const 1))
