;; bench/gc/binary_trees.wat: the classic binary-trees allocation benchmark
;; as Wasm GC (our own code): a stretch tree of depth max+1, a long-lived
;; tree of depth max kept for the whole run, then 2^(max-d+4) short-lived
;; trees of each depth d = 4, 6, .., max, each checked by counting its
;; nodes. max = argv[1] (at least 6). Every node is a struct of two
;; nullable references (a leaf has two nulls). The checksum is the sum of
;; all node counts: the stretch tree's, every short-lived tree's and the
;; long-lived tree's. binary_trees.c is the same algorithm with malloc/free.
(module
  (type $node (struct (field $left (ref null $node))
                      (field $right (ref null $node))))

  ;; @WASI@

  (func $default (result i32) (i32.const 16))

  (func $make (param $d i32) (result (ref $node))
    (if (result (ref $node)) (i32.eqz (local.get $d))
      (then (struct.new_default $node))
      (else
        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
        (struct.new $node (call $make (local.get $d))
                          (call $make (local.get $d))))))

  (func $check (param $t (ref $node)) (result i32)
    (local $l (ref null $node))
    (local.set $l (struct.get $node $left (local.get $t)))
    (if (result i32) (ref.is_null (local.get $l))
      (then (i32.const 1))
      (else
        (i32.add (i32.add (i32.const 1) (call $check (ref.as_non_null (local.get $l))))
                 (call $check (ref.as_non_null
                                (struct.get $node $right (local.get $t))))))))

  (func $run (export "run") (param $n i32) (result i64)
    (local $max i32) (local $long (ref null $node)) (local $sum i64)
    (local $d i32) (local $iters i32) (local $i i32) (local $c i64)
    (local.set $max (select (local.get $n) (i32.const 6)
                            (i32.gt_s (local.get $n) (i32.const 6))))
    ;; stretch
    (local.set $sum (i64.extend_i32_u
      (call $check (call $make (i32.add (local.get $max) (i32.const 1))))))
    (local.set $long (call $make (local.get $max)))
    (local.set $d (i32.const 4))
    (loop $depths
      (local.set $iters (i32.shl (i32.const 1)
        (i32.add (i32.sub (local.get $max) (local.get $d)) (i32.const 4))))
      (local.set $c (i64.const 0))
      (local.set $i (i32.const 0))
      (loop $trees
        (local.set $c (i64.add (local.get $c)
          (i64.extend_i32_u (call $check (call $make (local.get $d))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $trees (i32.lt_u (local.get $i) (local.get $iters))))
      (local.set $sum (i64.add (local.get $sum) (local.get $c)))
      (local.set $d (i32.add (local.get $d) (i32.const 2)))
      (br_if $depths (i32.le_s (local.get $d) (local.get $max))))
    (i64.add (local.get $sum)
             (i64.extend_i32_u (call $check (ref.as_non_null (local.get $long))))))
)
