/*
 * fuzz.h — the one entry point every fuzz target defines.  With
 * --enable-fuzzing it is linked against libFuzzer; otherwise replay.c
 * feeds it each file of the target's seed corpus under make check.
 */
#ifndef CACHET_FUZZ_H
#define CACHET_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
