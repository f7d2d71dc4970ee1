;; module_instance.wast: `module definition` and `module instance` (the Wasm
;; 3.0 script commands): a definition is compiled but not instantiated, and
;; every instance of it has its own memory, table and globals.

(module definition $M
  (global $g (export "g") (mut i32) (i32.const 0))
  (memory (export "mem") 1)
  (table (export "tab") 2 funcref)
  (func (export "bump") (result i32)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 10)))
    (global.get $g))
  (func (export "load") (result i32) (i32.load (i32.const 0)))
)

(module instance $I1 $M)
(module instance $I2 $M)
(assert_return (invoke $I1 "bump") (i32.const 1))
(assert_return (invoke $I1 "bump") (i32.const 2))
(assert_return (invoke $I2 "bump") (i32.const 1))
(assert_return (invoke $I1 "load") (i32.const 20))
(assert_return (invoke $I2 "load") (i32.const 10))
;; the last instance is the current module
(assert_return (invoke "load") (i32.const 10))
(assert_return (get $I1 "g") (i32.const 2))

(register "I1" $I1)
(register "I2" $I2)
(module
  (import "I1" "g" (global $g1 (mut i32)))
  (import "I2" "g" (global $g2 (mut i32)))
  (func (export "sum") (result i32) (i32.add (global.get $g1) (global.get $g2)))
)
(assert_return (invoke "sum") (i32.const 3))

;; a definition too large to instantiate here still compiles
(module definition (memory 65536))

;; without a name, an instance is of the last definition
(module definition (func (export "seven") (result i32) (i32.const 7)))
(module instance)
(assert_return (invoke "seven") (i32.const 7))
