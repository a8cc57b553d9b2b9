/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little of libc that the boot test's /init (init.c) uses, for a
 * machine without a C library: Debian has no 32-bit sparc libc, so the
 * sparc32 /init is built with -nostdinc -nostdlib -ffreestanding against
 * this header and freestanding.c (our own code: system calls, _start, a
 * few string and stdio functions). init.c includes it instead of the
 * libc headers when TREEWIDE_FREESTANDING is defined.
 *
 * Everything ABI-specific (system call numbers, open flags) is sparc32
 * Linux's; another arch would add its own values next to them.
 */
#ifndef TREEWIDE_FREESTANDING_H
#define TREEWIDE_FREESTANDING_H

#if !defined(__sparc__) || defined(__arch64__)
#error "freestanding.h knows the sparc32 Linux ABI only"
#endif

/* Types from the compiler's own predefined macros: no header needed. */
typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ssize_t;
typedef __UINT64_TYPE__ uint64_t;
typedef __UINT32_TYPE__ uint32_t;
typedef __UINT16_TYPE__ uint16_t;
typedef __UINT8_TYPE__ uint8_t;
typedef __INT64_TYPE__ int64_t;
typedef int64_t off_t;		/* what pread64/pwrite64 take: files past 2 GiB too */
typedef unsigned int mode_t;
typedef __builtin_va_list va_list;
#define va_start(ap, last)	__builtin_va_start(ap, last)
#define va_arg(ap, type)	__builtin_va_arg(ap, type)
#define va_end(ap)		__builtin_va_end(ap)
#define NULL			((void *)0)

/* errno values: asm-generic/errno-base.h, which sparc shares for 1-34. */
extern int errno;
#define EINTR		4
#define EIO		5
#define ENOMEM		12
#define EBUSY		16
#define EINVAL		22

/* open flags: arch/sparc/include/uapi/asm/fcntl.h (they differ from x86's). */
#define O_RDONLY	0x0000
#define O_WRONLY	0x0001
#define O_RDWR		0x0002
#define O_DIRECTORY	0x10000
#define O_LARGEFILE	0x40000
#define O_DIRECT	0x100000
#define O_DSYNC		0x2000
#define O_SYNC		(0x800000 | O_DSYNC)
#define F_GETFD		1

/*
 * System call numbers: arch/sparc/kernel/syscalls/syscall.tbl ("common"
 * and "32" rows; asm/unistd_32.h of a built tree). The sparc ABI has kept
 * them since 2.x: 4.10's asm/unistd.h has the same.
 */
#define SYS_exit		1
#define SYS_read		3
#define SYS_write		4
#define SYS_open		5
#define SYS_close		6
#define SYS_pause		29
#define SYS_sync		36
#define SYS_reboot		55
#define SYS_pread64		67
#define SYS_pwrite64		68
#define SYS_dup2		90
#define SYS_fcntl		92
#define SYS_fsync		95
#define SYS_mkdir		136
#define SYS_getdents64		154
#define SYS_mount		167
#define SYS_nanosleep		249
#define SYS_finit_module	342

/* reboot(2)'s magic numbers and command: include/uapi/linux/reboot.h. */
#define RB_AUTOBOOT		0x01234567

long syscall(long nr, ...);
int open(const char *path, int flags, ...);
int close(int fd);
ssize_t read(int fd, void *buf, size_t len);
ssize_t write(int fd, const void *buf, size_t len);
ssize_t pread(int fd, void *buf, size_t len, off_t off);
ssize_t pwrite(int fd, const void *buf, size_t len, off_t off);
int fsync(int fd);
void sync(void);
int fcntl(int fd, int cmd, ...);
int dup2(int from, int to);
int mkdir(const char *path, mode_t mode);
int mount(const char *src, const char *dst, const char *type, unsigned long flags, const void *data);
int reboot(int cmd);
int usleep(unsigned int us);
int pause(void);
void _exit(int status) __attribute__((noreturn));

/* opendir/readdir over getdents64: one directory open at a time. */
struct dirent {			/* struct linux_dirent64 */
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};
typedef struct dir DIR;
DIR *opendir(const char *path);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *hay, const char *needle);
void *memset(void *p, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
char *strerror(int err);
unsigned long long strtoull(const char *s, char **end, int base);

/* A bump allocator over a static arena: /init allocates three buffers. */
int posix_memalign(void **p, size_t align, size_t len);
void free(void *p);

/* stdio: %s %c %d %i %u %x with l, ll, z, a width and 0-padding. */
typedef struct file FILE;
extern FILE *stdout;
int vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);
int snprintf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fflush(FILE *f);		/* printf writes at once: nothing to flush */

#endif
