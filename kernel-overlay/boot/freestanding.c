// SPDX-License-Identifier: GPL-2.0
/*
 * Our own minimal libc for the boot test's /init where Debian has no libc
 * for the machine (sparc32): _start, system calls, and the string, stdio
 * and memory functions init.c uses, no more. Built with
 *   sparc64-linux-gnu-gcc -m32 -mcpu=v8 -static -nostdinc -nostdlib -ffreestanding
 * (scripts/treewide_lib/initramfs.py). There is no 32-bit libgcc in Debian's
 * sparc64 cross compiler either, so nothing here may need one: 64-bit
 * multiplications are v8 code gcc emits inline (umul), and the only 64-bit
 * division, printing a decimal, goes 16 bits at a time through 32-bit udiv.
 */
#include "freestanding.h"

int errno;

/*
 * _start: the kernel leaves %sp on a 64-byte register window save area,
 * argc at %sp+64 (init.c's main takes no arguments). A caller must also
 * give the callee the hidden struct-return word and six argument words
 * above that area: 32 bytes more keeps %sp 8-byte aligned. %fp = 0 marks
 * the outermost frame.
 */
__asm__(".section .text\n"
	".global _start\n"
	".type _start, #function\n"
	"_start:\n"
	"	mov %g0, %fp\n"
	"	sub %sp, 32, %sp\n"
	"	call main\n"
	"	 nop\n"
	"	call _exit\n"		/* main's return value is already in %o0 */
	"	 nop\n"
	".size _start, . - _start\n");

/*
 * A sparc32 Linux system call: trap 0x10, number in %g1, arguments in
 * %o0-%o5, result in %o0; the carry flag says %o0 is a (positive) errno.
 * Returns the result, or -errno. The kernel may change %o1 (a second
 * result, for pipe) and %g1.
 */
static long sc(long nr, long a, long b, long c, long d, long e)
{
	register long g1 __asm__("g1") = nr;
	register long o0 __asm__("o0") = a;
	register long o1 __asm__("o1") = b;
	register long o2 __asm__("o2") = c;
	register long o3 __asm__("o3") = d;
	register long o4 __asm__("o4") = e;

	__asm__ volatile("ta 0x10\n\t"
			 "bcc 1f\n\t"
			 " nop\n\t"
			 "sub %%g0, %%o0, %%o0\n"
			 "1:"
			 : "+r"(o0), "+r"(o1), "+r"(g1)
			 : "r"(o2), "r"(o3), "r"(o4)
			 : "cc", "memory");
	return o0;
}

/* libc's convention: -1 and errno on failure. */
static long ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = -r;
		return -1;
	}
	return r;
}

long syscall(long nr, ...)
{
	va_list ap;
	long a[5];
	int i;

	va_start(ap, nr);
	for (i = 0; i < 5; i++)		/* reads past the caller's arguments are harmless here */
		a[i] = va_arg(ap, long);
	va_end(ap);
	return ret(sc(nr, a[0], a[1], a[2], a[3], a[4]));
}

void _exit(int status)
{
	for (;;)
		sc(SYS_exit, status, 0, 0, 0, 0);
}

/* O_LARGEFILE as a 32-bit libc adds it: block devices may be past 2 GiB. */
int open(const char *path, int flags, ...)
{
	return ret(sc(SYS_open, (long)path, flags | O_LARGEFILE, 0, 0, 0));
}

int close(int fd) { return ret(sc(SYS_close, fd, 0, 0, 0, 0)); }
ssize_t read(int fd, void *buf, size_t len) { return ret(sc(SYS_read, fd, (long)buf, len, 0, 0)); }
ssize_t write(int fd, const void *buf, size_t len) { return ret(sc(SYS_write, fd, (long)buf, len, 0, 0)); }
int fsync(int fd) { return ret(sc(SYS_fsync, fd, 0, 0, 0, 0)); }
void sync(void) { sc(SYS_sync, 0, 0, 0, 0, 0); }
int dup2(int from, int to) { return ret(sc(SYS_dup2, from, to, 0, 0, 0)); }
int mkdir(const char *path, mode_t mode) { return ret(sc(SYS_mkdir, (long)path, mode, 0, 0, 0)); }
int pause(void) { return ret(sc(SYS_pause, 0, 0, 0, 0, 0)); }

/* 64-bit offsets go in two registers, high word first, with no padding. */
ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	return ret(sc(SYS_pread64, fd, (long)buf, len, (long)(off >> 32), (long)off));
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return ret(sc(SYS_pwrite64, fd, (long)buf, len, (long)(off >> 32), (long)off));
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	return ret(sc(SYS_fcntl, fd, cmd, arg, 0, 0));
}

int mount(const char *src, const char *dst, const char *type, unsigned long flags, const void *data)
{
	return ret(sc(SYS_mount, (long)src, (long)dst, (long)type, flags, (long)data));
}

int reboot(int cmd)
{
	return ret(sc(SYS_reboot, 0xfee1dead, 672274793, cmd, 0, 0));
}

int usleep(unsigned int us)
{
	int ts[2] = { us / 1000000, us % 1000000 * 1000 };	/* struct old_timespec32 */

	return ret(sc(SYS_nanosleep, (long)ts, 0, 0, 0, 0));
}

struct dir {
	int fd, pos, end;
	char buf[4096] __attribute__((aligned(8)));
};

DIR *opendir(const char *path)
{
	static DIR one;

	if (one.fd > 0) {
		errno = EBUSY;
		return NULL;
	}
	one.fd = open(path, O_RDONLY | O_DIRECTORY);
	one.pos = one.end = 0;
	return one.fd < 0 ? (one.fd = 0, NULL) : &one;
}

struct dirent *readdir(DIR *d)
{
	struct dirent *e;

	if (d->pos >= d->end) {
		long n = sc(SYS_getdents64, d->fd, (long)d->buf, sizeof(d->buf), 0, 0);

		if (n <= 0)
			return n < 0 ? (errno = -n, NULL) : NULL;
		d->pos = 0;
		d->end = n;
	}
	e = (struct dirent *)(d->buf + d->pos);
	d->pos += e->d_reclen;
	return e;
}

int closedir(DIR *d)
{
	int r = close(d->fd);

	d->fd = 0;
	return r;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}

int strcmp(const char *a, const char *b) { return strncmp(a, b, (size_t)-1); }

char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return (char *)hay;
	return n ? NULL : (char *)hay;
}

/* gcc may itself call memset and memcpy (zeroing `char x[N] = ""`). */
void *memset(void *p, int c, size_t n)
{
	unsigned char *d = p;

	while (n--)
		*d++ = c;
	return p;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* Names rather than sentences: what the verdict line needs to say. */
char *strerror(int err)
{
	static const char *const names[] = {
		[1] = "EPERM", [2] = "ENOENT", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO", [9] = "EBADF",
		[12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY", [17] = "EEXIST",
		[19] = "ENODEV", [22] = "EINVAL", [28] = "ENOSPC", [30] = "EROFS",
	};
	static char other[16];

	if (err > 0 && err < (int)(sizeof(names) / sizeof(names[0])) && names[err])
		return (char *)names[err];
	snprintf(other, sizeof(other), "errno-%d", err);
	return other;
}

static int digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return (c | 0x20) - 'a' + 10;
	return 99;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	unsigned long long v = 0;

	while (*s == ' ')
		s++;
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] | 0x20) == 'x' && digit(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = *s == '0' ? 8 : 10;
	}
	for (; digit(*s) < base; s++)
		v = v * base + digit(*s);
	if (end)
		*end = (char *)s;
	return v;
}

int posix_memalign(void **p, size_t align, size_t len)
{
	static char arena[4 << 20];
	static size_t used;
	size_t start = ((size_t)arena + used + align - 1) & ~(align - 1);

	if (start + len > (size_t)arena + sizeof(arena))
		return ENOMEM;
	used = start + len - (size_t)arena;
	*p = (void *)start;
	return 0;
}

void free(void *p)
{
	(void)p;	/* never reused: the arena is larger than all /init asks for */
}

/* The next decimal digit of *v (v /= 10), with 32-bit divisions only. */
static int div10(unsigned long long *v)
{
	unsigned long long q = 0;
	unsigned int rem = 0;
	int shift;

	for (shift = 48; shift >= 0; shift -= 16) {
		unsigned int cur = rem << 16 | (unsigned int)(*v >> shift & 0xffff);

		q = q << 16 | cur / 10;
		rem = cur % 10;
	}
	*v = q;
	return rem;
}

struct out {
	char *buf;
	size_t len, n;		/* n counts what would have been written, as C says */
};

static void put(struct out *o, char c)
{
	if (o->n + 1 < o->len)
		o->buf[o->n] = c;
	o->n++;
}

int vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	struct out o = { buf, len, 0 };

	for (; *fmt; fmt++) {
		unsigned long long v;
		int longs = 0, width = 0, base = 10, neg = 0, i = 0;
		char pad = ' ', tmp[24];
		const char *s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		if (*++fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			longs += *fmt == 'l' ? 1 : 0;	/* z, l: 32 bits here; ll: 64 */
		switch (*fmt) {
		case 'd': case 'i':
			v = longs > 1 ? va_arg(ap, long long) : va_arg(ap, long);
			if ((long long)v < 0) {
				neg = 1;
				v = -v;
			}
			break;
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			v = longs > 1 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long);
			break;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			tmp[1] = '\0';
			s = tmp;
			goto string;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
string:
			for (i = strlen(s); i < width; i++)
				put(&o, ' ');
			while (*s)
				put(&o, *s++);
			continue;
		default:		/* %% and anything we do not know: printed as is */
			put(&o, *fmt ? *fmt : '%');
			if (!*fmt)
				fmt--;
			continue;
		}
		do {
			int d = base == 16 ? (int)(v & 15) : div10(&v);

			if (base == 16)
				v >>= 4;
			tmp[i++] = "0123456789abcdef"[d];
		} while (v);
		if (neg && pad == '0')
			put(&o, '-');
		for (width -= i + neg; width > 0; width--)
			put(&o, pad);
		if (neg && pad == ' ')
			put(&o, '-');
		while (i)
			put(&o, tmp[--i]);
	}
	if (len)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return o.n;
}

int snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	write(1, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
	return n;
}

FILE *stdout;

int fflush(FILE *f)
{
	(void)f;
	return 0;
}
