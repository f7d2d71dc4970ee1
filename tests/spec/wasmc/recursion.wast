;; wasmc's own spec-format tests (run with scripts/spectest tests/spec/wasmc).
;; Deep recursion must end in a call-stack-exhausted trap, never SIGSEGV,
;; at every optimisation level (LLVM must not turn the recursion into a
;; loop), and the same process must then go on normally.
(module
  ;; 1,000,000 deep: non-tail (the result is used after the call).
  (func $down (export "down") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.const 1)
                     (call $down (i64.sub (local.get 0) (i64.const 1)))))))
  ;; A tail-position self call: still no tail calls in Wasm 2.0.
  (func $tail (export "tail") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 7))
      (else (return (call $tail (i64.sub (local.get 0) (i64.const 1)))))))
  (func $forever (export "forever") (call $forever))
  ;; A big frame per call (v128 locals), so the guard is crossed in large steps.
  (func $wide (export "wide") (param i32) (result i32)
    (local v128 v128 v128 v128 v128 v128 v128 v128)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
                     (call $wide (i32.sub (local.get 0) (i32.const 1)))))))
)
(assert_exhaustion (invoke "down" (i64.const 1000000)) "call stack exhausted")
(assert_return (invoke "down" (i64.const 1000)) (i64.const 1000))
(assert_exhaustion (invoke "tail" (i64.const 1000000)) "call stack exhausted")
(assert_return (invoke "tail" (i64.const 100)) (i64.const 7))
(assert_exhaustion (invoke "forever") "call stack exhausted")
(assert_exhaustion (invoke "wide" (i32.const 1000000)) "call stack exhausted")
(assert_return (invoke "wide" (i32.const 100)) (i32.const 100))
;; And again: the trap left the runtime in a usable state.
(assert_exhaustion (invoke "down" (i64.const 1000000)) "call stack exhausted")
(assert_return (invoke "down" (i64.const 10)) (i64.const 10))
