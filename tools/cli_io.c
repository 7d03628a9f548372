#include "cli_io.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_read_file(blob *b, const char *cmd, const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "attest %s: cannot open %s\n", cmd, path);
        return -1;
    }
    /* one byte more than allowed: reading it tells a file that is too long */
    b->data = malloc(max + 1);
    b->len = b->data ? fread(b->data, 1, max + 1, f) : 0;
    int bad = !b->data || ferror(f) || b->len > max;
    fclose(f);
    if (bad)
        fprintf(stderr, "attest %s: cannot read %s (or over %zu bytes)\n", cmd, path, max);
    return bad ? -1 : 0;
}

int cli_read_hex(blob *b, const char *hex, size_t max_bytes)
{
    size_t n = strlen(hex);
    b->data = NULL;
    b->len = 0;
    if (n == 0 || n % 2 || n / 2 > max_bytes || !(b->data = malloc(n / 2)))
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        unsigned v;
        if (!isxdigit((unsigned char)hex[i]) || !isxdigit((unsigned char)hex[i + 1]) ||
            sscanf(hex + i, "%2x", &v) != 1) {
            free(b->data);
            b->data = NULL;
            return -1;
        }
        b->data[i / 2] = (uint8_t)v;
    }
    b->len = n / 2;
    return 0;
}
