#ifndef ATTEST_ANCHORS_H
#define ATTEST_ANCHORS_H
#include "base.h"

/* The pinned vendor roots compiled into the library. */
ATTEST_HIDDEN const attest_anchor *attest_builtin_anchors(size_t *count);
#endif
