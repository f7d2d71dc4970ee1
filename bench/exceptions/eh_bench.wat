;; eh_bench.wat: the kernels of bench/exceptions (legacy try/catch syntax,
;; which wat2wasm 1.0.32 reads; try_table lowers to the same invokes and
;; landing pads). Every export takes a count and returns a checksum.
(module
  (type $leaf_t (func (param i32) (result i32)))
  (tag $e (param i32))
  (table funcref (elem $leaf $thrower))

  ;; call-heavy: recursive Fibonacci, plain...
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "fib_plain") (param i32) (result i32) (call $fib (local.get 0)))

  ;; ...and with each recursive call inside a try that never catches
  (func $fib_try (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else
        (try (result i32)
          (do (i32.add (call $fib_try (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib_try (i32.sub (local.get 0) (i32.const 2)))))
          (catch $e)))))
  (func (export "fib_try") (param i32) (result i32) (call $fib_try (local.get 0)))

;; the same two again, in the other order: code placement alone moves
  ;; such short calls by about 10%, so the driver averages both positions
  (func $fib_try2 (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else
        (try (result i32)
          (do (i32.add (call $fib_try2 (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib_try2 (i32.sub (local.get 0) (i32.const 2)))))
          (catch $e)))))
  (func (export "fib_try2") (param i32) (result i32) (call $fib_try2 (local.get 0)))
  (func $fib2 (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib2 (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib2 (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "fib_plain2") (param i32) (result i32) (call $fib2 (local.get 0)))

  ;; round trips through a callee that cannot be inlined (call_indirect):
  ;; it returns, or it throws and the caller catches
  (func $leaf (type $leaf_t) (i32.add (local.get 0) (i32.const 1)))
  (func $thrower (type $leaf_t) (throw $e (i32.add (local.get 0) (i32.const 1))))
  (func (export "return_loop") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (try (result i32)
          (do (call_indirect (type $leaf_t) (local.get 0) (i32.const 0)))
          (catch $e))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "throw_loop") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (try (result i32)
          (do (call_indirect (type $leaf_t) (local.get 0) (i32.const 1)))
          (catch $e))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  ;; a throw caught in the same function: no unwinding at all
  (func (export "local_throw_loop") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1)
        (try (result i32)
          (do (throw $e (i32.add (local.get 0) (i32.const 1))))
          (catch $e))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)
