;; eh_bench.wat: the kernels of bench/exceptions (bench/README.md), read
;; by wasmc's own text reader. fib and the round trips use the legacy
;; try/catch syntax, the sort kernel try_table (both lower to the same
;; invokes and landing pads). Every export takes a count and returns a
;; checksum.
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

  ;; A kernel that does real work per call, written the way C++ with
  ;; destructors compiles to Wasm exception handling (clang
  ;; -fwasm-exceptions): a function that owns an object runs its
  ;; destructor on the way out, normally or through a cleanup, i.e. its
  ;; body is a try_table (catch_all_ref) whose handler runs the
  ;; destructor and throws the exception on with throw_ref. Here: a
  ;; recursive quicksort of n pseudo-random i32s at address 0, whose
  ;; "object" is a count of live frames in a global (constructor: +1,
  ;; destructor: -1), plain and with the cleanup handler. Partition has no
  ;; object and no handler (a loop of compares and swaps), but the calls
  ;; to it from inside the handler are invokes, as in C++.
  (memory 4) ;; up to 65,536 elements
  (global $live (mut i32) (i32.const 0))

  ;; n pseudo-random values (an LCG), the same for every call (not timed;
  ;; the sorts sort in place, so this comes before each run)
  (func (export "sort_fill") (param $n i32) (result i32) (local $i i32) (local $x i32)
    (local.set $x (i32.const 12345))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245))
                               (i32.const 12345)))
        (i32.store (i32.shl (local.get $i) (i32.const 2))
                   (i32.shr_u (local.get $x) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $n))

  ;; Lomuto partition of [lo, hi] (element indices) around a[hi]
  (func $partition (param $lo i32) (param $hi i32) (result i32)
    (local $pivot i32) (local $i i32) (local $j i32) (local $t i32) (local $aj i32)
    (local.set $pivot (i32.load (i32.shl (local.get $hi) (i32.const 2))))
    (local.set $i (local.get $lo))
    (local.set $j (local.get $lo))
    (block $done
      (loop $l
        (br_if $done (i32.ge_s (local.get $j) (local.get $hi)))
        (local.set $aj (i32.load (i32.shl (local.get $j) (i32.const 2))))
        (if (i32.lt_s (local.get $aj) (local.get $pivot))
          (then
            (local.set $t (i32.load (i32.shl (local.get $i) (i32.const 2))))
            (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $aj))
            (i32.store (i32.shl (local.get $j) (i32.const 2)) (local.get $t))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l)))
    (local.set $t (i32.load (i32.shl (local.get $i) (i32.const 2))))
    (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $pivot))
    (i32.store (i32.shl (local.get $hi) (i32.const 2)) (local.get $t))
    (local.get $i))

  ;; a[0] + a[n/2] * 3 + a[n-1] * 7 if a[0..n) is sorted and no frame
  ;; is left live, else -1 (not timed)
  (func (export "sort_check") (param $n i32) (result i32) (local $i i32)
    (if (i32.ne (global.get $live) (i32.const 0)) (then (return (i32.const -1))))
    (local.set $i (i32.const 1))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.gt_s (i32.load (i32.shl (i32.sub (local.get $i) (i32.const 1)) (i32.const 2)))
                      (i32.load (i32.shl (local.get $i) (i32.const 2))))
          (then (return (i32.const -1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (i32.load (i32.const 0))
      (i32.add (i32.mul (i32.load (i32.shl (i32.shr_u (local.get $n) (i32.const 1)) (i32.const 2)))
                        (i32.const 3))
               (i32.mul (i32.load (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 2)))
                        (i32.const 7)))))

  (func $qsort_plain (param $lo i32) (param $hi i32) (local $p i32)
    (if (i32.lt_s (local.get $lo) (local.get $hi))
      (then
        (global.set $live (i32.add (global.get $live) (i32.const 1)))
        (local.set $p (call $partition (local.get $lo) (local.get $hi)))
        (call $qsort_plain (local.get $lo) (i32.sub (local.get $p) (i32.const 1)))
        (call $qsort_plain (i32.add (local.get $p) (i32.const 1)) (local.get $hi))
        (global.set $live (i32.sub (global.get $live) (i32.const 1))))))
  (func (export "sort_plain") (param $n i32) (result i32)
    (call $qsort_plain (i32.const 0) (i32.sub (local.get $n) (i32.const 1)))
    (global.get $live))

  (func $qsort_eh (param $lo i32) (param $hi i32) (local $p i32)
    (if (i32.lt_s (local.get $lo) (local.get $hi))
      (then
        (global.set $live (i32.add (global.get $live) (i32.const 1)))
        (block $cleanup (result exnref)
          (try_table (catch_all_ref $cleanup)
            (local.set $p (call $partition (local.get $lo) (local.get $hi)))
            (call $qsort_eh (local.get $lo) (i32.sub (local.get $p) (i32.const 1)))
            (call $qsort_eh (i32.add (local.get $p) (i32.const 1)) (local.get $hi)))
          (global.set $live (i32.sub (global.get $live) (i32.const 1)))
          (return))
        ;; the cleanup: the destructor, then on with the exception
        (global.set $live (i32.sub (global.get $live) (i32.const 1)))
        (throw_ref))))
  (func (export "sort_eh") (param $n i32) (result i32)
    (call $qsort_eh (i32.const 0) (i32.sub (local.get $n) (i32.const 1)))
    (global.get $live))

  ;; both again in the other order, for code placement (as for fib)
  (func $qsort_eh2 (param $lo i32) (param $hi i32) (local $p i32)
    (if (i32.lt_s (local.get $lo) (local.get $hi))
      (then
        (global.set $live (i32.add (global.get $live) (i32.const 1)))
        (block $cleanup (result exnref)
          (try_table (catch_all_ref $cleanup)
            (local.set $p (call $partition (local.get $lo) (local.get $hi)))
            (call $qsort_eh2 (local.get $lo) (i32.sub (local.get $p) (i32.const 1)))
            (call $qsort_eh2 (i32.add (local.get $p) (i32.const 1)) (local.get $hi)))
          (global.set $live (i32.sub (global.get $live) (i32.const 1)))
          (return))
        (global.set $live (i32.sub (global.get $live) (i32.const 1)))
        (throw_ref))))
  (func (export "sort_eh2") (param $n i32) (result i32)
    (call $qsort_eh2 (i32.const 0) (i32.sub (local.get $n) (i32.const 1)))
    (global.get $live))
  (func $qsort_plain2 (param $lo i32) (param $hi i32) (local $p i32)
    (if (i32.lt_s (local.get $lo) (local.get $hi))
      (then
        (global.set $live (i32.add (global.get $live) (i32.const 1)))
        (local.set $p (call $partition (local.get $lo) (local.get $hi)))
        (call $qsort_plain2 (local.get $lo) (i32.sub (local.get $p) (i32.const 1)))
        (call $qsort_plain2 (i32.add (local.get $p) (i32.const 1)) (local.get $hi))
        (global.set $live (i32.sub (global.get $live) (i32.const 1))))))
  (func (export "sort_plain2") (param $n i32) (result i32)
    (call $qsort_plain2 (i32.const 0) (i32.sub (local.get $n) (i32.const 1)))
    (global.get $live))
)
