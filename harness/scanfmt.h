/*
 * scanfmt.h - scan results as text and JSON (see scanfmt.c).
 */
#ifndef SCANFMT_H
#define SCANFMT_H

#include <stddef.h>

#include <jansson.h>

#include "harness/netscan.h"
#include "harness/udpscan.h"

/*
 * A banner for people in out[len]: "[tls] ServerHello, TLS 1.2", or the
 * bytes escaped and cut to max, tagged with the probe or service
 * (service may be NULL).
 */
void scan_banner_text(char *out, size_t len, const unsigned char *b,
		      size_t n, enum scan_probe probe, int tls,
		      const char *service, size_t max);
/* Adds "banner_hex" and "banner_text" to o; returns o. */
json_t *scan_banner_json(json_t *o, const unsigned char *b, size_t n);
/* A TCP scan's counts and open ports; ports is the spec scanned. */
json_t *scan_tcp_json(const struct scan_result *res, const char *ports);
/* A UDP probe's counts and every port. */
json_t *scan_udp_json(const struct scan_udp_result *u);
/* Raise the soft descriptor limit for parallel connects, if allowed. */
void scan_raise_nofile(int parallel);

#endif /* SCANFMT_H */
