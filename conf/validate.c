/* SPDX-License-Identifier: BSD-3-Clause */
/* Placeholder replaced by its implementation; keeps the tree building. */
typedef int placeholder_validate;
