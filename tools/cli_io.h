/* Reading a command's inputs, shared by the CLI's subcommands that read
 * their own options (attest_tpm.c, attest_results.c). */
#ifndef ATTEST_CLI_IO_H
#define ATTEST_CLI_IO_H

#include <stddef.h>
#include <stdint.h>

typedef struct blob {
    uint8_t *data;
    size_t len;
} blob;

/* The whole file `path` into b (free(b->data)), at most `max` bytes: a
 * longer file is refused. Errors go to stderr prefixed "attest CMD: ".
 * Returns 0 or -1. */
int cli_read_file(blob *b, const char *cmd, const char *path, size_t max);

/* An even number of hex digits, 1 to `max_bytes` bytes, nothing else, into
 * b (free(b->data)). Returns 0, or -1 with b left empty. */
int cli_read_hex(blob *b, const char *hex, size_t max_bytes);

#endif
