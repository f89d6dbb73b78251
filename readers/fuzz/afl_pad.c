/* SPDX-License-Identifier: MIT */
/*
 * afl_pad.c - linked last into fuzz_readers-afl (and the OSS-Fuzz build
 * of fuzz_readers), so that its coverage guards end the binary's
 * __sancov_guards section.
 *
 * AFL++ 4.04c's PCGUARD instrumentation of a select reads a guard one
 * past its function's guard array when the select goes one way (seen in
 * core/src/reader.c's ring_copy, whose array the link otherwise puts last
 * in the section). Inside the section that index is another function's
 * guard: a wrong counter, harmless; past its end it is whatever follows,
 * and the counter store faults (a "crash" of the core reader that no other
 * build shows). A guard after every real one keeps the read inside.
 */
int rd_afl_pad(int x);

int rd_afl_pad(int x)
{
	if (x > 1)
		return x - 1;
	return x + 1;
}
