;; loop_parity.wast: wasmc's own tests of compiler/loop_parity.c (a loop
;; counting by K towards zero gets a start whose parity LLVM can see; a
;; start that is not a multiple of K must still run until the loop's
;; memory access traps, never end early). The counters feed nothing but
;; their exit tests, as in clang's loops; each iteration stores a running
;; number n instead. (What memory holds after the trap is not checked: a
;; vectorised loop loses the stores of the vector iteration that traps,
;; see README, Trade-offs.)

(module
  (memory 1)
  (func (export "load") (param $p i32) (result i32) (i32.load (local.get $p)))
  ;; clang's shape: c -= 2 until 0, while p steps 16 and is accessed on
  ;; every iteration
  (func (export "down2") (param $s i32) (param $p i32) (result i32)
        (local $c i32) (local $sum i32) (local $n i32)
    (local.set $c (local.get $s))
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (i32.store (local.get $p) (local.get $n))
      (local.set $sum (i32.add (local.get $sum) (i32.load offset=8 (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br_if $l (local.tee $c (i32.add (local.get $c) (i32.const -2)))))
    (local.get $sum))
  ;; the exit test on c itself: c == 4 leaves, then c -= 4
  (func (export "down4") (param $s i32) (param $p i32)
        (local $c i32) (local $n i32)
    (local.set $c (local.get $s))
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (i32.store (local.get $p) (local.get $n))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (local.set $c (i32.sub (local.get $c) (i32.const 4)))
      (br_if $l (i32.ne (local.get $c) (i32.const 0)))))
  ;; counting up from a negative start by 2
  (func (export "up2") (param $s i32) (param $p i32)
        (local $c i32) (local $n i32)
    (local.set $c (local.get $s))
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (i32.store (local.get $p) (local.get $n))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br_if $l (local.tee $c (i32.add (local.get $c) (i32.const 2))))))
)
;; a multiple of K: the loop ends (10: 5 iterations, n = 1..5)
(assert_return (invoke "down2" (i32.const 10) (i32.const 0)) (i32.const 0))
(assert_return (invoke "load" (i32.const 0)) (i32.const 1))
(assert_return (invoke "load" (i32.const 64)) (i32.const 5))
(assert_return (invoke "load" (i32.const 80)) (i32.const 0))
;; not a multiple: c skips 0, p runs off the end after 3 stores
(assert_trap (invoke "down2" (i32.const 7) (i32.const 65488)) "out of bounds memory access")
;; 0 is a multiple of 2 but the count wraps: it traps the same way
(assert_trap (invoke "down2" (i32.const 0) (i32.const 65504)) "out of bounds memory access")
(invoke "down4" (i32.const 12) (i32.const 256))
(assert_return (invoke "load" (i32.const 256)) (i32.const 1))
(assert_return (invoke "load" (i32.const 320)) (i32.const 3))
(assert_return (invoke "load" (i32.const 352)) (i32.const 0))
(assert_trap (invoke "down4" (i32.const 13) (i32.const 65440)) "out of bounds memory access")
(invoke "up2" (i32.const -6) (i32.const 512))
(assert_return (invoke "load" (i32.const 512)) (i32.const 1))
(assert_return (invoke "load" (i32.const 528)) (i32.const 3))
(assert_return (invoke "load" (i32.const 536)) (i32.const 0))
(assert_trap (invoke "up2" (i32.const -5) (i32.const 65512)) "out of bounds memory access")
