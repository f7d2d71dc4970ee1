/* llvm_api.c: the table libwasmc_llvm.so exports to the wasmc executable
 * (llvm_api.h), the library's only exported symbol. */
#include "llvm_api.h"

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include "commands.h"

static void llvm_version(unsigned *major, unsigned *minor, unsigned *patch) {
  LLVMGetVersion(major, minor, patch);
}

static const wasmc_llvm_api api = {
    .api_version = WASMC_LLVM_API_VERSION,
    .cli_args_size = sizeof(cli_args),
    .wasmc_version = WASMC_VERSION,
    .cmd_compile = cmd_compile,
    .cmd_image = cmd_image,
    .compile_file = compile_file,
    .llvm_version = llvm_version,
    .host_cpu_name = LLVMGetHostCPUName,
    .host_cpu_features = LLVMGetHostCPUFeatures,
    .dispose_message = LLVMDisposeMessage,
};

__attribute__((visibility("default"))) const wasmc_llvm_api *wasmc_llvm_api_get(void);

/* Exported (the version script keeps only this symbol): the table. */
const wasmc_llvm_api *wasmc_llvm_api_get(void) { return &api; }
