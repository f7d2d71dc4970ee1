;; features.wat: a hand-written module that exercises WebAssembly 2.0
;; features beyond the MVP, so that `wasmc inspect` has something to show.
;; Built to features.wasm by examples/CMakeLists.txt with
;;     wat2wasm --debug-names features.wat -o features.wasm
;; (--debug-names keeps the names below in a `name` custom section).
(module $features
  ;; imports of every kind
  (import "env" "log" (func $log (param i32 i32)))
  (import "env" "table" (table $imported_table 1 funcref))
  (import "env" "counter" (global $counter (mut i64)))

  (type $binop (func (param i32 i32) (result i32)))

  (memory $mem (export "memory") 1 16)
  (table $refs 4 externref)
  (global $scale (mut f32) (f32.const 1.5))

  ;; multi-value: two results, and a block with two params and two results
  (func $divmod (export "divmod") (param $a i32) (param $b i32) (result i32 i32)
    (i32.div_u (local.get $a) (local.get $b))
    (i32.rem_u (local.get $a) (local.get $b)))

  (func $swap_sum (export "swap_sum") (param $x i32) (param $y i32) (result i32)
    (local.get $x) (local.get $y)
    (block $swap (param i32 i32) (result i32 i32)
      (local.set $x) (local.set $y)
      (local.get $x) (local.get $y))
    i32.add)

  ;; sign extension and non-trapping float-to-int
  (func $narrow (export "narrow") (param $v i32) (param $f f64) (result i32 i32)
    (i32.extend8_s (local.get $v))
    (i32.trunc_sat_f64_s (local.get $f)))

  ;; bulk memory: passive data, memory.init / copy / fill, data.drop
  (data $greeting "Hello, Wasm 2.0!")
  (func $greet (export "greet") (result i32)
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 64))
    (memory.init $greeting (i32.const 16) (i32.const 0) (i32.const 16))
    (memory.copy (i32.const 32) (i32.const 16) (i32.const 16))
    (data.drop $greeting)
    (call $log (i32.const 32) (i32.const 16))
    (i32.const 32))

  ;; reference types: externref table, ref.null / ref.is_null, table.grow,
  ;; typed select, funcref element segment with ref.func
  (elem $callbacks declare func $divmod)
  (elem (table $imported_table) (i32.const 0) funcref (ref.func $add))
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $keep (export "keep") (param $r externref) (result i32)
    (drop (table.grow $refs (local.get $r) (i32.const 1)))
    (table.set $refs (i32.const 0) (local.get $r))
    (select (result i32)
      (i32.const 1) (i32.const 0)
      (ref.is_null (table.get $refs (i32.const 0)))))
  (func $indirect (export "indirect") (param $i i32) (result i32)
    (call_indirect $imported_table (type $binop)
      (i32.const 40) (i32.const 2) (local.get $i)))
  (func $self (export "self") (result funcref) (ref.func $divmod))

  ;; SIMD128: a 4-lane dot product of two vectors in memory
  (func $dot4 (export "dot4") (param $p i32) (param $q i32) (result f32)
    (local $v v128)
    (local.set $v (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $q))))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  (func $bump (export "bump")
    (global.set $counter (i64.add (global.get $counter) (i64.const 1)))
    (global.set $scale (f32.mul (global.get $scale) (f32.const 2))))

  (start $bump))
