/* Generator plan: render every MANIFEST entry in memory, then write. */
#include "lib/generate.h"
#include "lib/atomic-write.h"
#include "lib/derive.h"
#include "lib/manifest.h"
#include "lib/owner.h"
#include "lib/readfile.h"
#include "lib/template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEMPLATE_MAX (4 * 1024 * 1024)

static void file_free(struct gen_file *f)
{
	free(f->path);
	if (f->data) {
		explicit_bzero(f->data, f->len);
		free(f->data);
	}
	free(f->owner);
	free(f->group);
	free(f->copy_path);
	free(f->copy_owner);
	free(f->copy_group);
}

void gen_plan_free(struct gen_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->count; i++)
		file_free(&plan->files[i]);
	free(plan->files);
	plan->files = NULL;
	plan->count = 0;
}

/* A rendered destination: absolute, plain characters, no "." or "..". */
static bool dest_ok(const char *d)
{
	size_t n = strlen(d);
	const char *p;

	if (n < 2 || d[0] != '/' || d[n - 1] == '/' ||
	    strspn(d, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789/._+-@") != n ||
	    strstr(d, "//"))
		return false;
	for (p = d; (p = strstr(p, "/.")) != NULL; p++)
		if (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0')))
			return false;
	return true;
}

/* Takes f (and what it owns) into the plan, also on failure. */
static int add_file(struct gen_plan *plan, struct gen_file *f)
{
	struct gen_file *p = realloc(plan->files, (plan->count + 1) * sizeof(*p));

	if (!p) {
		file_free(f);
		return -ENOMEM;
	}
	plan->files = p;
	plan->files[plan->count++] = *f;
	return 0;
}

struct render_ctx {
	const struct gen_request *req;
	const char *manifest_path;
	struct gen_plan *plan;
	struct errlist *el;
};

/* A freeswitch row's copy: below base + FS_CONF_DIR, with the MANIFEST's
 * copy mode and owner when that user and group exist here, else with the
 * staged ones (the freeswitch group exists only once FreeSWITCH does). */
static int copy_target(struct render_ctx *ctx, const struct manifest_entry *e, const char *base,
		       const char *dest, struct gen_file *f)
{
	const struct gen_request *req = ctx->req;
	bool staged = false;
	uid_t uid;
	gid_t gid;
	int r = 0;

	if (strncmp(dest, FS_STAGE_DIR, strlen(FS_STAGE_DIR))) {
		errlist_add(ctx->el, "%s:%u: rendered destination '%s' is not below " FS_STAGE_DIR,
			    ctx->manifest_path, e->line, dest);
		return -EINVAL;
	}
	if (!req->out) {
		r = lookup_user(req->root, e->copy_owner, &uid);
		if (r == 0)
			r = lookup_group(req->root, e->copy_group, &gid);
		if (r == -ENOENT) {
			staged = true;
		} else if (r < 0) {
			errlist_add(ctx->el, "%s:%u: cannot look up '%s:%s': %s",
				    ctx->manifest_path, e->line, e->copy_owner, e->copy_group,
				    strerror(-r));
			return -EINVAL;
		}
	}
	f->copy_mode = staged ? e->mode : e->copy_mode;
	f->copy_owner = strdup(staged ? e->owner : e->copy_owner);
	f->copy_group = strdup(staged ? e->group : e->copy_group);
	if (asprintf(&f->copy_path, "%s" FS_CONF_DIR "%s", base, dest + strlen(FS_STAGE_DIR)) < 0)
		f->copy_path = NULL;
	return f->copy_owner && f->copy_group && f->copy_path ? 0 : -ENOMEM;
}

/* Renders one entry for one variable set into base + destination. */
static int render_entry(struct render_ctx *ctx, const struct manifest_entry *e,
			const struct vars *vars, const char *base, uid_t uid, gid_t gid)
{
	struct strbuf dest = STRBUF_INIT, tmpl = STRBUF_INIT, out = STRBUF_INIT;
	struct gen_file f = { 0 };
	char where[64], *tpath = NULL;
	size_t before = ctx->el->count;
	int r;

	snprintf(where, sizeof(where), "MANIFEST:%u", e->line);
	r = template_render(where, e->destination, strlen(e->destination), vars, &dest, ctx->el);
	if (r == 0 && !dest_ok(sb_str(&dest))) {
		errlist_add(ctx->el,
			    "%s:%u: rendered destination '%s' is not a plain absolute "
			    "path",
			    ctx->manifest_path, e->line, sb_str(&dest));
		r = -EINVAL;
	}
	if (r == 0 && e->policy == POLICY_FREESWITCH)
		r = copy_target(ctx, e, base, sb_str(&dest), &f);
	if (r == -ENOMEM)
		goto done;
	if (asprintf(&tpath, "%s/%s", ctx->req->templates_dir, e->template) < 0) {
		tpath = NULL;
		r = -ENOMEM;
		goto done;
	}
	r = read_file(tpath, TEMPLATE_MAX, &tmpl);
	if (r < 0) {
		if (r == -ENOMEM)
			goto done;
		errlist_add(ctx->el, "cannot read template '%s': %s", tpath, strerror(-r));
		goto done;
	}
	r = template_render(tpath, tmpl.buf ? tmpl.buf : "", tmpl.len, vars, &out, ctx->el);
	if (r == -ENOMEM || ctx->el->count != before) {
		r = r == -ENOMEM ? r : -EINVAL;
		goto done;
	}
	f.len = out.len;
	f.data = sb_detach(&out);
	f.mode = e->mode;
	f.uid = uid;
	f.gid = gid;
	f.policy = e->policy;
	f.owner = strdup(e->owner);
	f.group = strdup(e->group);
	if (asprintf(&f.path, "%s%s", base, sb_str(&dest)) < 0)
		f.path = NULL;
	if (!f.data || !f.owner || !f.group || !f.path) {
		r = -ENOMEM;
		goto done;
	}
	r = add_file(ctx->plan, &f);
	memset(&f, 0, sizeof(f));
done:
	file_free(&f);
	free(tpath);
	sb_release(&dest);
	sb_release(&tmpl);
	sb_release(&out);
	return r;
}

/* Resolves the entry's owner, or reports why it cannot. */
static int entry_owner(struct render_ctx *ctx, const struct manifest_entry *e, uid_t *uid,
		       gid_t *gid)
{
	const struct gen_request *req = ctx->req;
	int r;

	*uid = AW_KEEP_OWNER;
	*gid = (gid_t)-1;
	if (req->out || req->names_only)
		return 0;
	r = lookup_user(req->root, e->owner, uid);
	if (r < 0) {
		errlist_add(ctx->el, "%s:%u: user '%s' %s", ctx->manifest_path, e->line, e->owner,
			    r == -ENOENT ? "does not exist on this system" : strerror(-r));
		return -EINVAL;
	}
	r = lookup_group(req->root, e->group, gid);
	if (r < 0) {
		errlist_add(ctx->el,
			    "%s:%u: group '%s' %s (is the package that uses it "
			    "installed?)",
			    ctx->manifest_path, e->line, e->group,
			    r == -ENOENT ? "does not exist on this system" : strerror(-r));
		return -EINVAL;
	}
	if (!req->set_owner) {
		*uid = AW_KEEP_OWNER;
		*gid = (gid_t)-1;
	}
	return 0;
}

static int check_duplicates(const struct gen_plan *plan, struct errlist *el)
{
	size_t i, j;

	for (i = 0; i < plan->count; i++)
		for (j = 0; j < i; j++)
			if (strcmp(plan->files[i].path, plan->files[j].path) == 0) {
				errlist_add(el, "two MANIFEST entries write '%s'",
					    plan->files[i].path);
				return -EINVAL;
			}
	return 0;
}

static int build_entries(struct render_ctx *ctx, const struct manifest *m)
{
	const struct gen_request *req = ctx->req;
	struct vars v1 = VARS_INIT, v2 = VARS_INIT, vd = VARS_INIT;
	const char *root = req->root && strcmp(req->root, "/") ? req->root : "";
	char *base1 = NULL, *base2 = NULL;
	int r, failed = 0;
	size_t i;

	if (req->all) {
		r = derive_vars(req->cfg, NODE_1, req->pg_major, &v1);
		r = r ? r : derive_vars(req->cfg, NODE_2, req->pg_major, &v2);
		r = r ? r : derive_vars(req->cfg, NODE_AUTO, req->pg_major, &vd);
		if (r == 0 && (asprintf(&base1, "%s/node1", req->out) < 0 ||
			       asprintf(&base2, "%s/node2", req->out) < 0))
			r = -ENOMEM;
	} else {
		r = derive_vars(req->cfg, req->node, req->pg_major, &v1);
		if (r == 0 && !(base1 = strdup(req->out ? req->out : root)))
			r = -ENOMEM;
	}
	for (i = 0; r == 0 && i < m->count; i++) {
		const struct manifest_entry *e = &m->entries[i];
		uid_t uid;
		gid_t gid;

		if (entry_owner(ctx, e, &uid, &gid) < 0) {
			failed = 1;
			continue;
		}
		if (e->policy == POLICY_DEPLOY) {
			if (req->all)
				r = render_entry(ctx, e, &vd, req->out, uid, gid);
		} else {
			r = render_entry(ctx, e, &v1, base1, uid, gid);
			if (r != -ENOMEM && req->all) {
				int r2 = render_entry(ctx, e, &v2, base2, uid, gid);
				r = r ? r : r2;
			}
		}
		if (r == -EINVAL) {
			failed = 1;
			r = 0;
		}
	}
	free(base1);
	free(base2);
	vars_free(&v1);
	vars_free(&v2);
	vars_free(&vd);
	return r < 0 ? r : failed ? -EINVAL : 0;
}

int gen_plan_build(const struct gen_request *req, struct gen_plan *plan, struct errlist *el)
{
	struct render_ctx ctx = { req, NULL, plan, el };
	struct strbuf text = STRBUF_INIT;
	struct manifest m = { NULL, 0 };
	char *mpath = NULL;
	int r;

	plan->files = NULL;
	plan->count = 0;
	if (asprintf(&mpath, "%s/MANIFEST", req->templates_dir) < 0)
		return -ENOMEM;
	ctx.manifest_path = mpath;
	r = read_file(mpath, TEMPLATE_MAX, &text);
	if (r < 0 && r != -ENOMEM) {
		errlist_add(el, "cannot read '%s': %s", mpath, strerror(-r));
		r = -EINVAL;
	}
	if (r == 0)
		r = manifest_parse(mpath, sb_str(&text), text.len, &m, el);
	if (r == 0 && m.count == 0) {
		errlist_add(el, "%s: lists no files", mpath);
		r = -EINVAL;
	}
	if (r == 0)
		r = build_entries(&ctx, &m);
	if (r == 0)
		r = check_duplicates(plan, el);
	if (r < 0)
		gen_plan_free(plan);
	manifest_free(&m);
	sb_release(&text);
	free(mpath);
	return r;
}

int gen_plan_check(struct gen_plan *plan, struct errlist *el)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < plan->count; i++) {
		struct gen_file *f = &plan->files[i];
		int r = atomic_write_differs(f->path, f->data, f->len, f->mode, f->uid, f->gid);

		if (r < 0) {
			errlist_add(el, "cannot read '%s': %s", f->path, strerror(-r));
			failed = 1;
			continue;
		}
		f->change = r == 0 ? 0 : access(f->path, F_OK) == 0 ? 1 : 2;
	}
	return failed ? -EINVAL : 0;
}

int gen_plan_apply(struct gen_plan *plan, struct errlist *el)
{
	size_t i;
	int failed = 0;

	for (i = 0; i < plan->count; i++) {
		struct gen_file *f = &plan->files[i];
		int r;

		if (!f->change)
			continue;
		r = mkdir_parents(f->path, 0755);
		if (r == 0)
			r = atomic_write(f->path, f->data, f->len, f->mode, f->uid, f->gid, NULL);
		if (r < 0) {
			errlist_add(el, "cannot write '%s': %s", f->path, strerror(-r));
			failed = 1;
		}
	}
	return failed ? -EIO : 0;
}
