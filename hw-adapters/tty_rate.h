/*
 * tty_rate.h - serial rates by number, beyond the B* constants: Linux's
 * termios2 (BOTHER) through TCSETS2/TCGETS2.
 *
 * Its own file because <asm/termbits.h> redefines struct termios and
 * cannot share a translation unit with <termios.h>.  These are thin
 * system calls: 0 on success, -1 with errno set; errno ENOSYS where the
 * platform has no termios2.  Translating errno is the caller's (tty.c).
 */
#ifndef TTY_RATE_H
#define TTY_RATE_H

/* Set input and output rate to baud, leaving every other setting. */
int tty_rate_set(int fd, unsigned baud);

/* The rates the driver actually applied, in bits per second. */
int tty_rate_get(int fd, unsigned *ispeed, unsigned *ospeed);

#endif /* TTY_RATE_H */
