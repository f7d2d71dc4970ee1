;; tables.wat: objects held by tables, globals and element segments, and
;; the runtime's array entry points on arrays of references
;; (tests/gc/gc_stress.c).
;;
;; $g is an object made by a constant expression, $seg a passive segment
;; of 8 objects made at instantiation (both held by the runtime's root
;; providers, not by any Wasm frame). fill(n) puts n objects into the
;; anyref table (growing it with an object as the fill value); check()
;; reads them all back after whatever collections happened in between,
;; as well as $g and a fresh array.new_elem of $seg. copies(n) runs
;; array.copy (overlapping, both directions), array.fill and
;; array.init_elem over arrays of references n times, allocating
;; between, and checks the arrays' contents each time; returns n.
(module
  (type $s (struct (field $v i64)))
  (type $refs (array (mut anyref)))
  (global $g (ref $s) (struct.new $s (i64.const 77)))
  (table $t 0 anyref)
  (elem $seg anyref
    (item (struct.new $s (i64.const 100))) (item (struct.new $s (i64.const 101)))
    (item (struct.new $s (i64.const 102))) (item (struct.new $s (i64.const 103)))
    (item (struct.new $s (i64.const 104))) (item (struct.new $s (i64.const 105)))
    (item (struct.new $s (i64.const 106))) (item (struct.new $s (i64.const 107))))

  (func $v (param $o anyref) (result i64)
    (struct.get $s $v (ref.cast (ref $s) (local.get $o))))

  (func (export "fill") (param $n i32)
    (local $i i32)
    (drop (table.grow $t (struct.new $s (i64.const -1)) (local.get $n)))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        ;; every other slot keeps the grow's fill value
        (if (i32.and (local.get $i) (i32.const 1))
          (then (table.set $t (local.get $i)
                  (struct.new $s (i64.extend_i32_u (local.get $i))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))

  ;; 1 when the table, $g and the segment hold what they should.
  (func (export "check") (result i32)
    (local $i i32) (local $a (ref null $refs))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (table.size $t)))
        (if (i64.ne (call $v (table.get $t (local.get $i)))
                    (select (i64.extend_i32_u (local.get $i)) (i64.const -1)
                            (i32.and (local.get $i) (i32.const 1))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (if (i64.ne (struct.get $s $v (global.get $g)) (i64.const 77)) (then (return (i32.const 0))))
    (local.set $a (array.new_elem $refs $seg (i32.const 0) (i32.const 8)))
    (local.set $i (i32.const 0))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (i32.const 8)))
        (if (i64.ne (call $v (array.get $refs (local.get $a) (local.get $i)))
                    (i64.add (i64.const 100) (i64.extend_i32_u (local.get $i))))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 1))

  (func $garbage (param $n i32)
    (block $end
      (loop $l
        (br_if $end (i32.eqz (local.get $n)))
        (drop (array.new_default $refs (i32.and (local.get $n) (i32.const 63))))
        (drop (struct.new $s (i64.const 0)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))

  ;; a[i] must hold the $s of value base + i for i in [0, len)
  (func $expect (param $a (ref $refs)) (param $base i64) (param $len i32)
    (local $i i32)
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (local.get $len)))
        (if (i64.ne (call $v (array.get $refs (local.get $a) (local.get $i)))
                    (i64.add (local.get $base) (i64.extend_i32_u (local.get $i))))
          (then unreachable))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))

  (func (export "copies") (param $n i32) (result i32)
    (local $k i32) (local $i i32) (local $a (ref null $refs)) (local $b (ref null $refs))
    (local $f (ref null $s))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $k) (local.get $n)))
        ;; a = [0, 1, ..., 599] as fresh objects (> 256 elements: traced in slices)
        (local.set $a (array.new_default $refs (i32.const 600)))
        (local.set $i (i32.const 0))
        (loop $mk
          (array.set $refs (local.get $a) (local.get $i)
            (struct.new $s (i64.extend_i32_u (local.get $i))))
          (br_if $mk (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                               (i32.const 600))))
        (local.set $b (array.new_default $refs (i32.const 600)))
        (array.copy $refs $refs (local.get $b) (i32.const 0) (local.get $a) (i32.const 0)
                    (i32.const 600))
        (local.set $a (ref.null $refs)) ;; b alone holds them now
        (call $garbage (i32.const 2000))
        (call $expect (ref.as_non_null (local.get $b)) (i64.const 0) (i32.const 600))
        ;; overlapping, upwards then back down
        (array.copy $refs $refs (local.get $b) (i32.const 100) (local.get $b) (i32.const 0)
                    (i32.const 500))
        (call $garbage (i32.const 1000))
        (call $expect (ref.as_non_null (local.get $b)) (i64.const 0) (i32.const 100))
        (array.copy $refs $refs (local.get $b) (i32.const 0) (local.get $b) (i32.const 100)
                    (i32.const 500))
        (call $garbage (i32.const 1000))
        (call $expect (ref.as_non_null (local.get $b)) (i64.const 0) (i32.const 500))
        ;; fill the tail with one fresh object, the head from the segment
        (local.set $f (struct.new $s (i64.const 555)))
        (array.fill $refs (local.get $b) (i32.const 500) (local.get $f) (i32.const 100))
        (local.set $f (ref.null $s))
        (array.init_elem $refs $seg (local.get $b) (i32.const 0) (i32.const 0) (i32.const 8))
        (call $garbage (i32.const 2000))
        (call $expect (ref.as_non_null (local.get $b)) (i64.const 100) (i32.const 8))
        (if (i64.ne (call $v (array.get $refs (local.get $b) (i32.const 599))) (i64.const 555))
          (then unreachable))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l)))
    (local.get $k))
)
