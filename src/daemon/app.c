/* Settings snapshot helpers; see app.h. */
#include "daemon/app.h"

#include <string.h>

void app_settings_from_config(struct settings *s, const struct admin_config *cfg)
{
	memcpy(s->admin_key_sha256, cfg->admin_api_key_sha256, 32);
	memcpy(s->freeswitch_key_sha256, cfg->freeswitch_api_key_sha256, 32);
	s->max_body_bytes = cfg->max_body_bytes;
	s->directory_cache_ms = cfg->directory_cache_ms;
	s->health_max_backlog = cfg->health_max_backlog;
}

void app_settings_get(struct app *app, struct settings *out)
{
	pthread_mutex_lock(&app->settings_lock);
	*out = app->settings;
	pthread_mutex_unlock(&app->settings_lock);
}

void app_settings_set(struct app *app, const struct settings *in)
{
	pthread_mutex_lock(&app->settings_lock);
	app->settings = *in;
	pthread_mutex_unlock(&app->settings_lock);
}
