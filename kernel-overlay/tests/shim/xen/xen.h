/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <xen/xen.h>: the domain type is the test's to set. */
#ifndef _SHIM_XEN_XEN_H
#define _SHIM_XEN_XEN_H

extern int test_xen_initial_domain;

static inline int xen_initial_domain(void)
{
	return test_xen_initial_domain;
}

#endif
