/* Node and PostgreSQL detection (see detect.h). */
#include "lib/detect.h"
#include "lib/validators.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int detect_local_node(const struct cluster_config *cfg, enum cluster_node *ret)
{
	struct ifaddrs *ifa, *i;
	bool has1 = false, has2 = false;

	if (cfg->this_node_id != NODE_AUTO) {
		*ret = cfg->this_node_id;
		return 0;
	}
	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		uint32_t a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		a = ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr);
		has1 |= a == cfg->node1_ip;
		has2 |= a == cfg->node2_ip;
	}
	freeifaddrs(ifa);
	if (has1 && has2)
		return -EEXIST;
	if (!has1 && !has2)
		return -ENXIO;
	*ret = has1 ? NODE_1 : NODE_2;
	return 0;
}

int detect_pg_major(const struct cluster_config *cfg, const char *root, unsigned *ret,
		    bool *ret_fallback)
{
	char dir[PATH_MAX], bin[PATH_MAX + 300];
	unsigned best = 0;
	struct dirent *de;
	DIR *d;

	*ret_fallback = false;
	if (cfg->pg_version) {
		*ret = cfg->pg_version;
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/usr/lib/postgresql", root ? root : "");
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		struct stat st;
		unsigned v;

		if (uint_parse(de->d_name, PG_MAJOR_MIN, 999, &v) < 0 || v <= best)
			continue;
		snprintf(bin, sizeof(bin), "%s/%s/bin/postgres", dir, de->d_name);
		if (stat(bin, &st) == 0 && S_ISREG(st.st_mode))
			best = v;
	}
	if (d)
		closedir(d);
	if (!best) {
		best = PG_MAJOR_FALLBACK;
		*ret_fallback = true;
	}
	*ret = best;
	return 0;
}
