/* gc_collect.c: (being written) */
#include "gc.h"
typedef int gc_collect_placeholder_;
