/* gc_heap.c: (being written) */
#include "gc.h"
typedef int gc_heap_placeholder_;
