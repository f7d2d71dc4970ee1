;; tree.wat: references live across calls (tests/gc/gc_stress.c).
;;
;; make(d) builds a complete binary tree of depth d as struct.new(make(d -
;; 1), make(d - 1), d): the left subtree is an operand on the stack while
;; the right one is built, collections included. count(t) checks each
;; node's depth field and counts the nodes (2^(d+1) - 1).
;; binary(maxd, mind): the binary-trees benchmark: a tree of depth maxd
;; held in a local while, for d = mind, mind + 2, ... <= maxd,
;; 2^(maxd - d + mind) trees of depth d are built and counted; returns the
;; sum of all counts, the long-lived tree's last.
;; deep(n): n nested calls, each holding a fresh struct in a local and
;; another as an operand across the call below it, allocating garbage
;; on the way down; checked on the way up. Returns n.
;; hold(n): a tree of depth 10 in a local, and another as an operand,
;; while a callee allocates n trees of depth 6; both are counted after.
;; chain(n): n tail calls (return_call), each allocating a node linked to
;; the previous and trees of garbage: a frame left linked by a tail call
;; would be walked by the next collection after its stack was reused.
;; Returns the chain's length, n.
(module
  (type $tree (struct (field $l (ref null $tree)) (field $r (ref null $tree))
                      (field $d i32)))

  (func $make (export "make") (param $d i32) (result (ref $tree))
    (if (result (ref $tree)) (i32.eqz (local.get $d))
      (then (struct.new $tree (ref.null $tree) (ref.null $tree) (i32.const 0)))
      (else (struct.new $tree
              (call $make (i32.sub (local.get $d) (i32.const 1)))
              (call $make (i32.sub (local.get $d) (i32.const 1)))
              (local.get $d)))))

  (func $count (export "count") (param $t (ref null $tree)) (param $d i32) (result i32)
    (if (ref.is_null (local.get $t)) (then unreachable))
    (if (i32.ne (struct.get $tree $d (local.get $t)) (local.get $d)) (then unreachable))
    (if (result i32) (i32.eqz (local.get $d))
      (then
        (if (i32.eqz (i32.and (ref.is_null (struct.get $tree $l (local.get $t)))
                              (ref.is_null (struct.get $tree $r (local.get $t)))))
          (then unreachable))
        (i32.const 1))
      (else (i32.add (i32.const 1)
              (i32.add (call $count (struct.get $tree $l (local.get $t))
                                    (i32.sub (local.get $d) (i32.const 1)))
                       (call $count (struct.get $tree $r (local.get $t))
                                    (i32.sub (local.get $d) (i32.const 1))))))))

  (func (export "binary") (param $maxd i32) (param $mind i32) (result i64)
    (local $long (ref null $tree)) (local $d i32) (local $it i32) (local $s i64)
    (local.set $long (call $make (local.get $maxd)))
    (local.set $d (local.get $mind))
    (block $end
      (loop $depths
        (br_if $end (i32.gt_s (local.get $d) (local.get $maxd)))
        (local.set $it (i32.shl (i32.const 1)
          (i32.add (i32.sub (local.get $maxd) (local.get $d)) (local.get $mind))))
        (loop $iters
          (local.set $s (i64.add (local.get $s) (i64.extend_i32_u
            (call $count (call $make (local.get $d)) (local.get $d)))))
          (br_if $iters (local.tee $it (i32.sub (local.get $it) (i32.const 1)))))
        (local.set $d (i32.add (local.get $d) (i32.const 2)))
        (br $depths)))
    (i64.add (local.get $s)
             (i64.extend_i32_u (call $count (local.get $long) (local.get $maxd)))))

  ;; t must be a leaf made with depth field n at level n of deep.
  (func $leaf_is (param $t (ref null $tree)) (param $n i32) (param $r i32) (result i32)
    (if (i32.ne (struct.get $tree $d (local.get $t)) (local.get $n)) (then unreachable))
    (local.get $r))

  (func $deep (export "deep") (param $n i32) (result i32)
    (local $mine (ref null $tree)) (local $r i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $mine (struct.new $tree (ref.null $tree) (ref.null $tree) (local.get $n)))
    (drop (call $make (i32.const 3))) ;; garbage
    ;; an operand across the call: the fresh leaf is $leaf_is's first argument
    (local.set $r (call $leaf_is
      (struct.new $tree (local.get $mine) (ref.null $tree) (local.get $n))
      (local.get $n)
      (call $deep (i32.sub (local.get $n) (i32.const 1)))))
    (drop (call $make (i32.const 3)))
    (if (i32.ne (struct.get $tree $d (local.get $mine)) (local.get $n)) (then unreachable))
    (i32.add (local.get $r) (i32.const 1)))

  (func $garbage (param $n i32)
    (block $end
      (loop $l
        (br_if $end (i32.eqz (local.get $n)))
        (drop (call $make (i32.const 6)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))

  (func $count2 (param $a (ref null $tree)) (param $b (ref null $tree)) (param $unused i32)
        (result i32)
    (i32.add (call $count (local.get $a) (i32.const 10))
             (call $count (local.get $b) (i32.const 8))))

  (func (export "hold") (param $n i32) (result i32)
    (local $t (ref null $tree))
    (local.set $t (call $make (i32.const 10)))
    (call $count2 (local.get $t) (call $make (i32.const 8))
      (block (result i32) (call $garbage (local.get $n)) (i32.const 0))))

  (func $chain (param $prev (ref null $tree)) (param $n i32) (param $len i32) (result i32)
    (local $p (ref null $tree)) (local $k i32)
    (if (i32.eqz (local.get $n))
      (then
        ;; walk the chain through $l: len nodes, depth fields len - 1 .. 0
        (local.set $p (local.get $prev))
        (local.set $k (local.get $len))
        (block $end
          (loop $walk
            (br_if $end (ref.is_null (local.get $p)))
            (if (i32.ne (struct.get $tree $d (local.get $p))
                        (i32.sub (local.get $len) (i32.const 1)))
              (then unreachable))
            (local.set $len (i32.sub (local.get $len) (i32.const 1)))
            (local.set $p (struct.get $tree $l (local.get $p)))
            (br $walk)))
        (if (local.get $len) (then unreachable))
        (return (local.get $k))))
    (call $garbage (i32.const 4))
    (return_call $chain
      (struct.new $tree (local.get $prev) (call $make (i32.const 2)) (local.get $len))
      (i32.sub (local.get $n) (i32.const 1))
      (i32.add (local.get $len) (i32.const 1))))

  (func (export "chain") (param $n i32) (result i32)
    (call $chain (ref.null $tree) (local.get $n) (i32.const 0)))
)
