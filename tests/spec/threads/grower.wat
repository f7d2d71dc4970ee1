;; grower.wat: memory.grow of a shared memory while another thread uses it
;; (growmem.wat registered as "growmem").
(module
  (memory (import "growmem" "shared") 1 8 shared)
  (func (export "grow") (param $n i32) (result i32) (memory.grow (local.get $n)))
  (func (export "size") (result i32) (memory.size))
  ;; spin until the memory has $pages pages, then write and read back in
  ;; the last one
  (func (export "await_size_poke") (param $pages i32) (result i32)
    (loop $l (br_if $l (i32.lt_u (memory.size) (local.get $pages))))
    (i32.store (i32.sub (i32.mul (local.get $pages) (i32.const 65536)) (i32.const 4))
               (i32.const 77))
    (i32.load (i32.sub (i32.mul (local.get $pages) (i32.const 65536)) (i32.const 4))))
)
