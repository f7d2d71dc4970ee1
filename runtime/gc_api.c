/* gc_api.c: (being written) */
#include "gc.h"
typedef int gc_api_placeholder_;
