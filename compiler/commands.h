/* commands.h: the commands main.c dispatches to, each in its own file,
 * and the pieces they share beyond cli.h. */
#ifndef WASMC_COMMANDS_H
#define WASMC_COMMANDS_H

#include <stdbool.h>

#include "cli.h"

/* compile.c: `compile` (exe false) and `build` (exe true) */
int cmd_compile(int argc, char **argv, bool exe);
/* compile.c: load, validate, lower, emit and link c->file to c->out for
 * the target `triple` (an object, a shared object with c->shared, an
 * executable with c->exe); an exit status, after printing any message.
 * A failed output is removed, never left half-written. */
int compile_file(const cli_args *c, const char *triple);

/* image_cmd.c: `image`, an OCI image of a static executable per platform */
int cmd_image(int argc, char **argv);

/* run.c: `run`, compile (or take from the cache) and run in this process */
int cmd_run(int argc, char **argv);

/* help.c: the help text of a command ("validate", ..., "run"; "help" and
 * NULL give the general one), or NULL for an unknown command. */
const char *cli_help_text(const char *cmd);

/* git_revision.c (generated at build time by cmake/git_revision.cmake):
 * the git revision wasmc was built from, e.g. "83f65d2c1d0e", with
 * "-dirty" for uncommitted changes, or "unknown" (not a git checkout). */
extern const char wasmc_git_revision[];

#endif
