;; bench/gc/queue_churn.wat: medium-lived objects (our own code). A FIFO
;; queue (a linked list of cells, each holding a key and a small mutable
;; i32 array of 1-8 elements) is kept at 65,536 entries while
;; argv[1] x 100,000 operations each push a new cell with a new array and
;; pop the oldest one, whose array is summed. So every object lives for
;; 65,536 operations (a live set of about 5 MB that a generational
;; collector must promote) and dies in FIFO order. Keys and array
;; contents come from a 32-bit LCG. The checksum is the sum of every
;; popped array's elements plus its key times its length, and of what is
;; left in the queue at the end.
(module
  (type $data (array (mut i32)))
  (type $cell (struct (field $next (mut (ref null $cell)))
                      (field $key i32)
                      (field $data (ref $data))))
  (type $queue (struct (field $head (mut (ref null $cell)))
                       (field $tail (mut (ref null $cell)))))

  ;; @WASI@

  (func $default (result i32) (i32.const 20))

  (global $seed (mut i32) (i32.const 12345))
  (func $rand (result i32)
    (global.set $seed (i32.add (i32.mul (global.get $seed) (i32.const 1103515245))
                               (i32.const 12345)))
    (global.get $seed))

  (func $push (param $q (ref $queue)) (param $key i32)
    (local $a (ref $data)) (local $c (ref $cell)) (local $len i32) (local $i i32)
    (local.set $len (i32.add (i32.and (i32.shr_u (local.get $key) (i32.const 28))
                                      (i32.const 7))
                             (i32.const 1)))
    (local.set $a (array.new_default $data (local.get $len)))
    (loop $fill
      (array.set $data (local.get $a) (local.get $i)
        (i32.and (call $rand) (i32.const 0xffff)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (local.get $len))))
    (local.set $c (struct.new $cell (ref.null $cell) (local.get $key) (local.get $a)))
    (if (ref.is_null (struct.get $queue $tail (local.get $q)))
      (then (struct.set $queue $head (local.get $q) (local.get $c)))
      (else (struct.set $cell $next
              (ref.as_non_null (struct.get $queue $tail (local.get $q)))
              (local.get $c))))
    (struct.set $queue $tail (local.get $q) (local.get $c)))

  ;; Pops the oldest cell (the queue is not empty) and returns its sum.
  (func $pop (param $q (ref $queue)) (result i64)
    (local $c (ref $cell)) (local $a (ref $data)) (local $i i32) (local $s i64)
    (local.set $c (ref.as_non_null (struct.get $queue $head (local.get $q))))
    (struct.set $queue $head (local.get $q) (struct.get $cell $next (local.get $c)))
    (if (ref.is_null (struct.get $queue $head (local.get $q)))
      (then (struct.set $queue $tail (local.get $q) (ref.null $cell))))
    (local.set $a (struct.get $cell $data (local.get $c)))
    (loop $sum
      (local.set $s (i64.add (local.get $s)
        (i64.extend_i32_u (array.get $data (local.get $a) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $sum (i32.lt_u (local.get $i) (array.len (local.get $a)))))
    (i64.add (local.get $s)
      (i64.mul (i64.extend_i32_u (struct.get $cell $key (local.get $c)))
               (i64.extend_i32_u (array.len (local.get $a))))))

  (func $run (export "run") (param $n i32) (result i64)
    (local $q (ref $queue)) (local $ops i32) (local $i i32) (local $sum i64)
    (local.set $q (struct.new_default $queue))
    (local.set $ops (i32.mul (local.get $n) (i32.const 100000)))
    (loop $fill
      (call $push (local.get $q) (call $rand))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 65536))))
    (local.set $i (i32.const 0))
    (loop $churn
      (call $push (local.get $q) (call $rand))
      (local.set $sum (i64.add (local.get $sum) (call $pop (local.get $q))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $churn (i32.lt_u (local.get $i) (local.get $ops))))
    (block $empty
      (loop $drain
        (br_if $empty (ref.is_null (struct.get $queue $head (local.get $q))))
        (local.set $sum (i64.add (local.get $sum) (call $pop (local.get $q))))
        (br $drain)))
    (local.get $sum))
)
