/* SPDX-License-Identifier: MIT */
/*
 * expect.h - known behaviour as data: what each reader is known to do
 * wrong, in which versions (readers/expect/<reader>.expect, compiled into
 * the binary by CMake).
 *
 * A line of an .expect file:
 *
 *   <versions> <ring> <behaviour> <id> <regression> <what...>
 *
 *   versions    an fnmatch(3) pattern on the version built in ("6.1.*")
 *   ring        honest, hostile, any, or hostile classes (judge.h) joined
 *               by commas, one of which must have been done to the ring
 *   behaviour   a behaviour of judge.h (garbage, loops, oob, ...)
 *   id          the defect's name, unique per reader
 *   regression  its input under corpora/regressions/fuzz_readers/
 *   what        one line for people
 *
 * A run whose reader misbehaves in a way a line matches goes on (the
 * reader is retired for the rest of that input: the fuzzer looks past it);
 * UPRB_READERS_STRICT=1 makes known defects fail like new ones. CTest
 * replays each line's regression requiring the defect
 * (UPRB_READERS_REQUIRE=<reader>:<id>), so a fixed reader shows as an
 * unexpected pass.
 */
#ifndef RD_EXPECT_H
#define RD_EXPECT_H

#include <stdbool.h>

#include "judge.h"

struct rd_expect {
	const char *reader, *versions, *ring, *behaviour, *id, *regression,
		*what;
};

/* The lines of every .expect file (expect_table.c, generated). */
extern const struct rd_expect rd_expects[];
extern const unsigned rd_nexpects;

/* The line that matches, or NULL. */
const struct rd_expect *rd_expect_match(const struct rd_adapter *a, bool honest,
					unsigned classes, enum rd_behaviour b);

#endif /* RD_EXPECT_H */
