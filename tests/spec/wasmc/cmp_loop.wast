;; cmp_loop.wast: wasmc's own tests of compiler/cmp_loop.c (a byte-compare
;; loop, wasi-libc's memcmp, gets a 16-byte vector prefix when both ranges
;; are inside the memory). The loop below is memcmp as clang compiles it
;; for wasm32; every answer must be what the bytes give, and a compare
;; that runs out of the memory before a difference must trap, one that
;; finds a difference first must not.

(module
  (memory 1)
  (func $memcmp (export "memcmp") (param i32 i32 i32) (result i32)
    (local i32 i32 i32)
    (local.set 3 (i32.const 0))
    (block $done
      (br_if $done (i32.eqz (local.get 2)))
      (block $diff
        (loop $l
          (br_if $diff (i32.ne (local.tee 4 (i32.load8_u (local.get 0)))
                               (local.tee 5 (i32.load8_u (local.get 1)))))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (local.set 0 (i32.add (local.get 0) (i32.const 1)))
          (br_if $l (local.tee 2 (i32.add (local.get 2) (i32.const -1))))
          (br $done)))
      (local.set 3 (i32.sub (local.get 4) (local.get 5))))
    (local.get 3))
  ;; fill [p, p + n) with the bytes i * 7 + s (mod 256)
  (func (export "fill") (param $p i32) (param $n i32) (param $s i32) (local $i i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (local.get $p) (local.get $i))
                  (i32.add (i32.mul (local.get $i) (i32.const 7)) (local.get $s)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "poke") (param $p i32) (param $v i32) (i32.store8 (local.get $p) (local.get $v)))
)
(invoke "fill" (i32.const 1000) (i32.const 300) (i32.const 5))
(invoke "fill" (i32.const 2000) (i32.const 300) (i32.const 5))
;; equal: short, 16, 17, long
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 0)) (i32.const 0))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 5)) (i32.const 0))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 16)) (i32.const 0))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 17)) (i32.const 0))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const 0))
;; a difference at 0, 15, 16, 17, 31, 32, 250, 299: byte 1000+k vs 2000+k
(invoke "poke" (i32.const 2250) (i32.const 0))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const 219))
(invoke "poke" (i32.const 2000) (i32.const 105))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const -100))
(assert_return (invoke "memcmp" (i32.const 2000) (i32.const 1000) (i32.const 300)) (i32.const 100))
(invoke "poke" (i32.const 2000) (i32.const 5))
(invoke "poke" (i32.const 2015) (i32.const 210))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const -100))
(assert_return (invoke "memcmp" (i32.const 2000) (i32.const 1000) (i32.const 300)) (i32.const 100))
(invoke "poke" (i32.const 2015) (i32.const 110))
(invoke "poke" (i32.const 2016) (i32.const 217))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const -100))
(assert_return (invoke "memcmp" (i32.const 2000) (i32.const 1000) (i32.const 300)) (i32.const 100))
(invoke "poke" (i32.const 2016) (i32.const 117))
(invoke "poke" (i32.const 2017) (i32.const 224))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const -100))
(assert_return (invoke "memcmp" (i32.const 2000) (i32.const 1000) (i32.const 300)) (i32.const 100))
(invoke "poke" (i32.const 2017) (i32.const 124))
(invoke "poke" (i32.const 2031) (i32.const 66))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const 156))
(assert_return (invoke "memcmp" (i32.const 2000) (i32.const 1000) (i32.const 300)) (i32.const -156))
(invoke "poke" (i32.const 2031) (i32.const 222))
(invoke "poke" (i32.const 2032) (i32.const 73))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const 156))
(assert_return (invoke "memcmp" (i32.const 2000) (i32.const 1000) (i32.const 300)) (i32.const -156))
(invoke "poke" (i32.const 2032) (i32.const 229))
(invoke "poke" (i32.const 2299) (i32.const 150))
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 2000) (i32.const 300)) (i32.const 219))
(assert_return (invoke "memcmp" (i32.const 2000) (i32.const 1000) (i32.const 300)) (i32.const -219))
(invoke "poke" (i32.const 2299) (i32.const 50))
(invoke "poke" (i32.const 2250) (i32.const 219))
;; overlapping ranges, one byte apart
(assert_return (invoke "memcmp" (i32.const 1000) (i32.const 1001) (i32.const 200)) (i32.const -7))
;; the last 40 bytes equal those 80 bytes before: comparing 50 runs
;; off the end before any difference (trap); 40 stop at the end
(invoke "fill" (i32.const 65496) (i32.const 40) (i32.const 9))
(invoke "fill" (i32.const 65416) (i32.const 40) (i32.const 9))
(assert_return (invoke "memcmp" (i32.const 65416) (i32.const 65496) (i32.const 40)) (i32.const 0))
(assert_trap (invoke "memcmp" (i32.const 65416) (i32.const 65496) (i32.const 50)) "out of bounds memory access")
;; a difference 10 bytes before the end: found, no trap, although the
;; range runs past the end
(invoke "poke" (i32.const 65526) (i32.const 220))
(assert_return (invoke "memcmp" (i32.const 65416) (i32.const 65496) (i32.const 100)) (i32.const -1))
(assert_return (invoke "memcmp" (i32.const 65496) (i32.const 65416) (i32.const 100)) (i32.const 1))
;; a difference 2 bytes before the end, in a block of 16 that would run
;; past it: found by the loop itself, no trap
(invoke "poke" (i32.const 65526) (i32.const 219))
(invoke "poke" (i32.const 65534) (i32.const 0))
(assert_return (invoke "memcmp" (i32.const 65416) (i32.const 65496) (i32.const 100)) (i32.const 19))
(assert_return (invoke "memcmp" (i32.const 65496) (i32.const 65416) (i32.const 100)) (i32.const -19))
;; a range that wraps around 2^32: out of bounds at once
(assert_trap (invoke "memcmp" (i32.const 0xfffffff0) (i32.const 0) (i32.const 64)) "out of bounds memory access")
