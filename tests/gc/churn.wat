;; churn.wat: short-lived objects of every size (tests/gc/gc_stress.c).
;;
;; churn(n, seed) makes n objects, one per round, of a kind and size drawn
;; from an LCG on seed: small structs, chains of 4 structs, i8 arrays of
;; 0..1023 bytes (past the inline size classes), i64 arrays, arrays of
;; 1..2048 anyrefs (i31s and structs, so up to 16 KiB of references traced
;; in slices), i8 arrays of 32..64 KiB (large objects, whole blocks), and
;; i31s. The last 16 stay alive in a window, so collections always find
;; objects of every kind in use; each object is read back when it leaves
;; the window (or at the end), and its contents summed. A cell that was
;; freed while still in use, or handed out twice, shows as a wrong sum or
;; a trap ("unreachable" from $check, or a failed cast).
;; expect(n, seed) computes the same sum from the LCG alone, allocating
;; nothing; bytes() is what churn has allocated so far (object sizes as
;; laid out: header + fields or elements, before rounding to cells).
(module
  (type $small (struct (field $a i64) (field $b (mut i32))))
  (type $cell (struct (field $v i64) (field $next (mut (ref null $cell)))))
  (type $bytes (array (mut i8)))
  (type $longs (array (mut i64)))
  (type $refs (array (mut anyref)))
  (type $ints (array (mut i32)))

  (global $bytes (mut i64) (i64.const 0))

  (func (export "bytes") (result i64) (global.get $bytes))

  (func $next (param $x i32) (result i32)
    (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
  (func $kind (param $x i32) (result i32)
    (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 7)))
  (func $len (param $x i32) (param $mask i32) (result i32)
    (i32.and (i32.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))
  (func $count (param $b i64) (global.set $bytes (i64.add (global.get $bytes) (local.get $b))))

  ;; An object of x's kind.
  (func $make (param $x i32) (result anyref)
    (local $k i32) (local $len i32) (local $j i32) (local $arr (ref null $refs))
    (local.set $k (call $kind (local.get $x)))
    (block $k7 (block $k6 (block $k5 (block $k4 (block $k3 (block $k2 (block $k01
        (br_table $k01 $k01 $k2 $k3 $k4 $k5 $k6 $k7 (local.get $k)))
        ;; 0, 1: a small struct
        (call $count (i64.const 24))
        (return (struct.new $small (i64.mul (i64.extend_i32_u (local.get $x)) (i64.const 3))
                                   (local.get $x))))
      ;; 2: a chain of 4 cells, v = x, x+1, x+2, x+3 from the head; each
      ;; struct.new runs with the chain so far on the operand stack
      (call $count (i64.const 96))
      (return
        (struct.new $cell (i64.extend_i32_u (local.get $x))
          (struct.new $cell (i64.add (i64.extend_i32_u (local.get $x)) (i64.const 1))
            (struct.new $cell (i64.add (i64.extend_i32_u (local.get $x)) (i64.const 2))
              (struct.new $cell (i64.add (i64.extend_i32_u (local.get $x)) (i64.const 3))
                (ref.null $cell)))))))
      ;; 3: i8 array of 0..1023 bytes, every byte x & 255
      (local.set $len (call $len (local.get $x) (i32.const 1023)))
      (call $count (i64.add (i64.const 16) (i64.extend_i32_u (local.get $len))))
      (return (array.new $bytes (local.get $x) (local.get $len))))
    ;; 4: i64 array of 0..127 elements, each x
    (local.set $len (call $len (local.get $x) (i32.const 127)))
    (call $count (i64.add (i64.const 16)
                          (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 3))))
    (return (array.new $longs (i64.extend_i32_u (local.get $x)) (local.get $len))))
    ;; 5: 1..2048 anyrefs: element j is i31 (x + j) & 0xffff when j is even,
    ;; a $small (j, x) when odd (allocated with the array on the stack)
    (local.set $len (i32.add (call $len (local.get $x) (i32.const 2047)) (i32.const 1)))
    (call $count (i64.add (i64.const 16)
                          (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 3))))
    (local.set $arr (array.new_default $refs (local.get $len)))
    (loop $fill
      (if (i32.and (local.get $j) (i32.const 1))
        (then
          (call $count (i64.const 24))
          (array.set $refs (local.get $arr) (local.get $j)
            (struct.new $small (i64.extend_i32_u (local.get $j)) (local.get $x))))
        (else
          (array.set $refs (local.get $arr) (local.get $j)
            (ref.i31 (i32.and (i32.add (local.get $x) (local.get $j)) (i32.const 0xffff))))))
      (br_if $fill (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
                             (local.get $len))))
    (return (local.get $arr)))
    ;; 6: a large i8 array, 32768..65535 bytes, every byte x & 255
    (local.set $len (i32.add (i32.const 32768) (call $len (local.get $x) (i32.const 32767))))
    (call $count (i64.add (i64.const 16) (i64.extend_i32_u (local.get $len))))
    (return (array.new $bytes (local.get $x) (local.get $len))))
    ;; 7: an i31, no allocation
    (ref.i31 (i32.and (local.get $x) (i32.const 0x3fffffff))))

  (func $sum_bytes (param $a (ref $bytes)) (result i64)
    (local $i i32) (local $s i64)
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (array.len (local.get $a))))
        (local.set $s (i64.add (local.get $s)
          (i64.extend_i32_u (array.get_u $bytes (local.get $a) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))

  ;; What object o, made by $make for x, holds: read from the object.
  (func $check (param $o anyref) (param $x i32) (result i64)
    (local $k i32) (local $s i64) (local $i i32) (local $c (ref null $cell))
    (local $la (ref null $longs)) (local $ra (ref null $refs)) (local $e anyref)
    (local.set $k (call $kind (local.get $x)))
    (if (ref.is_null (local.get $o)) (then unreachable))
    (block $k7 (block $k6 (block $k5 (block $k4 (block $k3 (block $k2 (block $k01
        (br_table $k01 $k01 $k2 $k3 $k4 $k5 $k6 $k7 (local.get $k)))
        (return (i64.add
          (struct.get $small $a (ref.cast (ref $small) (local.get $o)))
          (i64.extend_i32_u (struct.get $small $b (ref.cast (ref $small) (local.get $o)))))))
      (local.set $c (ref.cast (ref $cell) (local.get $o)))
      (loop $walk
        (local.set $s (i64.add (local.get $s) (struct.get $cell $v (local.get $c))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $walk (i32.eqz (ref.is_null
          (local.tee $c (struct.get $cell $next (local.get $c)))))))
      (if (i32.ne (local.get $i) (i32.const 4)) (then unreachable))
      (return (local.get $s)))
    ;; 3
    (return (i64.add (call $sum_bytes (ref.cast (ref $bytes) (local.get $o)))
                     (i64.extend_i32_u (array.len (ref.cast (ref $bytes) (local.get $o)))))))
    ;; 4
    (local.set $la (ref.cast (ref $longs) (local.get $o)))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (array.len (local.get $la))))
        (local.set $s (i64.add (local.get $s) (array.get $longs (local.get $la) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (return (i64.add (local.get $s) (i64.extend_i32_u (array.len (local.get $la))))))
    ;; 5
    (local.set $ra (ref.cast (ref $refs) (local.get $o)))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (array.len (local.get $ra))))
        (local.set $e (array.get $refs (local.get $ra) (local.get $i)))
        (if (i32.and (local.get $i) (i32.const 1))
          (then
            (local.set $s (i64.add (local.get $s) (i64.add
              (struct.get $small $a (ref.cast (ref $small) (local.get $e)))
              (i64.extend_i32_u (struct.get $small $b (ref.cast (ref $small) (local.get $e))))))))
          (else
            (local.set $s (i64.add (local.get $s)
              (i64.extend_i32_u (i31.get_u (ref.cast (ref i31) (local.get $e))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (return (i64.add (local.get $s) (i64.extend_i32_u (array.len (local.get $ra))))))
    ;; 6
    (return (i64.add (call $sum_bytes (ref.cast (ref $bytes) (local.get $o)))
                     (i64.extend_i32_u (array.len (ref.cast (ref $bytes) (local.get $o)))))))
    ;; 7
    (i64.extend_i32_u (i31.get_u (ref.cast (ref i31) (local.get $o)))))

  ;; The same sum from x alone.
  (func $expect1 (param $x i32) (result i64)
    (local $k i32) (local $len i32) (local $j i32) (local $s i64) (local $xx i64)
    (local.set $k (call $kind (local.get $x)))
    (local.set $xx (i64.extend_i32_u (local.get $x)))
    (block $k7 (block $k6 (block $k5 (block $k4 (block $k3 (block $k2 (block $k01
      (br_table $k01 $k01 $k2 $k3 $k4 $k5 $k6 $k7 (local.get $k)))
      (return (i64.mul (local.get $xx) (i64.const 4))))
    (return (i64.add (i64.mul (local.get $xx) (i64.const 4)) (i64.const 6))))
    (local.set $len (call $len (local.get $x) (i32.const 1023)))
    (return (i64.mul (i64.extend_i32_u (local.get $len))
                     (i64.add (i64.and (local.get $xx) (i64.const 255)) (i64.const 1)))))
    (local.set $len (call $len (local.get $x) (i32.const 127)))
    (return (i64.mul (i64.extend_i32_u (local.get $len)) (i64.add (local.get $xx) (i64.const 1)))))
    (local.set $len (i32.add (call $len (local.get $x) (i32.const 2047)) (i32.const 1)))
    (loop $l
      (if (i32.and (local.get $j) (i32.const 1))
        (then (local.set $s (i64.add (local.get $s)
                (i64.add (i64.extend_i32_u (local.get $j)) (local.get $xx)))))
        (else (local.set $s (i64.add (local.get $s) (i64.extend_i32_u
                (i32.and (i32.add (local.get $x) (local.get $j)) (i32.const 0xffff)))))))
      (br_if $l (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $len))))
    (return (i64.add (local.get $s) (i64.extend_i32_u (local.get $len)))))
    (local.set $len (i32.add (i32.const 32768) (call $len (local.get $x) (i32.const 32767))))
    (return (i64.mul (i64.extend_i32_u (local.get $len))
                     (i64.add (i64.and (local.get $xx) (i64.const 255)) (i64.const 1)))))
    (i64.and (local.get $xx) (i64.const 0x3fffffff)))

  (func (export "churn") (param $n i32) (param $seed i32) (result i64)
    (local $i i32) (local $x i32) (local $k i32) (local $s i64)
    (local $win (ref null $refs)) (local $xs (ref null $ints))
    (local.set $win (array.new_default $refs (i32.const 16)))
    (local.set $xs (array.new_default $ints (i32.const 16)))
    (local.set $x (local.get $seed))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (call $next (local.get $x)))
        (local.set $k (i32.and (local.get $i) (i32.const 15)))
        (if (i32.ge_u (local.get $i) (i32.const 16))
          (then (local.set $s (i64.add (local.get $s)
                  (call $check (array.get $refs (local.get $win) (local.get $k))
                               (array.get $ints (local.get $xs) (local.get $k)))))))
        (array.set $refs (local.get $win) (local.get $k) (call $make (local.get $x)))
        (array.set $ints (local.get $xs) (local.get $k) (local.get $x))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    ;; the objects still in the window
    (local.set $k (i32.const 0))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $k) (select (local.get $n) (i32.const 16)
                                                     (i32.lt_u (local.get $n) (i32.const 16)))))
        (local.set $s (i64.add (local.get $s)
          (call $check (array.get $refs (local.get $win) (local.get $k))
                       (array.get $ints (local.get $xs) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $l)))
    (local.get $s))

  (func (export "expect") (param $n i32) (param $seed i32) (result i64)
    (local $i i32) (local $x i32) (local $s i64)
    (local.set $x (local.get $seed))
    (block $end
      (loop $l
        (br_if $end (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $x (call $next (local.get $x)))
        (local.set $s (i64.add (local.get $s) (call $expect1 (local.get $x))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $s))
)
