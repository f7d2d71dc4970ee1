;; Values live across calls whose arguments do not all fit in registers
;; (12 i32 and 10 f64 parameters): the callee pops its stack arguments
;; (tailcc), and at -O0 the spills and reloads around such a call must use
;; the stack pointer as it is after the pop. LLVM 19's AArch64 back end
;; gets this wrong at CodeGenLevel None (target.c: min_codegen_level).
(module
  (func $ints (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (i32.add (i32.mul (local.get 0) (i32.const 1000)) (local.get 11)))
  (func $floats (param f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result f64)
    (f64.add (f64.add (local.get 9) (local.get 0)) (f64.convert_i32_s (local.get 19))))
  (func (export "ints") (param $x i32) (result i32)
    (local $a i32) (local $b i32)
    (local.set $a (i32.mul (local.get $x) (i32.const 3)))
    (local.set $b (i32.add (local.get $x) (i32.const 7)))
    (i32.add
      (i32.add (local.get $a) (i32.mul (local.get $x) (i32.const 5)))
      (i32.add
        (call $ints (local.get $x) (local.get $a) (local.get $b) (i32.const 3)
                    (i32.const 4) (i32.const 5) (i32.const 6) (i32.const 7)
                    (i32.const 8) (i32.const 9) (local.get $b) (local.get $a))
        (i32.add (local.get $b)
          (call $ints (local.get $b) (i32.const 1) (i32.const 2) (i32.const 3)
                      (i32.const 4) (i32.const 5) (i32.const 6) (i32.const 7)
                      (i32.const 8) (i32.const 9) (i32.const 10) (local.get $x))))))
  (func (export "floats") (param $x f64) (result f64)
    (f64.add (f64.mul (local.get $x) (f64.const 2))
      (call $floats (local.get $x) (f64.const 1) (f64.const 2) (f64.const 3)
                    (f64.const 4) (f64.const 5) (f64.const 6) (f64.const 7)
                    (f64.const 8) (f64.const 9.5) (i32.const 0) (i32.const 1)
                    (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)
                    (i32.const 6) (i32.const 7) (i32.const 8) (i32.const 9))))
)
;; ints(x) = 8x + 1003x + (x + 7) + (1000(x + 7) + x) = 2013x + 7007
(assert_return (invoke "ints" (i32.const 1)) (i32.const 9020))
(assert_return (invoke "ints" (i32.const 10)) (i32.const 27137))
;; floats(x) = 2x + (9.5 + x + 9) = 3x + 18.5
(assert_return (invoke "floats" (f64.const 1.5)) (f64.const 23))
