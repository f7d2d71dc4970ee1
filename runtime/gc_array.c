/* gc_array.c: (being written) */
#include "gc.h"
typedef int gc_array_placeholder_;
