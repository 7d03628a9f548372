/* The allocation-failure interposer (interpose.c): per-thread counting of
 * every allocation between allocfail_start and allocfail_stop. */
#ifndef ALLOCFAIL_H
#define ALLOCFAIL_H

/* Counts from zero on the calling thread; the n-th allocation (1-based)
 * fails, none when n is 0. */
void allocfail_start(long n);

/* Stops counting; returns how many allocations were counted. */
long allocfail_stop(void);

/* The number of the allocation that was made to fail since the last
 * allocfail_start, 0 when none was. */
long allocfail_injected(void);

/* The return address of the allocation that was made to fail (in the
 * library that called malloc), NULL when none was. */
void *allocfail_injected_caller(void);

#endif
