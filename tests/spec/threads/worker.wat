;; worker.wat: what the script threads of threads.json run, on the shared
;; memory of mem.wat (registered as "mem").
(module
  (memory (import "mem" "shared") 1 1 shared)
  ;; n atomic increments of the counter at 0
  (func (export "add") (param $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))
  ;; n increments of the 64-bit counter at 64 through a cmpxchg loop
  (func (export "add64_cas") (param $n i32) (local $old i64)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (loop $retry
          (local.set $old (i64.atomic.load (i32.const 64)))
          (br_if $retry
            (i64.ne (local.get $old)
                    (i64.atomic.rmw.cmpxchg (i32.const 64) (local.get $old)
                                            (i64.add (local.get $old) (i64.const 1))))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l))))
  ;; memory.atomic.wait32/64, result stored at $out (then read by "load")
  (func (export "wait32_store") (param $addr i32) (param $exp i32) (param $t i64) (param $out i32)
    (i32.atomic.store (local.get $out)
      (memory.atomic.wait32 (local.get $addr) (local.get $exp) (local.get $t))))
  (func (export "wait64_store") (param $addr i32) (param $exp i64) (param $t i64) (param $out i32)
    (i32.atomic.store (local.get $out)
      (memory.atomic.wait64 (local.get $addr) (local.get $exp) (local.get $t))))
  (func (export "wait32") (param $addr i32) (param $exp i32) (param $t i64) (result i32)
    (memory.atomic.wait32 (local.get $addr) (local.get $exp) (local.get $t)))
  ;; notify until one waiter was woken (the waiter may not be queued yet)
  (func (export "notify_one") (param $addr i32) (result i32)
    (loop $l
      (br_if $l (i32.eqz (memory.atomic.notify (local.get $addr) (i32.const 1)))))
    (i32.const 1))
  (func (export "notify") (param $addr i32) (param $n i32) (result i32)
    (memory.atomic.notify (local.get $addr) (local.get $n)))
  (func (export "load") (param $addr i32) (result i32)
    (i32.atomic.load (local.get $addr)))
  (func (export "load64") (param $addr i32) (result i64)
    (i64.atomic.load (local.get $addr)))
  (func (export "store") (param $addr i32) (param $v i32)
    (i32.atomic.store (local.get $addr) (local.get $v)))
  ;; message passing: data at 128, then the flag at 132
  (func (export "send") (param $v i32)
    (i32.store (i32.const 128) (local.get $v))
    (i32.atomic.store (i32.const 132) (i32.const 1)))
  ;; spin until the flag is set, then return the data
  (func (export "receive") (result i32)
    (loop $l (br_if $l (i32.eqz (i32.atomic.load (i32.const 132)))))
    (i32.load (i32.const 128)))
)
