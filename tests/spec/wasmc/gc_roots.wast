;; gc_roots.wast: a function's shadow-stack frame (compiler/lower_roots.c)
;; is unlinked when the function returns. $mk allocates, so it links a
;; frame; when its return left the frame linked, the next call of $mk,
;; at the same stack address, linked the frame to itself, and the next
;; collection walked that loop forever (or, with other frames between,
;; walked dead stack). A million objects of 24 bytes pass the 4 MiB that
;; start a collection several times; $keep, held by "run" alone across
;; them, must stay intact.
(module
  (type $s (struct (field i64)))
  (func $mk (param $i i64) (result (ref $s)) (struct.new $s (local.get $i)))
  (func (export "run") (param $n i32) (result i64)
    (local $keep (ref null $s)) (local $sum i64)
    (local.set $keep (call $mk (i64.const 42)))
    (loop $l
      (local.set $sum (i64.add (local.get $sum)
        (struct.get $s 0 (call $mk (i64.extend_i32_u (local.get $n))))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i64.add (local.get $sum) (struct.get $s 0 (local.get $keep)))))

(assert_return (invoke "run" (i32.const 1000000)) (i64.const 500000500042))
(assert_return (invoke "run" (i32.const 10)) (i64.const 97))
