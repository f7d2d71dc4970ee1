;; bench/gc/shapes.wat: casts over a subtype hierarchy, and i31 (our own
;; code). A table of 4,096 slots (an array of anyref) holds shapes:
;; circles, rectangles, squares (a subtype of rectangle), triangles, and
;; i31 values standing for unit-area blobs (no allocation). Each of
;; argv[1] x 100,000 steps replaces one random slot with a new shape of a
;; random kind (most steps allocate; the one replaced becomes garbage) and
;; adds up the areas of four other random slots, found by dispatching on
;; the run-time type: br_on_cast for i31, ref.test for the struct types
;; (square before rectangle: a square is one), ref.cast for the last.
;; Integer areas from a 32-bit LCG; the checksum is the sum of all areas
;; computed and of every shape's id.
(module
  (type $shape (sub (struct (field $id i32))))
  (type $circle (sub final $shape (struct (field $id i32) (field $r i32))))
  (type $rect (sub $shape (struct (field $id i32) (field $w i32) (field $h i32))))
  (type $square (sub final $rect (struct (field $id i32) (field $w i32) (field $h i32))))
  (type $tri (sub final $shape (struct (field $id i32) (field $b i32) (field $h i32))))
  (type $slots (array (mut anyref)))

  ;; @WASI@

  (func $default (result i32) (i32.const 20))

  (global $seed (mut i32) (i32.const 42))
  (func $rand (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1664525))
                               (i32.const 1013904223)))
    (global.get $seed))

  ;; A new shape of kind x % 5 with sizes from x, or an i31.
  (func $make (param $x i32) (param $id i32) (result anyref)
    (local $a i32) (local $b i32)
    (local.set $a (i32.add (i32.and (i32.shr_u (local.get $x) (i32.const 8))
                                    (i32.const 255)) (i32.const 1)))
    (local.set $b (i32.add (i32.and (i32.shr_u (local.get $x) (i32.const 16))
                                    (i32.const 255)) (i32.const 1)))
    (block $i31
      (block $tri
        (block $square
          (block $rect
            (block $circle
              (br_table $circle $rect $square $tri $i31
                (i32.rem_u (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 5))))
            (return (struct.new $circle (local.get $id) (local.get $a))))
          (return (struct.new $rect (local.get $id) (local.get $a) (local.get $b))))
        (return (struct.new $square (local.get $id) (local.get $a) (local.get $a))))
      (return (struct.new $tri (local.get $id) (local.get $a) (local.get $b))))
    (ref.i31 (local.get $a)))

  (func $area (param $o anyref) (result i64)
    (local $s (ref $shape))
    (block $not_i31 (result anyref)
      (return (i64.extend_i32_u (i31.get_u
        (br_on_cast_fail $not_i31 anyref (ref i31) (local.get $o))))))
    (local.set $s (ref.cast (ref $shape)))
    (i64.add (i64.extend_i32_u (struct.get $shape $id (local.get $s)))
      (if (result i64) (ref.test (ref $circle) (local.get $s))
        (then
          (i64.mul (i64.const 3)
            (i64.extend_i32_u (i32.mul
              (struct.get $circle $r (ref.cast (ref $circle) (local.get $s)))
              (struct.get $circle $r (ref.cast (ref $circle) (local.get $s)))))))
        (else
          (if (result i64) (ref.test (ref $square) (local.get $s))
            (then
              (i64.extend_i32_u (i32.mul
                (struct.get $square $w (ref.cast (ref $square) (local.get $s)))
                (struct.get $square $w (ref.cast (ref $square) (local.get $s))))))
            (else
              (if (result i64) (ref.test (ref $rect) (local.get $s))
                (then
                  (i64.extend_i32_u (i32.mul
                    (struct.get $rect $w (ref.cast (ref $rect) (local.get $s)))
                    (struct.get $rect $h (ref.cast (ref $rect) (local.get $s))))))
                (else
                  (i64.extend_i32_u (i32.shr_u (i32.mul
                    (struct.get $tri $b (ref.cast (ref $tri) (local.get $s)))
                    (struct.get $tri $h (ref.cast (ref $tri) (local.get $s))))
                    (i32.const 1)))))))))))

  (func $run (export "run") (param $n i32) (result i64)
    (local $slots (ref $slots)) (local $steps i32) (local $i i32) (local $x i32)
    (local $k i32) (local $sum i64)
    (local.set $slots (array.new_default $slots (i32.const 4096)))
    (loop $fill
      (array.set $slots (local.get $slots) (local.get $i)
        (call $make (call $rand) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 4096))))
    (local.set $steps (i32.mul (local.get $n) (i32.const 100000)))
    (local.set $i (i32.const 0))
    (loop $step
      (local.set $x (call $rand))
      (array.set $slots (local.get $slots) (i32.and (local.get $x) (i32.const 4095))
        (call $make (call $rand) (local.get $i)))
      (local.set $k (i32.const 0))
      (loop $look
        (local.set $sum (i64.add (local.get $sum)
          (call $area (array.get $slots (local.get $slots)
            (i32.and (call $rand) (i32.const 4095))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $look (i32.lt_u (local.get $k) (i32.const 4))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $step (i32.lt_u (local.get $i) (local.get $steps))))
    (local.get $sum))
)
