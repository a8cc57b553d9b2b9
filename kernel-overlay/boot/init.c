// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the treewide boot test: real DMA through the machine's block
 * device, one verdict line, reset.
 *
 * The harness (scripts/treewide_lib/boot.py) attaches a disk whose first
 * treewide.len bytes it filled with a known pattern, and passes their
 * FNV-1a 64 checksum as treewide.sum on the kernel command line. This
 * program, statically linked against Debian's cross libc (or, where Debian
 * has none, against our own freestanding.c):
 *   1. reads that region back with O_DIRECT (device to memory DMA) and
 *      checks the checksum;
 *   2. writes a pattern of its own after it with O_DIRECT (memory to
 *      device DMA), then reads it back through a new descriptor and
 *      compares;
 *   3. loads /probe.ko if the initramfs has one (the DMA-ops probe);
 *   4. prints "treewide-boot: verdict=pass|fail ...", then "treewide-boot:
 *      done", and resets the machine (a LAVA test monitor reads from
 *      "treewide-boot: start", printed first, to "done").
 * Any step that fails says which and why on the same line.
 *
 * On a lab's board (treewide.readonly=1) the disk is the board's own: the
 * init reads its first treewide.len bytes twice, through two descriptors,
 * and compares their checksums; it writes nothing.
 */
#ifdef TREEWIDE_FREESTANDING
/* A machine without a libc (sparc32): our own small one, freestanding.c. */
#include "freestanding.h"
#else
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/*
 * O_DIRECT buffers start on a 64 KiB boundary: on every page size a transfer
 * then spans as few pages as it can. A 1 MiB read from a buffer aligned to
 * 4 KiB spans 129 pages of 8 KiB on alpha, one scatterlist entry more than
 * a kernel without scatterlist chaining maps in one request (6.1 warns in
 * __sg_alloc_table() and the read never completes).
 */
#define ALIGN		(64 * 1024)
#define WRITE_LEN	(256 * 1024)
#define WAIT_DISK_S	30

static char verdict_detail[512];

static void note(const char *fmt, ...)
{
	size_t used = strlen(verdict_detail);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(verdict_detail + used, sizeof(verdict_detail) - used, fmt, ap);
	va_end(ap);
}

/* A kernel command line parameter "name=value", or NULL. */
static const char *param(const char *cmdline, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *p = cmdline;

	while ((p = strstr(p, name))) {
		if ((p == cmdline || p[-1] == ' ') && p[n] == '=') {
			size_t i = 0;

			p += n + 1;
			while (p[i] && p[i] != ' ' && p[i] != '\n' && i < len - 1) {
				buf[i] = p[i];
				i++;
			}
			buf[i] = '\0';
			return buf;
		}
		p += n;
	}
	return NULL;
}

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t len)
{
	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The pattern this program writes: xorshift64 from a seed, per byte offset. */
static void fill(unsigned char *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
}

/* The first block device that is not a ram, loop or zram device. */
static int find_disk(const char *want, char *name, size_t len)
{
	int tries;

	for (tries = 0; tries < WAIT_DISK_S * 10; tries++) {
		DIR *d = opendir("/sys/block");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.' || !strncmp(e->d_name, "ram", 3) ||
			    !strncmp(e->d_name, "loop", 4) || !strncmp(e->d_name, "zram", 4))
				continue;
			if (want && strcmp(e->d_name, want))
				continue;
			snprintf(name, len, "%s", e->d_name);
			closedir(d);
			return 0;
		}
		if (d)
			closedir(d);
		usleep(100000);
	}
	return -1;
}

static ssize_t io_full(int fd, void *buf, size_t len, off_t off, int write_it)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = write_it ? pwrite(fd, (char *)buf + done, len - done, off + done)
				     : pread(fd, (char *)buf + done, len - done, off + done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : (ssize_t)done;
		done += r;
	}
	return done;
}

static int check_read(const char *dev, size_t len, uint64_t want)
{
	unsigned char *buf;
	uint64_t got;
	int fd;

	fd = open(dev, O_RDONLY | O_DIRECT);
	if (fd < 0) {
		note(" read=open-failed:%s", strerror(errno));
		return -1;
	}
	if (posix_memalign((void **)&buf, ALIGN, len)) {
		note(" read=no-memory");
		close(fd);
		return -1;
	}
	if (io_full(fd, buf, len, 0, 0) != (ssize_t)len) {
		note(" read=io-error:%s", strerror(errno));
		free(buf);
		close(fd);
		return -1;
	}
	got = fnv1a(0xcbf29ce484222325ULL, buf, len);
	free(buf);
	close(fd);
	if (got != want) {
		note(" read=checksum-mismatch:%016llx", (unsigned long long)got);
		return -1;
	}
	note(" read=ok:%zu", len);
	return 0;
}

/* A board's disk: the same region read twice must give the same bytes. */
static int check_stable_read(const char *dev, size_t len)
{
	unsigned char *buf;
	uint64_t sum[2];
	int fd, i;

	if (posix_memalign((void **)&buf, ALIGN, len)) {
		note(" read=no-memory");
		return -1;
	}
	for (i = 0; i < 2; i++) {
		fd = open(dev, O_RDONLY | O_DIRECT);
		if (fd < 0 || io_full(fd, buf, len, 0, 0) != (ssize_t)len) {
			note(" read=io-error:%s", strerror(errno));
			if (fd >= 0)
				close(fd);
			free(buf);
			return -1;
		}
		close(fd);
		sum[i] = fnv1a(0xcbf29ce484222325ULL, buf, len);
		memset(buf, 0, len);
	}
	free(buf);
	if (sum[0] != sum[1]) {
		note(" read=unstable:%016llx:%016llx", (unsigned long long)sum[0],
		     (unsigned long long)sum[1]);
		return -1;
	}
	note(" read=twice-ok:%zu readonly", len);
	return 0;
}

static int check_write(const char *dev, off_t off)
{
	unsigned char *out, *back;
	int fd, ret = -1;

	if (posix_memalign((void **)&out, ALIGN, WRITE_LEN) ||
	    posix_memalign((void **)&back, ALIGN, WRITE_LEN)) {
		note(" write=no-memory");
		return -1;
	}
	fill(out, WRITE_LEN, 0x5eed00000d3a0ULL ^ (uint64_t)off);
	memset(back, 0, WRITE_LEN);
	fd = open(dev, O_RDWR | O_DIRECT | O_SYNC);
	if (fd < 0 || io_full(fd, out, WRITE_LEN, off, 1) != WRITE_LEN || fsync(fd)) {
		note(" write=io-error:%s", strerror(errno));
		goto out;
	}
	close(fd);
	/* A new descriptor: the data comes back from the device, not a cache. */
	fd = open(dev, O_RDONLY | O_DIRECT);
	if (fd < 0 || io_full(fd, back, WRITE_LEN, off, 0) != WRITE_LEN) {
		note(" readback=io-error:%s", strerror(errno));
		goto out;
	}
	if (memcmp(out, back, WRITE_LEN)) {
		note(" readback=mismatch");
		goto out;
	}
	note(" write=ok:%d", WRITE_LEN);
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(out);
	free(back);
	return ret;
}

/* The DMA-ops probe module, when the harness put one in the initramfs. */
static void load_probe(void)
{
	int fd = open("/probe.ko", O_RDONLY);

	if (fd < 0)
		return;
	if (syscall(SYS_finit_module, fd, "", 0))
		note(" probe=load-failed:%s", strerror(errno));
	else
		note(" probe=loaded");
	close(fd);
}

int main(void)
{
	char cmdline[4096] = "", want_disk[64], sum[32], lenbuf[32], disk[256], dev[270], ro[8];
	const char *want;
	int fd, ok = 1, readonly;
	ssize_t n;

	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir("/dev", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) && errno != EBUSY)
		note(" devtmpfs=%s", strerror(errno));
	/* No /dev/console in the initramfs: the kernel gave us no stdout. */
	if (fcntl(1, F_GETFD) < 0) {
		fd = open("/dev/console", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
	}

	printf("treewide-boot: start\n");	/* where a LAVA test monitor starts reading */
	fflush(stdout);
	fd = open("/proc/cmdline", O_RDONLY);
	n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;
	cmdline[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);

	load_probe();
	want = param(cmdline, "treewide.disk", want_disk, sizeof(want_disk));
	readonly = param(cmdline, "treewide.readonly", ro, sizeof(ro)) && !strcmp(ro, "1");
	if (!param(cmdline, "treewide.len", lenbuf, sizeof(lenbuf)) ||
	    (!readonly && !param(cmdline, "treewide.sum", sum, sizeof(sum)))) {
		note(" error=no-treewide.sum-or-len-on-the-command-line");
		ok = 0;
	} else if (find_disk(want, disk, sizeof(disk))) {
		note(" error=no-disk-after-%ds%s%s", WAIT_DISK_S, want ? ":" : "", want ? want : "");
		ok = 0;
	} else {
		size_t len = strtoull(lenbuf, NULL, 0);

		snprintf(dev, sizeof(dev), "/dev/%s", disk);
		note(" disk=%s", disk);
		if (readonly) {
			if (check_stable_read(dev, len))
				ok = 0;
		} else {
			if (check_read(dev, len, strtoull(sum, NULL, 16)))
				ok = 0;
			if (check_write(dev, (off_t)len))
				ok = 0;
		}
	}
	printf("treewide-boot: verdict=%s%s\n", ok ? "pass" : "fail", verdict_detail);
	printf("treewide-boot: done\n");
	fflush(stdout);
	sync();
	/*
	 * Reset rather than power off: the harness runs QEMU with -no-reboot,
	 * which turns a reset into its exit on every machine, while power-off
	 * needs ACPI on x86, which the small configs leave out.
	 */
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}
