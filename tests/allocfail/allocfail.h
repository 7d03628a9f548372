/* The allocation-failure interposer (interpose.c): per-thread counting of
 * every allocation between allocfail_start and allocfail_stop. */
#ifndef ALLOCFAIL_H
#define ALLOCFAIL_H

/* Counts from zero on the calling thread; the n-th allocation (1-based)
 * fails, none when n is 0. */
void allocfail_start(long n);

/* Fork at the point: from now until allocfail_stop, fn(k, ctx) is called
 * at every counted allocation k (counting off during the call). It returns
 * 1 in a process where allocation k is to fail (a forked grandchild; fn is
 * then not called again there), 0 where it is to succeed. */
typedef int allocfail_point_fn(long k, void *ctx);
void allocfail_on_point(allocfail_point_fn *fn, void *ctx);

/* Until allocfail_stop: the block returned by counted allocation k is
 * stored in blocks[k] (k < cap; failed ones leave theirs as it was). */
void allocfail_record(void **blocks, long cap);

/* Stops counting (and the fork-at-point callback); returns how many allocations were counted. */
long allocfail_stop(void);

/* The number of the allocation that was made to fail since the last
 * allocfail_start, 0 when none was. */
long allocfail_injected(void);

/* The return address of the first malloc or realloc asked for an
 * impossible size (2^44 bytes or more: a length computed from a failed
 * call's -1) since allocfail_start, NULL when none was: such a request
 * gets NULL and ENOMEM, as from glibc, instead of ASan's abort. */
void *allocfail_huge_caller(void);

/* The return address of the allocation that was made to fail (in the
 * library that called malloc), NULL when none was. */
void *allocfail_injected_caller(void);

/* The return addresses of the failed allocation's stack (innermost
 * first) in *frames; returns their number, 0 when none failed. */
int allocfail_injected_stack(void *const **frames);

#endif
