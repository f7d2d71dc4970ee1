/* emit_chunks.h: the old name of codegen.h, kept only while files of the
 * command line still include it; remove it once none does. */
#ifndef WASMC_EMIT_CHUNKS_H
#define WASMC_EMIT_CHUNKS_H

#include "codegen.h"

#endif
