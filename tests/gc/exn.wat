;; exn.wat: exceptions thrown through frames that hold references
;; (tests/gc/gc_stress.c).
;;
;; run(d, v): $top holds a box in a local and calls $middle, which holds
;; another and calls $thrower, which recurses d levels, each holding a box
;; (and an array in it) in a local, and at the bottom allocates garbage
;; and throws $e with a fresh box in the payload. $middle catches it with
;; catch_ref, allocates garbage while the exception (and the box in its
;; payload) is held only by the exnref, and rethrows it with throw_ref;
;; $top catches it with catch, allocates garbage again, and checks the
;; payload box and its own. Returns 3 * v + 3 (the payload value, the
;; payload box's and its own box's, v + 3).
;; uncaught(v): throws $e with a box (v, array of 100 x v) to the host;
;; check_box(b, v) checks such a box (1 when intact).
;; loop_catch(n, v): n throws caught by catch in the same frame, each
;; payload box checked after garbage.
(module
  (type $longs (array (mut i64)))
  (type $box (struct (field $v i64) (field $arr (ref null $longs))))
  (type $small (struct (field i64)))
  (tag $e (export "e") (param (ref null $box) i64))

  (func $box (param $v i64) (param $len i32) (result (ref $box))
    (struct.new $box (local.get $v) (array.new $longs (local.get $v) (local.get $len))))

  ;; 1 when b holds v and an array of len elements, each v.
  (func $check (export "check_box") (param $b anyref) (param $v i64) (result i32)
    (local $x (ref null $box)) (local $a (ref null $longs)) (local $i i32)
    (if (i32.eqz (ref.test (ref $box) (local.get $b))) (then (return (i32.const 0))))
    (local.set $x (ref.cast (ref $box) (local.get $b)))
    (if (i64.ne (struct.get $box $v (local.get $x)) (local.get $v)) (then (return (i32.const 0))))
    (local.set $a (struct.get $box $arr (local.get $x)))
    (if (ref.is_null (local.get $a)) (then (return (i32.const 0))))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (array.len (local.get $a))))
        (if (i64.ne (array.get $longs (local.get $a) (local.get $i)) (local.get $v))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 1))

  (func $garbage (param $n i32)
    (block $end
      (loop $l
        (br_if $end (i32.eqz (local.get $n)))
        (drop (struct.new $small (i64.extend_i32_u (local.get $n))))
        (drop (array.new $longs (i64.const 1) (i32.and (local.get $n) (i32.const 63))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))

  (func $thrower (param $d i32) (param $v i64)
    (local $mine (ref null $box))
    (local.set $mine (call $box (i64.add (local.get $v) (i64.extend_i32_u (local.get $d)))
                                (i32.const 8)))
    (if (i32.eqz (local.get $d))
      (then
        (call $garbage (i32.const 3000))
        (throw $e (call $box (local.get $v) (i32.const 100)) (local.get $v))))
    (call $thrower (i32.sub (local.get $d) (i32.const 1)) (local.get $v))
    unreachable)

  (func $middle (param $d i32) (param $v i64)
    (local $keep (ref null $box)) (local $x exnref)
    (local.set $keep (call $box (i64.add (local.get $v) (i64.const 1)) (i32.const 16)))
    (block $h (result (ref null $box) i64 exnref)
      (try_table (catch_ref $e $h)
        (call $thrower (local.get $d) (local.get $v)))
      unreachable)
    (local.set $x)
    (drop)
    (drop)
    (call $garbage (i32.const 3000)) ;; the payload box is held by $x alone
    (if (i32.eqz (call $check (local.get $keep) (i64.add (local.get $v) (i64.const 1))))
      (then unreachable))
    (throw_ref (local.get $x)))

  (func (export "run") (param $d i32) (param $v i64) (result i64)
    (local $top (ref null $box)) (local $b (ref null $box)) (local $pv i64)
    (local.set $top (call $box (i64.add (local.get $v) (i64.const 3)) (i32.const 32)))
    (block $h (result (ref null $box) i64)
      (try_table (catch $e $h)
        (call $middle (local.get $d) (local.get $v)))
      unreachable)
    (local.set $pv)
    (local.set $b)
    (call $garbage (i32.const 3000))
    (if (i32.eqz (call $check (local.get $b) (local.get $v))) (then unreachable))
    (if (i32.eqz (call $check (local.get $top) (i64.add (local.get $v) (i64.const 3))))
      (then unreachable))
    (i64.add (i64.add (local.get $pv) (struct.get $box $v (local.get $b)))
             (struct.get $box $v (local.get $top))))

  (func (export "uncaught") (param $v i64)
    (throw $e (call $box (local.get $v) (i32.const 100)) (local.get $v)))

  (func (export "loop_catch") (param $n i32) (param $v i64) (result i32)
    (local $i i32) (local $b (ref null $box))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (block $h (result (ref null $box) i64)
          (try_table (catch $e $h)
            (call $thrower (i32.const 3)
                           (i64.add (local.get $v) (i64.extend_i32_u (local.get $i)))))
          unreachable)
        (drop)
        (local.set $b)
        (call $garbage (i32.const 500))
        (if (i32.eqz (call $check (local.get $b)
                                  (i64.add (local.get $v) (i64.extend_i32_u (local.get $i)))))
          (then unreachable))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $i))
)
