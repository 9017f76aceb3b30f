/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * interrupt.h - SIGINT and SIGTERM end the input, not the report.
 *
 * A capture is often read as it is made (stap ... | kvmmmu-report summary -)
 * and ended with Ctrl-C, which the terminal sends to both programs.  While
 * the input is read, the first SIGINT or SIGTERM only ends it: the report
 * is finished for what was read, a line on stderr says so, and the program
 * exits with 128 + the signal, as a shell reports a killed command, so
 * scripts still see it.  A second signal kills as usual: the handler gives
 * both signals back their default action.  A signal ignored when the
 * program started (a background job of a non-interactive shell ignores
 * SIGINT) stays ignored.
 *
 * The handler only records the signal and writes a byte to a pipe.  The
 * reader waits on its input and that pipe together (poll), so a read
 * blocked on a quiet pipe or terminal returns whichever thread took the
 * signal, and a signal that lands just before the read is not lost.
 */
#ifndef KVMMMU_CLI_INTERRUPT_H
#define KVMMMU_CLI_INTERRUPT_H

#include <glib.h>

/* Catch SIGINT and SIGTERM while the input is read.  Returns the file
 * descriptor that becomes readable on the first of them (for
 * kvmmmu_reader_set_stop_fd), -1 when no pipe could be made: the signals
 * then keep their default action. */
int kvmmmu_interrupt_begin(void);

/* The input is read: the signals take their default action again.  records
 * is what the report covers, for the line kvmmmu_interrupt_status() prints. */
void kvmmmu_interrupt_end(guint64 records);

/* The signal that ended the input, 0 when none did. */
int kvmmmu_interrupt_signal(void);

/* The exit status of a command that returned status: after an interruption,
 * the line on stderr and 128 + the signal; else status. */
int kvmmmu_interrupt_status(int status);

#endif
