/*
 * lockout: delay and hard-lock arithmetic.
 */
#include "lockout.h"

int64_t
lockout_delay(int failures)
{
	int64_t d = LOCKOUT_BASE;

	if (failures < LOCKOUT_FREE)
		return 0;
	for (int i = LOCKOUT_FREE; i < failures && d < LOCKOUT_CAP; i++)
		d *= 2;
	return d < LOCKOUT_CAP ? d : LOCKOUT_CAP;
}

int64_t
lockout_wait(int failures, int64_t last_at, int64_t now)
{
	int64_t until = last_at + lockout_delay(failures);

	return failures < LOCKOUT_FREE || now >= until ? 0 : until - now;
}

bool
lockout_hard(int failures)
{
	return failures >= LOCKOUT_HARD;
}
