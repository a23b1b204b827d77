/* SPDX-License-Identifier: BSD-3-Clause */
/* vtepctl: operator CLI of vtepgw. Everything lives in vtepctl_main() so
 * the tests run the same code. */
#include <stdio.h>

#include "vtepctl.h"

int main(int argc, char **argv)
{
	int ret = vtepctl_main(argc, argv, stdout, stderr);
	if (fflush(stdout) != 0 && ret == VTEPCTL_EXIT_OK)
		ret = VTEPCTL_EXIT_FAILURE;
	return ret;
}
