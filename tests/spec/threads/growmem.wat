;; growmem.wat: a shared memory that a thread grows while another reads it.
(module (memory (export "shared") 1 8 shared))
