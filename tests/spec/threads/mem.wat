;; mem.wat: the shared memory the script threads of threads.json share.
(module (memory (export "shared") 1 1 shared))
