// SPDX-License-Identifier: GPL-2.0
/*
 * Capability bitmap <-> names, shared by ordo.ko and libordo.
 *
 * The text form lists the set bits in ascending order, separated by one
 * space, as /sys/power/state does: "genl stats trace". A bit without a
 * name (from a newer module) is written as "bitN" so that nothing is
 * lost, and "bitN" parses back to it.
 */
#include <linux/ordo.h>

#include "ordo_caps.h"

static const char * const ordo_cap_names[] = {
	[ORDO_CAP_GENL] = "genl",
	[ORDO_CAP_STATS] = "stats",
	[ORDO_CAP_TRACE] = "trace",
	[ORDO_CAP_CLOCK] = "clock",
	[ORDO_CAP_PTP] = "ptp",
	[ORDO_CAP_CLOCK_MMAP] = "clock_mmap",
	[ORDO_CAP_LCLOCK] = "lclock",
	[ORDO_CAP_STAMP] = "stamp",
};

const char *ordo_cap_name(unsigned int bit)
{
	if (bit >= ARRAY_SIZE(ordo_cap_names))
		return NULL;
	return ordo_cap_names[bit];
}

static int ordo_append(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n + 1 > len)
		return -ENOSPC;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
	return 0;
}

/*
 * ordo_caps_format - write the names of the bits set in @caps to @buf.
 * Returns the length written (without the NUL), or -ENOSPC when @len is
 * too small (@buf then holds a NUL-terminated prefix, or nothing).
 */
int ordo_caps_format(char *buf, size_t len, u64 caps)
{
	size_t pos = 0;
	unsigned int bit;
	int err;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (bit = 0; bit < 64; bit++) {
		const char *name;
		char tmp[8];

		if (!(caps & (1ULL << bit)))
			continue;
		if (pos) {
			err = ordo_append(buf, len, &pos, " ");
			if (err)
				return err;
		}
		name = ordo_cap_name(bit);
		if (!name) {
			/* "bit" + at most two digits */
			tmp[0] = 'b';
			tmp[1] = 'i';
			tmp[2] = 't';
			if (bit >= 10) {
				tmp[3] = '0' + bit / 10;
				tmp[4] = '0' + bit % 10;
				tmp[5] = '\0';
			} else {
				tmp[3] = '0' + bit;
				tmp[4] = '\0';
			}
			name = tmp;
		}
		err = ordo_append(buf, len, &pos, name);
		if (err)
			return err;
	}
	return (int)pos;
}

static bool ordo_is_sep(char c)
{
	return c == ' ' || c == ',' || c == '\t' || c == '\n';
}

static int ordo_cap_lookup(const char *word, size_t n)
{
	unsigned int bit;

	for (bit = 0; bit < ARRAY_SIZE(ordo_cap_names); bit++) {
		const char *name = ordo_cap_names[bit];

		if (name && strlen(name) == n && !memcmp(name, word, n))
			return bit;
	}
	/* "bitN", N in 0..63, no leading zeros */
	if (n >= 4 && n <= 5 && !memcmp(word, "bit", 3)) {
		unsigned int v = 0;
		size_t i;

		if (n == 5 && word[3] == '0')
			return -EINVAL;
		for (i = 3; i < n; i++) {
			if (word[i] < '0' || word[i] > '9')
				return -EINVAL;
			v = v * 10 + (word[i] - '0');
		}
		if (v < 64)
			return v;
	}
	return -EINVAL;
}

/*
 * ordo_caps_parse - parse names separated by spaces, commas, tabs or
 * newlines into a bitmap. Returns 0, or -EINVAL on an unknown name or a
 * name given twice.
 */
int ordo_caps_parse(const char *str, u64 *caps)
{
	u64 v = 0;

	while (*str) {
		const char *word;
		size_t n = 0;
		int bit;

		while (ordo_is_sep(*str))
			str++;
		if (!*str)
			break;
		word = str;
		while (word[n] && !ordo_is_sep(word[n]))
			n++;
		bit = ordo_cap_lookup(word, n);
		if (bit < 0)
			return bit;
		if (v & (1ULL << bit))
			return -EINVAL;
		v |= 1ULL << bit;
		str = word + n;
	}
	*caps = v;
	return 0;
}
