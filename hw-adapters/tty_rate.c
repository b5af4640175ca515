/*
 * tty_rate.c - numeric serial rates through termios2 (tty_rate.h).
 *
 * Only <asm/termbits.h> and the ioctl numbers here, never <termios.h>:
 * the two define the same struct differently.
 */
#include <errno.h>

#include "hw-adapters/tty_rate.h"

#if defined(__linux__)
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <sys/ioctl.h>
#endif

#if defined(__linux__) && defined(TCGETS2) && defined(BOTHER)

int tty_rate_set(int fd, unsigned baud)
{
	struct termios2 t2;

	if (ioctl(fd, TCGETS2, &t2))
		return -1;
	t2.c_cflag &= ~(tcflag_t)(CBAUD | (CBAUD << IBSHIFT));
	t2.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
	t2.c_ispeed = baud;
	t2.c_ospeed = baud;
	return ioctl(fd, TCSETS2, &t2);
}

int tty_rate_get(int fd, unsigned *ispeed, unsigned *ospeed)
{
	struct termios2 t2;

	if (ioctl(fd, TCGETS2, &t2))
		return -1;
	*ispeed = t2.c_ispeed;
	*ospeed = t2.c_ospeed;
	return 0;
}

#else

int tty_rate_set(int fd, unsigned baud)
{
	(void)fd;
	(void)baud;
	errno = ENOSYS;
	return -1;
}

int tty_rate_get(int fd, unsigned *ispeed, unsigned *ospeed)
{
	(void)fd;
	*ispeed = *ospeed = 0;
	errno = ENOSYS;
	return -1;
}

#endif
