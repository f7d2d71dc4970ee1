# start.s: wasi_thread_start, the entry every spawned thread runs (the
# wasi-threads ABI: the export is called with (tid, start_arg)). Assembly,
# because it must set __stack_pointer (each thread's instance starts with
# the main thread's value) before any C code touches the stack: the new
# stack's top is the first word of the start argument (shim.c).
	.text
	.globaltype	__stack_pointer, i32
	.functype	shim_thread_main (i32, i32) -> ()
	.export_name	wasi_thread_start, wasi_thread_start
	.globl	wasi_thread_start
	.type	wasi_thread_start,@function
wasi_thread_start:
	.functype	wasi_thread_start (i32, i32) -> ()
	local.get	1
	i32.load	0
	global.set	__stack_pointer
	local.get	0
	local.get	1
	call	shim_thread_main
	end_function
