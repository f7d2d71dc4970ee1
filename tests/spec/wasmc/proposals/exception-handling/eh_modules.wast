;; Exceptions across functions and modules, in the legacy syntax that
;; wast2json 1.0.32 reads (scripts/spectest converts this folder with
;; --enable-exceptions). Module B throws with a tag it imports from A;
;; A catches by its own tag; a tag defined twice is two tags; traps are
;; never caught; deep throws; rethrow and delegate across calls.

(module $A
  (tag $e (export "e") (param i32))
  (tag $f (export "f"))
  (func (export "throw_e") (param i32) (throw $e (local.get 0)))
  (func (export "throw_f") (throw $f))
)
(register "A" $A)

(module $B
  (import "A" "e" (tag $e (param i32)))
  (import "A" "e" (tag $e2 (param i32)))   ;; the same tag, imported twice
  (import "A" "f" (tag $f))
  (import "A" "throw_e" (func $throw_e (param i32)))
  (import "A" "throw_f" (func $throw_f))
  (tag $own (param i32))                   ;; same type as $e, another tag

  (func $deep (param i32)
    (if (i32.eqz (local.get 0))
      (then (call $throw_e (i32.const 100)))
      (else (call $deep (i32.sub (local.get 0) (i32.const 1))))))

  ;; thrown in A (through its exported function), caught here by the tag
  ;; imported from A
  (func (export "catch_imported") (param i32) (result i32)
    (try (result i32)
      (do (call $throw_e (local.get 0)) (i32.const -1))
      (catch $e)))
  ;; the second import of the same tag matches as well
  (func (export "catch_alias") (param i32) (result i32)
    (try (result i32)
      (do (call $throw_e (local.get 0)) (i32.const -1))
      (catch $e2)))
  ;; a tag of the same type defined here is another tag
  (func (export "own_is_other") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (call $throw_e (i32.const 1)) (i32.const -1))
          (catch $own (drop) (i32.const -2))))
      (catch $e)))
  (func (export "throw_own") (param i32) (throw $own (local.get 0)))
  (func (export "deep") (param i32) (result i32)
    (try (result i32)
      (do (call $deep (local.get 0)) (i32.const -1))
      (catch $e (i32.add (local.get 0)))))
  ;; catch_all and order of clauses
  (func (export "catch_all_f") (result i32)
    (try (result i32)
      (do (call $throw_f) (i32.const -1))
      (catch $e)
      (catch_all (i32.const 7))))
  ;; traps are not exceptions
  (func $div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "trap_not_caught") (param i32) (result i32)
    (try (result i32)
      (do (call $div (local.get 0)))
      (catch_all (i32.const -1))))
  ;; rethrow after a call that threw, to the caller's handler
  (func $rethrower (param i32)
    (try
      (do (call $throw_e (local.get 0)))
      (catch $e (drop) (rethrow 0))))
  (func (export "rethrow_across") (param i32) (result i32)
    (try (result i32)
      (do (call $rethrower (local.get 0)) (i32.const -1))
      (catch $e)))
  ;; delegate to the caller (label of the function body)
  (func $delegator (param i32)
    (try
      (do
        (try
          (do (call $throw_e (local.get 0)))
          (delegate 1)))
      (catch_all (unreachable))))
  (func (export "delegate_out") (param i32) (result i32)
    (try (result i32)
      (do (call $delegator (local.get 0)) (i32.const -1))
      (catch $e)))
  ;; throws and catches in a loop (each exception freed when caught)
  (func (export "loop") (param i32) (result i32) (local i32)
    (loop $l
      (try
        (do (call $throw_e (local.get 0)))
        (catch $e (local.set 1 (i32.add (local.get 1)))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)

(assert_return (invoke "catch_imported" (i32.const 42)) (i32.const 42))
(assert_return (invoke "catch_alias" (i32.const 43)) (i32.const 43))
(assert_return (invoke "own_is_other") (i32.const 1))
(assert_exception (invoke "throw_own" (i32.const 3)))
(assert_return (invoke "deep" (i32.const 1000)) (i32.const 1100))
(assert_return (invoke "catch_all_f") (i32.const 7))
(assert_return (invoke "trap_not_caught" (i32.const 2)) (i32.const 0))
(assert_trap (invoke "trap_not_caught" (i32.const 0)) "integer divide by zero")
(assert_return (invoke "rethrow_across" (i32.const 5)) (i32.const 5))
(assert_return (invoke "delegate_out" (i32.const 6)) (i32.const 6))
(assert_return (invoke "loop" (i32.const 10000)) (i32.const 50005000))
(assert_exception (invoke $A "throw_e" (i32.const 1)))
