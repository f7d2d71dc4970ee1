;; mixed.wat: anyref arrays mixing structs, arrays, i31s and host values;
;; casts over reused memory; a host function across collections; objects
;; for host handles (tests/gc/gc_stress.c).
;;
;; mix(n, seed, ext) keeps a window of 64 anyrefs; round i replaces
;; element i & 63 by one of: an $A (x, -x), a $B (x, x / 2) (the same
;; size class as $A, so their cells are reused for one another), an i31,
;; the host value ext (any.convert_extern), or a $C array [x, x, x]; the
;; element replaced is first classified with br_on_cast and its fields
;; checked against the x it was made from ("unreachable" when wrong).
;; Every 4096th round the element goes to the host function host.pass
;; (anyref, externref) -> (anyref, externref), which collects, may call
;; back into garbage(), and must return both as they were. Returns the
;; number of elements checked (n).
;; make_obj(v, len) -> an $H (v, 2v, an i64 array of len x v);
;; check_obj(o, v) is 1 when o is such an $H, intact.
(module
  (import "host" "pass" (func $pass (param anyref externref) (result anyref externref)))
  (type $base (sub (struct (field $k i64))))
  (type $A (sub final $base (struct (field $k i64) (field $w i64))))
  (type $B (struct (field $f f64) (field $g f64)))
  (type $C (array (mut i64)))
  (type $refs (array (mut anyref)))
  (type $ints (array (mut i32)))
  (type $H (struct (field $v i64) (field $w i64) (field $big (ref $C))))

  (func $next (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
  (func $kind (param $x i32) (result i32)
    (i32.rem_u (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 5)))

  (func $garbage (export "garbage") (param $n i32)
    (block $end
      (loop $l
        (br_if $end (i32.eqz (local.get $n)))
        (drop (struct.new $A (i64.const 1) (i64.const 2)))
        (drop (struct.new $B (f64.const 1) (f64.const 2)))
        (drop (array.new $C (i64.const 3) (i32.and (local.get $n) (i32.const 31))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))

  ;; 0: $A, 1: $B, 2: i31, 3: a host value, 4: $C, -1: null.
  (func $classify (param $o anyref) (result i32)
    (drop (block $a (result (ref $A))
      (drop (block $b (result (ref $B))
        (drop (block $i (result (ref i31))
          (drop (block $c (result (ref $C))
            (local.get $o)
            (br_on_cast $a anyref (ref $A))
            (br_on_cast $b anyref (ref $B))
            (br_on_cast $i anyref (ref i31))
            (br_on_cast $c anyref (ref $C))
            (ref.is_null)
            (if (result i32) (then (i32.const -1)) (else (i32.const 3)))
            (return)))
          (return (i32.const 4))))
        (return (i32.const 2))))
      (return (i32.const 1))))
    (i32.const 0))

  (func $make (param $x i32) (param $ext externref) (result anyref)
    (local $k i32)
    (local.set $k (call $kind (local.get $x)))
    (if (i32.eq (local.get $k) (i32.const 0))
      (then (return (struct.new $A (i64.extend_i32_s (local.get $x))
                                   (i64.sub (i64.const 0) (i64.extend_i32_s (local.get $x)))))))
    (if (i32.eq (local.get $k) (i32.const 1))
      (then (return (struct.new $B (f64.convert_i32_s (local.get $x))
                                   (f64.mul (f64.convert_i32_s (local.get $x)) (f64.const 0.5))))))
    (if (i32.eq (local.get $k) (i32.const 2))
      (then (return (ref.i31 (local.get $x)))))
    (if (i32.eq (local.get $k) (i32.const 3))
      (then (return (any.convert_extern (local.get $ext)))))
    (array.new_fixed $C 3 (i64.extend_i32_s (local.get $x)) (i64.extend_i32_s (local.get $x))
                          (i64.extend_i32_s (local.get $x))))

  ;; o must be what $make made for x.
  (func $check (param $o anyref) (param $x i32)
    (local $k i32) (local $c (ref null $C))
    (local.set $k (call $kind (local.get $x)))
    (if (i32.ne (call $classify (local.get $o)) (local.get $k)) (then unreachable))
    ;; the subtype test agrees: only an $A is a $base
    (if (i32.ne (ref.test (ref $base) (local.get $o)) (i32.eqz (local.get $k)))
      (then unreachable))
    (if (i32.eq (local.get $k) (i32.const 0))
      (then
        (if (i64.ne (struct.get $base $k (ref.cast (ref $base) (local.get $o)))
                    (i64.extend_i32_s (local.get $x)))
          (then unreachable))
        (if (i64.ne (i64.add (struct.get $A $k (ref.cast (ref $A) (local.get $o)))
                             (struct.get $A $w (ref.cast (ref $A) (local.get $o))))
                    (i64.const 0))
          (then unreachable))))
    (if (i32.eq (local.get $k) (i32.const 1))
      (then
        (if (f64.ne (struct.get $B $f (ref.cast (ref $B) (local.get $o)))
                    (f64.convert_i32_s (local.get $x)))
          (then unreachable))
        (if (f64.ne (struct.get $B $g (ref.cast (ref $B) (local.get $o)))
                    (f64.mul (f64.convert_i32_s (local.get $x)) (f64.const 0.5)))
          (then unreachable))))
    (if (i32.eq (local.get $k) (i32.const 2))
      (then
        (if (i32.ne (i31.get_u (ref.cast (ref i31) (local.get $o)))
                    (i32.and (local.get $x) (i32.const 0x7fffffff)))
          (then unreachable))))
    (if (i32.eq (local.get $k) (i32.const 4))
      (then
        (local.set $c (ref.cast (ref $C) (local.get $o)))
        (if (i32.ne (array.len (local.get $c)) (i32.const 3)) (then unreachable))
        (if (i64.ne (i64.add (array.get $C (local.get $c) (i32.const 0))
                             (i64.add (array.get $C (local.get $c) (i32.const 1))
                                      (array.get $C (local.get $c) (i32.const 2))))
                    (i64.mul (i64.extend_i32_s (local.get $x)) (i64.const 3)))
          (then unreachable)))))

  (func (export "mix") (param $n i32) (param $seed i32) (param $ext externref) (result i32)
    (local $i i32) (local $x i32) (local $j i32) (local $checked i32)
    (local $win (ref null $refs)) (local $xs (ref null $ints))
    (local $o anyref) (local $back anyref)
    (local.set $win (array.new_default $refs (i32.const 64)))
    (local.set $xs (array.new_default $ints (i32.const 64)))
    (local.set $x (local.get $seed))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (call $next (local.get $x)))
        (local.set $j (i32.and (local.get $i) (i32.const 63)))
        (if (i32.ge_u (local.get $i) (i32.const 64))
          (then
            (call $check (array.get $refs (local.get $win) (local.get $j))
                         (array.get $ints (local.get $xs) (local.get $j)))
            (local.set $checked (i32.add (local.get $checked) (i32.const 1)))))
        (local.set $o (call $make (local.get $x) (local.get $ext)))
        (if (i32.eqz (i32.and (local.get $i) (i32.const 4095)))
          (then
            ;; across the host: it collects, and hands both back
            (call $pass (local.get $o) (local.get $ext))
            (local.set $ext)
            (local.set $back)
            (if (ref.test eqref (local.get $o))
              (then (if (i32.eqz (ref.eq (ref.cast eqref (local.get $back))
                                         (ref.cast eqref (local.get $o))))
                      (then unreachable))))
            (call $check (local.get $back) (local.get $x))))
        (array.set $refs (local.get $win) (local.get $j) (local.get $o))
        (array.set $ints (local.get $xs) (local.get $j) (local.get $x))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.set $j (i32.const 0))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $j) (select (local.get $n) (i32.const 64)
                                                     (i32.lt_u (local.get $n) (i32.const 64)))))
        (call $check (array.get $refs (local.get $win) (local.get $j))
                     (array.get $ints (local.get $xs) (local.get $j)))
        (local.set $checked (i32.add (local.get $checked) (i32.const 1)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $l)))
    (local.get $checked))

  (func (export "make_obj") (param $v i64) (param $len i32) (result (ref $H))
    (struct.new $H (local.get $v) (i64.mul (local.get $v) (i64.const 2))
                   (array.new $C (local.get $v) (local.get $len))))

  (func (export "check_obj") (param $o anyref) (param $v i64) (result i32)
    (local $h (ref null $H)) (local $c (ref null $C)) (local $i i32)
    (if (i32.eqz (ref.test (ref $H) (local.get $o))) (then (return (i32.const 0))))
    (local.set $h (ref.cast (ref $H) (local.get $o)))
    (if (i64.ne (struct.get $H $v (local.get $h)) (local.get $v)) (then (return (i32.const 0))))
    (if (i64.ne (struct.get $H $w (local.get $h)) (i64.mul (local.get $v) (i64.const 2)))
      (then (return (i32.const 0))))
    (local.set $c (struct.get $H $big (local.get $h)))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (array.len (local.get $c))))
        (if (i64.ne (array.get $C (local.get $c) (local.get $i)) (local.get $v))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 1))
)
