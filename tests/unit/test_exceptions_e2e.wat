;; test_exceptions_e2e.wat: exceptions through the embedding API
;; (test_exceptions_e2e.c), in the legacy syntax wat2wasm 1.0.32 reads
;; (--enable-exceptions). "host"."callback" calls back into this instance
;; ("thrower"); "host"."raise" throws $e from the host.
(module
  (import "host" "callback" (func $callback (param i32) (result i32)))
  (import "host" "raise" (func $raise (param i32)))
  (tag $e (export "e") (param i32))
  (tag $other (param i64))

  ;; throws $e 42 when given 0
  (func $thrower (export "thrower") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 42))))
    (local.get 0))

  ;; n frames deep, then throws $e 7
  (func $deep (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (throw $e (i32.const 7)))
      (else (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1)))
                     (i32.const 1)))))

  (func (export "catch_deep") (param i32) (result i32)
    (try (result i32)
      (do (call $deep (local.get 0)))
      (catch $e (i32.add (i32.const 1000)))))

  ;; a trap is not an exception: catch_all does not see it
  (func $trap (unreachable))
  (func (export "catch_all_trap") (result i32)
    (try (result i32)
      (do (call $trap) (i32.const 0))
      (catch_all (i32.const 1))))

  ;; Wasm -> host -> Wasm that throws: caught here
  (func (export "through_host") (param i32) (result i32)
    (try (result i32)
      (do (call $callback (local.get 0)))
      (catch $e (i32.add (i32.const 2000)))))

  ;; the host throws $e itself
  (func (export "host_raises") (param i32) (result i32)
    (try (result i32)
      (do (call $raise (local.get 0)) (i32.const -1))
      (catch $e)))

  (func (export "uncaught") (throw $other (i64.const 5)))

  (func (export "rethrow") (result i32)
    (try (result i32)
      (do
        (try
          (do (drop (call $deep (i32.const 3))))
          (catch $e (drop) (rethrow 0)))
        (i32.const 0))
      (catch $e)))

  (func (export "delegate") (result i32)
    (try $outer (result i32)
      (do
        (try (result i32)
          (do (call $deep (i32.const 2)))
          (delegate $outer)))
      (catch $e (i32.add (i32.const 3)))))

  ;; n throws and catches (the exceptions are freed as they are caught)
  (func (export "many") (param i32) (result i32) (local i32)
    (loop $l
      (try
        (do (drop (call $deep (i32.const 1))))
        (catch $e (local.set 1 (i32.add (local.get 1)))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)
