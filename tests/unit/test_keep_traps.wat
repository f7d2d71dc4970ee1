;; Functions for test_keep_traps.c: which Wasm loads keep_traps (guard-page
;; mode) releases to plain loads at -O2, and which stay volatile.
(module
  (memory 1)
  (global $c (mut i32) (i32.const 0))
  ;; 0: a sum reduction; the accumulator goes round the loop's phi
  (func $sum (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
    (block $out (loop $l
      (br_if $out (i32.eqz (local.get $n)))
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $s))
  ;; 1: a float maximum; the load is a select value and feeds its condition
  (func $fmax (export "fmax") (param $p i32) (param $n i32) (result f32) (local $m f32) (local $x f32)
    (block $out (loop $l
      (br_if $out (i32.eqz (local.get $n)))
      (local.set $x (f32.load (local.get $p)))
      (local.set $m (select (local.get $x) (local.get $m) (f32.gt (local.get $x) (local.get $m))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $m))
  ;; 2: a load that is only a select's value: may be skipped by a branch
  (func $select_only (export "select-only") (param i32) (result i64)
    (select (i64.const 7) (i64.load (local.get 0)) (global.get $c)))
)
