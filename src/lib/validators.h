/* Syntax checks for single values: the building blocks of cluster.conf
 * validation, kept apart so they can be fuzzed and unit-tested alone. */
#ifndef VOIPHA_VALIDATORS_H
#define VOIPHA_VALIDATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Dotted-quad IPv4: exactly four decimal octets 0..255, no leading zeros,
 * no sign, no spaces. On success stores the address in host order. */
int ipv4_parse(const char *s, uint32_t *ret_addr);
/* Formats a host-order address into buf (at least 16 bytes). */
void ipv4_format(uint32_t addr, char *buf);
/* A unicast host address (host order): not in 0.0.0.0/8, 127.0.0.0/8
 * (loopback), 169.254.0.0/16 (link-local: the kernel's own per-link
 * addresses, never routed, so no peer or client reaches a service there),
 * multicast or reserved (224.0.0.0 and up). The rule of every node, VIP,
 * witness and arbiter address. */
bool ipv4_unicast_host(uint32_t addr);

/* The rule of every password the project stores (cluster.conf's database
 * passwords, the witness's arbiter password): 1..PASSWORD_MAX bytes of
 * valid UTF-8 without control characters (0x00-0x1f, 0x7f). Adds one
 * "NAME: rule" message to el per broken rule, never the value. */
#define PASSWORD_MAX 1024
struct errlist;
void password_check(const char *name, const char *v, struct errlist *el);

/* One element of an address list: a dotted quad (prefix 32) or
 * ADDRESS/PREFIX with PREFIX 1..32 (no leading zero) and no host bits set.
 * `len` bytes of s (the list's element, not NUL-terminated). Returns 0,
 * -EINVAL (syntax, prefix) or -EDOM (host bits set after the prefix). */
int ipv4_cidr_parse(const char *s, size_t len, uint32_t *ret_addr, unsigned *ret_prefix);

/* Linux interface name, restricted to a safe alphabet: 1-15 bytes of
 * [A-Za-z0-9._-], not "." or "..". */
bool ifname_valid(const char *s);

/* RFC 1123 host name: dot-separated labels of 1-63 [A-Za-z0-9-], not starting
 * or ending with '-', at most 253 bytes, no trailing dot, not all-numeric
 * (so it cannot be mistaken for an address). */
bool hostname_valid(const char *s);

/* A host name every machine resolves to itself (true also for names that
 * hostname_valid refuses), ignoring case: "localhost" and anything under
 * ".localhost" (RFC 6761 6.3; nss-myhostname and systemd-resolved answer
 * them with 127.0.0.1 and ::1), "localhost.localdomain" and anything under
 * it (nss-myhostname), "ip6-localhost" and "ip6-loopback" (::1 in the
 * /etc/hosts Debian installs), "localhost6" and "localhost6.localdomain6"
 * (::1 in other distributions' /etc/hosts). */
bool hostname_is_loopback(const char *s);

/* A SIP domain as stored and served: a lower-case host name (above) or a
 * dotted-quad IPv4 address. The schema and the admin API say the same. */
bool domain_valid(const char *s);

/* A pair's name on the witness (cluster.conf arbiter_cluster, the lease
 * row's key): 1-63 of [a-z0-9_-], the first a letter or digit. The witness's
 * table has the same CHECK (db/witness/lease.sql). */
bool cluster_name_valid(const char *s);

/* A day of the week as cluster.conf writes it: mon tue wed thu fri sat sun. */
bool weekday_valid(const char *s);
/* A time of day "HH:MM", both two digits, 00:00 .. 23:59. */
bool time_of_day_valid(const char *s);

/* Strict decimal: digits only, no sign, no spaces, no leading zero (except
 * "0"), within [min, max] (strtoul alone accepts " -1" and "0x10"). Returns 0
 * or -EINVAL (syntax) or -ERANGE. The one unsigned parser of the tree. */
int ullong_parse(const char *s, unsigned long long min, unsigned long long max,
		 unsigned long long *ret);
/* The same for an unsigned. */
int uint_parse(const char *s, unsigned min, unsigned max, unsigned *ret);

/* Characters keepalived keeps verbatim inside an unquoted token: printable
 * ASCII except space and the ones its parser treats specially. */
bool ka_char_ok(unsigned char c);
/* Characters keepalived keeps verbatim inside a double-quoted string: all of
 * printable ASCII, space included, except the double quote itself (there is
 * no escape: a backslash is literal, '#' and '!' start no comment there). */
bool ka_quoted_char_ok(unsigned char c);
/* A value keepalived reads back inside double quotes: every character
 * ka_quoted_char_ok, and not ending in an odd run of backslashes (keepalived
 * 2.2.7 then reports "Unterminated quote" and `keepalived -t` fails; an even
 * run is read as is). */
bool ka_quoted_ok(const char *s);

/* A password Kamailio 5.6's db_url parser reads back from
 * "postgres://user:PASSWORD@host:port/db": no '/' before its first '@' (such
 * a '/' ends the user:password part and the user is taken for the host;
 * after an '@' it is read as part of the password). Found by connecting the
 * installed Kamailio to PostgreSQL (test/templates/nodes.bats). */
bool kam_dburl_password_ok(const char *s);

#endif
