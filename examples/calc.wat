;; calc.wat: a small module for the embedding example (examples/embed.c).
;; Compiled by `wasmc compile --shared`, loaded through libwasmrt.
(module $calc
  (memory (export "memory") 1)

  ;; iterative Fibonacci, to show a result
  (func $fib (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $b (i64.add (local.get $a) (local.tee $a (local.get $b))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))

  ;; traps with "integer divide by zero" when $d is 0
  (func $div (export "div") (param $n i32) (param $d i32) (result i32)
    (i32.div_s (local.get $n) (local.get $d)))

  ;; traps with "out of bounds memory access" past the 64 KiB memory
  (func $peek (export "peek") (param $addr i32) (result i32)
    (i32.load8_u (local.get $addr))))
