/* Prompts on the controlling terminal. */
#include "base/ttyprompt.h"

#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fdutil.h"

char *ttyprompt_read(const char *prompt, int secret)
{
	struct termios old, quiet;
	struct buf b;
	char c;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	int echo_off = 0;

	if (fd < 0)
		return NULL;
	fd_write_all(fd, prompt, strlen(prompt));
	if (secret && tcgetattr(fd, &old) == 0) {
		echo_off = 1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	buf_init(&b, TTYPROMPT_MAX);
	b.secret = secret;
	while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
		if (buf_putc(&b, c) != 0)
			break;
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (secret)
		fd_write_all(fd, "\n", 1);
	close(fd);
	return buf_take(&b, NULL);
}
