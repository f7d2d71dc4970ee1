;; mutual_tail_calls.wast: an endless-looking mutual recursion of three
;; functions with different signatures, more parameters than any target
;; has argument registers (12 and 20, with 10 floats), through
;; return_call and return_call_indirect. 10^8 tail calls must run in
;; constant native stack: as ordinary calls they would exhaust the stack
;; ("call stack exhausted") after well under a million frames. Every
;; argument is folded into the accumulator, so a misplaced argument
;; changes the result.
(module
  (type $tc (func (param f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 i64
                         i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $c)

  (func $a (export "run")
    (param $n i32) (param $acc i64) (param $x f32) (param $y f64)
    (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $p5 i32) (param $p6 i32) (param $p7 i32) (param $p8 i32)
    (result i64)
    (if (i32.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call $b
      (i64.add (local.get $acc)
        (i64.extend_i32_u
          (i32.add
            (i32.add
              (i32.add (i32.add (local.get $p1) (local.get $p2))
                       (i32.add (local.get $p3) (local.get $p4)))
              (i32.add (i32.add (local.get $p5) (local.get $p6))
                       (i32.add (local.get $p7) (local.get $p8))))
            (i32.add (i32.trunc_f32_u (local.get $x))
                     (i32.trunc_f64_u (local.get $y))))))
      (i32.sub (local.get $n) (i32.const 1))))

  (func $b (param $acc i64) (param $n i32) (result i64)
    (if (i32.eqz (local.get $n)) (then (return (local.get $acc))))
    (return_call_indirect (type $tc)
      (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1)
      (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1) (f64.const 1)
      (local.get $acc)
      (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
      (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8)
      (i32.sub (local.get $n) (i32.const 1))
      (i32.const 0)))

  (func $c (type $tc)
    (local $acc i64)
    (local.set $acc
      (i64.add (local.get 10)
        (i64.add
          (i64.trunc_f64_u
            (f64.add
              (f64.add
                (f64.add (f64.add (local.get 0) (local.get 1))
                         (f64.add (local.get 2) (local.get 3)))
                (f64.add (f64.add (local.get 4) (local.get 5))
                         (f64.add (local.get 6) (local.get 7))))
              (f64.add (local.get 8) (local.get 9))))
          (i64.extend_i32_u
            (i32.add
              (i32.add (i32.add (local.get 11) (local.get 12))
                       (i32.add (local.get 13) (local.get 14)))
              (i32.add (i32.add (local.get 15) (local.get 16))
                       (i32.add (local.get 17) (local.get 18))))))))
    (if (i32.eqz (local.get 19)) (then (return (local.get $acc))))
    (return_call $a
      (i32.sub (local.get 19) (i32.const 1)) (local.get $acc)
      (f32.const 2) (f64.const 3)
      (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
      (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8)))
)

(assert_return
  (invoke "run" (i32.const 10) (i64.const 0) (f32.const 2) (f64.const 3)
    (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
    (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8))
  (i64.const 302))
(assert_return
  (invoke "run" (i32.const 100000000) (i64.const 0) (f32.const 2) (f64.const 3)
    (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)
    (i32.const 5) (i32.const 6) (i32.const 7) (i32.const 8))
  (i64.const 2900000012))
