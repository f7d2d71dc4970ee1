;; ring.wat: cycles (tests/gc/gc_stress.c).
;;
;; rings(k, n) makes k rings of n nodes each (node i's next is i + 1, the
;; last's is the first), every node's side field an array of two anyrefs
;; [the previous node, an array that holds this array back]: cycles
;; through structs and arrays alike. Each ring is walked once around
;; (back to its first node, checked with ref.eq) and summed before it is
;; dropped, so all of them are garbage the collector must find through
;; their cycles. keep(n) makes one such ring and keeps it in $kept;
;; kept_sum() walks it (the sum of v = i over a ring is n * (n - 1) / 2,
;; plus n - 1 for the side arrays found intact: node 0 has none); unkeep()
;; drops it.
(module
  (type $refs (array (mut anyref)))
  (type $node (struct (field $v i64) (field $next (mut (ref null $node)))
                      (field $side (mut (ref null $refs)))))
  (global $kept (mut (ref null $node)) (ref.null $node))

  (func $ring (param $n i32) (result (ref $node))
    (local $first (ref null $node)) (local $prev (ref null $node))
    (local $node (ref null $node)) (local $i i32) (local $a (ref null $refs))
    (local $b (ref null $refs))
    (local.set $first (struct.new $node (i64.const 0) (ref.null $node) (ref.null $refs)))
    (local.set $prev (local.get $first))
    (local.set $i (i32.const 1))
    (block $end
      (loop $loop
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $node (struct.new $node (i64.extend_i32_u (local.get $i))
                                           (ref.null $node) (ref.null $refs)))
        (struct.set $node $next (local.get $prev) (local.get $node))
        ;; side: a = [prev, b], b = [a, node]
        (local.set $a (array.new $refs (local.get $prev) (i32.const 2)))
        (local.set $b (array.new_fixed $refs 2 (local.get $a) (local.get $node)))
        (array.set $refs (local.get $a) (i32.const 1) (local.get $b))
        (struct.set $node $side (local.get $node) (local.get $a))
        (local.set $prev (local.get $node))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (struct.set $node $next (local.get $prev) (local.get $first))
    (ref.as_non_null (local.get $first)))

  ;; Once around from first: the sum of v plus one per intact side array.
  (func $walk (param $first (ref $node)) (param $n i32) (result i64)
    (local $p (ref null $node)) (local $prev (ref null $node)) (local $s i64)
    (local $i i32) (local $a (ref null $refs)) (local $b (ref null $refs))
    (local.set $p (local.get $first))
    (loop $loop
      (if (i64.ne (struct.get $node $v (local.get $p)) (i64.extend_i32_u (local.get $i)))
        (then unreachable))
      (local.set $s (i64.add (local.get $s) (struct.get $node $v (local.get $p))))
      (local.set $a (struct.get $node $side (local.get $p)))
      (if (i32.eqz (ref.is_null (local.get $a)))
        (then
          (local.set $b (ref.cast (ref $refs) (array.get $refs (local.get $a) (i32.const 1))))
          (if (i32.and
                (i32.and (ref.eq (ref.cast eqref (array.get $refs (local.get $a) (i32.const 0)))
                                 (local.get $prev))
                         (ref.eq (ref.cast eqref (array.get $refs (local.get $b) (i32.const 0)))
                                 (local.get $a)))
                (ref.eq (ref.cast eqref (array.get $refs (local.get $b) (i32.const 1)))
                        (local.get $p)))
            (then (local.set $s (i64.add (local.get $s) (i64.const 1))))
            (else unreachable))))
      (local.set $prev (local.get $p))
      (local.set $p (struct.get $node $next (local.get $p)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $loop (i32.lt_u (local.get $i) (local.get $n))))
    (if (i32.eqz (ref.eq (local.get $p) (local.get $first))) (then unreachable))
    (local.get $s))

  (func (export "rings") (param $k i32) (param $n i32) (result i64)
    (local $j i32) (local $s i64)
    (block $end
      (loop $loop
        (br_if $end (i32.ge_u (local.get $j) (local.get $k)))
        (local.set $s (i64.add (local.get $s)
          (call $walk (call $ring (local.get $n)) (local.get $n))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $loop)))
    (local.get $s))

  (func (export "keep") (param $n i32) (global.set $kept (call $ring (local.get $n))))
  (func (export "kept_sum") (param $n i32) (result i64)
    (call $walk (ref.as_non_null (global.get $kept)) (local.get $n)))
  (func (export "unkeep") (global.set $kept (ref.null $node)))
)
