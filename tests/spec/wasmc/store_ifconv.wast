;; store_ifconv.wast: wasmc's own tests of compiler/store_ifconv.c
;; (`if (c) p[i] = v` after a load of p[i] becomes an unconditional store
;; of a select) and compiler/alias_families.c (a copy of the memory base
;; per family of accesses, so that the vectoriser checks rows against each
;; other at run time). Each function below is a shape the conversion must
;; leave alone, or a loop whose rows overlap in every way.

(module
  (memory 1)
  ;; how often each shape's loop runs: 1, but not a constant to the compiler
  (global $reps (export "reps") (mut i32) (i32.const 1))
  (func $poke (param $p i32) (i32.store (local.get $p) (i32.const 7)))
  (func (export "store") (param $p i32) (param $v i32)
    (i32.store (local.get $p) (local.get $v)))
  (func (export "load") (param $p i32) (result i32)
    (i32.load (local.get $p)))
  ;; the shape converted: p[i] = min(p[i], v)
  (func (export "min_store") (param $p i32) (param $v i32) (local $once i32)
    (local.set $once (global.get $reps))
    (loop $again
      (if (i32.lt_s (local.get $v) (i32.load (local.get $p)))
        (then (i32.store (local.get $p) (local.get $v))))
      (br_if $again (local.tee $once (i32.sub (local.get $once) (i32.const 1))))))
  ;; a store between the load and the branch, through another index q
  ;; that is p at run time: the value loaded is stale
  (func (export "write_between") (param $p i32) (param $q i32) (param $v i32)
        (local $once i32) (local $x i32)
    (local.set $once (global.get $reps))
    (loop $again
      (local.set $x (i32.load (local.get $p)))
      (i32.store (local.get $q) (i32.const 5))
      (if (i32.lt_s (local.get $v) (local.get $x))
        (then (i32.store (local.get $p) (local.get $v))))
      (br_if $again (local.tee $once (i32.sub (local.get $once) (i32.const 1))))))
  ;; a call between the load and the branch (indirect, so not inlined),
  ;; which writes p[i]
  (type $poke_t (func (param i32)))
  (table 1 funcref)
  (elem (i32.const 0) $poke)
  (func (export "call_between") (param $p i32) (param $v i32) (local $once i32) (local $x i32)
    (local.set $once (global.get $reps))
    (loop $again
      (local.set $x (i32.load (local.get $p)))
      (call_indirect (type $poke_t) (local.get $p) (i32.const 0))
      (if (i32.lt_s (local.get $v) (local.get $x))
        (then (i32.store (local.get $p) (local.get $v))))
      (br_if $again (local.tee $once (i32.sub (local.get $once) (i32.const 1))))))
  ;; a narrower load of the same address than the store
  (func (export "narrow_load") (param $p i32) (param $v i32) (local $once i32)
    (local.set $once (global.get $reps))
    (loop $again
      (if (i32.lt_u (local.get $v) (i32.load8_u (local.get $p)))
        (then (i32.store (local.get $p) (local.get $v))))
      (br_if $again (local.tee $once (i32.sub (local.get $once) (i32.const 1))))))
  ;; the store goes elsewhere than the load (here: out of bounds)
  (func (export "other_addr") (param $p i32) (param $q i32) (param $v i32) (local $once i32)
    (local.set $once (global.get $reps))
    (loop $again
      (if (i32.lt_s (local.get $v) (i32.load (local.get $p)))
        (then (i32.store (local.get $q) (local.get $v))))
      (br_if $again (local.tee $once (i32.sub (local.get $once) (i32.const 1))))))
  ;; the load and the store at different offsets of one index
  (func (export "offset_addr") (param $p i32) (param $v i32) (local $once i32)
    (local.set $once (global.get $reps))
    (loop $again
      (if (i32.lt_s (local.get $v) (i32.load offset=4 (local.get $p)))
        (then (i32.store (local.get $p) (local.get $v))))
      (br_if $again (local.tee $once (i32.sub (local.get $once) (i32.const 1))))))
  ;; Floyd-Warshall's inner loop as clang writes it for wasm32, unrolled by
  ;; two: for j in [0, n) step 2, b[j] = min(b[j], a[j] + c), b[j+1] the
  ;; same; then an FNV-1a hash of the first 1024 words. The caller fills
  ;; them from a seed and picks rows a and b that overlap or not.
  (func $relax2 (param $a i32) (param $b i32) (param $n i32) (param $c i32)
        (local $j i32) (local $t i32)
    (local.set $n (i32.and (local.get $n) (i32.const -2))) ;; as clang: even
    (block $done (loop $l
      (br_if $done (i32.eq (local.get $j) (local.get $n)))
      (local.set $t (i32.add (i32.load (local.get $a)) (local.get $c)))
      (if (i32.lt_s (local.get $t) (i32.load (local.get $b)))
        (then (i32.store (local.get $b) (local.get $t))))
      (local.set $t (i32.add (i32.load offset=4 (local.get $a)) (local.get $c)))
      (if (i32.lt_s (local.get $t) (i32.load offset=4 (local.get $b)))
        (then (i32.store offset=4 (local.get $b) (local.get $t))))
      (local.set $a (i32.add (local.get $a) (i32.const 8)))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $l))))
  (func (export "run") (param $a i32) (param $b i32) (param $n i32) (param $c i32)
        (param $seed i32) (result i32) (local $i i32) (local $h i32)
    (local.set $i (i32.const 0))
    (loop $fill
      (local.set $seed (i32.add (i32.mul (local.get $seed) (i32.const 1103515245))
                                (i32.const 12345)))
      (i32.store (i32.shl (local.get $i) (i32.const 2))
        (i32.and (i32.shr_u (local.get $seed) (i32.const 16)) (i32.const 0xffff)))
      (br_if $fill (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                           (i32.const 1024))))
    (call $relax2 (local.get $a) (local.get $b) (local.get $n) (local.get $c))
    (local.set $h (i32.const 0x811c9dc5))
    (local.set $i (i32.const 0))
    (loop $hash
      (local.set $h (i32.mul (i32.xor (local.get $h)
                                      (i32.load (i32.shl (local.get $i) (i32.const 2))))
                             (i32.const 16777619)))
      (br_if $hash (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                           (i32.const 1024))))
    (local.get $h))
)
(invoke "store" (i32.const 16) (i32.const 100))
(invoke "min_store" (i32.const 16) (i32.const 200))
(assert_return (invoke "load" (i32.const 16)) (i32.const 100))
(invoke "min_store" (i32.const 16) (i32.const 50))
(assert_return (invoke "load" (i32.const 16)) (i32.const 50))
(assert_trap (invoke "min_store" (i32.const 65536) (i32.const 0)) "out of bounds memory access")
(invoke "store" (i32.const 16) (i32.const 100))
(invoke "write_between" (i32.const 16) (i32.const 16) (i32.const 200))
(assert_return (invoke "load" (i32.const 16)) (i32.const 5))
(invoke "store" (i32.const 16) (i32.const 100))
(invoke "call_between" (i32.const 16) (i32.const 200))
(assert_return (invoke "load" (i32.const 16)) (i32.const 7))
(invoke "store" (i32.const 16) (i32.const 0x11223344))
(invoke "narrow_load" (i32.const 16) (i32.const 0x7fffffff))
(assert_return (invoke "load" (i32.const 16)) (i32.const 0x11223344))
(invoke "narrow_load" (i32.const 16) (i32.const 3))
(assert_return (invoke "load" (i32.const 16)) (i32.const 3))
(invoke "store" (i32.const 16) (i32.const 1))
(invoke "other_addr" (i32.const 16) (i32.const 0xfffffff0) (i32.const 5))
(assert_trap (invoke "other_addr" (i32.const 16) (i32.const 0xfffffff0) (i32.const 0)) "out of bounds memory access")
(invoke "store" (i32.const 16) (i32.const 9))
(invoke "store" (i32.const 20) (i32.const 100))
(invoke "offset_addr" (i32.const 16) (i32.const 200))
(assert_return (invoke "load" (i32.const 16)) (i32.const 9))
(assert_return (invoke "load" (i32.const 20)) (i32.const 100))
(invoke "offset_addr" (i32.const 16) (i32.const 50))
(assert_return (invoke "load" (i32.const 16)) (i32.const 50))
(assert_return (invoke "load" (i32.const 20)) (i32.const 100))
;; run(a, b, n, c, seed): the same row, rows one and two words apart either
;; way, far apart, a zero-length row; expected hashes from a scalar model.
(assert_return (invoke "run" (i32.const 0) (i32.const 0) (i32.const 200) (i32.const 3) (i32.const 1)) (i32.const 1039909738))
(assert_return (invoke "run" (i32.const 4) (i32.const 0) (i32.const 200) (i32.const -5) (i32.const 2)) (i32.const 995296676))
(assert_return (invoke "run" (i32.const 0) (i32.const 4) (i32.const 200) (i32.const -5) (i32.const 3)) (i32.const -920186))
(assert_return (invoke "run" (i32.const 0) (i32.const 8) (i32.const 200) (i32.const -7) (i32.const 4)) (i32.const 2019782705))
(assert_return (invoke "run" (i32.const 8) (i32.const 0) (i32.const 200) (i32.const -7) (i32.const 5)) (i32.const 1092815386))
(assert_return (invoke "run" (i32.const 2048) (i32.const 0) (i32.const 200) (i32.const 1) (i32.const 6)) (i32.const 1684226345))
(assert_return (invoke "run" (i32.const 0) (i32.const 2048) (i32.const 200) (i32.const -100) (i32.const 7)) (i32.const 1757005359))
(assert_return (invoke "run" (i32.const 400) (i32.const 404) (i32.const 300) (i32.const -1) (i32.const 8)) (i32.const -1358026371))
(assert_return (invoke "run" (i32.const 404) (i32.const 400) (i32.const 300) (i32.const -1) (i32.const 9)) (i32.const 573299714))
(assert_return (invoke "run" (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 3) (i32.const 10)) (i32.const 531251622))
