/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/bare.c: does nothing, but is linked (bench/derive.sh, --no-as-needed) against the same
 * libraries as archy-derive, so that timing it shows what starting such a process costs. */
int main(void) {
        return 0;
}
