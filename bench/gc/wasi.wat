  ;; bench/gc/wasi.wat: the WASI command wrapper every bench/gc program
  ;; includes (bench/gc/run splices it in at the line ";; @WASI@"): _start
  ;; reads the size argument argv[1] (decimal; the program's $default when
  ;; absent), calls the program's $run and prints its i64 checksum in
  ;; decimal with a newline. The same .wasm runs under wasmc and node:wasi.
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0: argc, 4: argv buffer size, 16..: iovec, 32..: digits,
  ;; 1024..: argv pointers, 2048..: argv strings (at most 60 KiB)

  ;; argv[1] as a decimal i32, or $default.
  (func $arg (result i32)
    (local $p i32) (local $c i32) (local $v i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (if (i32.lt_u (i32.load (i32.const 0)) (i32.const 2))
      (then (return (call $default))))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 61440))
      (then (call $proc_exit (i32.const 2))))
    (if (i32.gt_u (i32.load (i32.const 0)) (i32.const 256))
      (then (call $proc_exit (i32.const 2))))
    (drop (call $args_get (i32.const 1024) (i32.const 2048)))
    (local.set $p (i32.load (i32.const 1028)))
    (block $done
      (loop $digit
        (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
        (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 10))
                               (local.get $c)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $digit)))
    (local.get $v))

  ;; Prints v (as unsigned) in decimal and a newline.
  (func $print_u64 (param $v i64)
    (local $p i32)
    (local.set $p (i32.const 63))
    (i32.store8 (local.get $p) (i32.const 10))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))
                 (i32.const 48)))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (i32.store (i32.const 16) (local.get $p))
    (i32.store (i32.const 20) (i32.sub (i32.const 64) (local.get $p)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1)
                          (i32.const 8))))

  (func (export "_start")
    (call $print_u64 (call $run (call $arg))))
