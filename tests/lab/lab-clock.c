/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lab-clock - print CLOCK_REALTIME in nanoseconds: the clock of the
 * records' times (SystemTap's gettimeofday_ns()), for the marks the lab
 * writes when a nested guest starts or ends a scenario (make lab
 * GUEST=linux).  busybox's date has no nanoseconds.
 */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		perror("lab-clock: clock_gettime");
		return 1;
	}
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}
