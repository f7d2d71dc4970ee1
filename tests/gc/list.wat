;; list.wat: long-lived linked lists (tests/gc/gc_stress.c).
;;
;; The list is in the global $head, node i (counted from the tail, the
;; first made) holding v = 7i + 1 and, when made with a payload, an i8
;; array of paylen bytes, each i & 255. build(n, paylen) makes a list of n
;; nodes in a local (only the shadow stack roots it while it grows) and
;; puts it in $head; grow(n, paylen) adds n nodes to $head one at a time
;; (the heap-limit test: the list in the global survives the trap "out of
;; memory", whole); sum() walks the list, checks every node and payload
;; and returns the sum of v (7 * c * (c - 1) / 2 + c for c nodes);
;; length() counts the nodes; drop() empties it.
(module
  (type $bytes (array (mut i8)))
  (type $node (struct (field $v i64) (field $next (ref null $node))
                      (field $pay (ref null $bytes))))
  (global $head (mut (ref null $node)) (ref.null $node))
  (global $count (mut i32) (i32.const 0))

  (func $payload (param $i i32) (param $paylen i32) (result (ref null $bytes))
    (if (result (ref null $bytes)) (local.get $paylen)
      (then (array.new $bytes (local.get $i) (local.get $paylen)))
      (else (ref.null $bytes))))

  (func (export "build") (param $n i32) (param $paylen i32) (result i32)
    (local $l (ref null $node)) (local $i i32)
    (local.set $l (global.get $head))
    (local.set $i (global.get $count))
    (global.set $head (ref.null $node))
    (block $end
      (loop $loop
        (br_if $end (i32.ge_u (local.get $i) (i32.add (global.get $count) (local.get $n))))
        ;; the list so far is a local and then an operand of struct.new
        ;; while $payload allocates
        (local.set $l (struct.new $node
          (i64.add (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 7)) (i64.const 1))
          (local.get $l)
          (call $payload (local.get $i) (local.get $paylen))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loop)))
    (global.set $head (local.get $l))
    (global.set $count (local.get $i))
    (local.get $i))

  (func (export "grow") (param $n i32) (param $paylen i32) (result i32)
    (local $k i32)
    (block $end
      (loop $loop
        (br_if $end (i32.ge_u (local.get $k) (local.get $n)))
        (global.set $head (struct.new $node
          (i64.add (i64.mul (i64.extend_i32_u (global.get $count)) (i64.const 7)) (i64.const 1))
          (global.get $head)
          (call $payload (global.get $count) (local.get $paylen))))
        (global.set $count (i32.add (global.get $count) (i32.const 1)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $loop)))
    (global.get $count))

  (func (export "sum") (result i64)
    (local $l (ref null $node)) (local $s i64) (local $i i32) (local $p (ref null $bytes))
    (local $j i32)
    (local.set $l (global.get $head))
    (local.set $i (global.get $count))
    (block $end
      (loop $loop
        (br_if $end (ref.is_null (local.get $l)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (if (i64.ne (struct.get $node $v (local.get $l))
                    (i64.add (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 7))
                             (i64.const 1)))
          (then unreachable))
        (local.set $s (i64.add (local.get $s) (struct.get $node $v (local.get $l))))
        (local.set $p (struct.get $node $pay (local.get $l)))
        (if (i32.eqz (ref.is_null (local.get $p)))
          (then
            (local.set $j (i32.const 0))
            (block $pend
              (loop $ploop
                (br_if $pend (i32.ge_u (local.get $j) (array.len (local.get $p))))
                (if (i32.ne (array.get_u $bytes (local.get $p) (local.get $j))
                            (i32.and (local.get $i) (i32.const 255)))
                  (then unreachable))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $ploop)))))
        (local.set $l (struct.get $node $next (local.get $l)))
        (br $loop)))
    (if (local.get $i) (then unreachable)) ;; as many nodes as $count says
    (local.get $s))

  (func (export "length") (result i32) (global.get $count))

  (func (export "drop")
    (global.set $head (ref.null $node))
    (global.set $count (i32.const 0)))
)
