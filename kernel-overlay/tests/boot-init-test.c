// SPDX-License-Identifier: GPL-2.0
/*
 * Host test of the boot test's /init: its command-line parsing, its
 * checksum against the harness's (the expected sum is passed by the
 * Python test, computed by initramfs.fnv1a over the same file), and its
 * write pattern being reproducible. The init's main() is renamed away.
 */
#define main init_main
#include "../boot/init.c"
#undef main

#include <assert.h>

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20], a[4096], b[4096];
	char val[64];
	FILE *f;
	size_t n;

	assert(argc == 3);
	assert(param("console=ttyS0 treewide.len=1048576 treewide.sum=ab12", "treewide.sum", val, sizeof(val)));
	assert(!strcmp(val, "ab12"));
	assert(param("treewide.len=7\n", "treewide.len", val, sizeof(val)) && !strcmp(val, "7"));
	/* A longer parameter whose name starts the same is not it. */
	assert(!param("xtreewide.sum=1 treewide.summary=2", "treewide.sum", val, sizeof(val)));

	f = fopen(argv[1], "rb");
	assert(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (fnv1a(0xcbf29ce484222325ULL, buf, n) != strtoull(argv[2], NULL, 16)) {
		fprintf(stderr, "checksum of %s differs from the harness's %s\n", argv[1], argv[2]);
		return 1;
	}
	fill(a, sizeof(a), 42);
	fill(b, sizeof(b), 42);
	assert(!memcmp(a, b, sizeof(a)));
	fill(b, sizeof(b), 43);
	assert(memcmp(a, b, sizeof(a)));
	printf("boot-init-test: ok (%zu bytes checked)\n", n);
	return 0;
}
