-- 0001: the voip business schema (doc/DESIGN.md "Database layout").
-- Idempotent: every object is created only when missing, so applying the
-- file twice (bring-up re-runs, tests) is harmless. The migration runner
-- records the version in voip.schema_migrations.
--
-- Secrets: no clear SIP password is ever stored. extensions.a1_hash is
-- md5(extension:domain:password), the HA1 of RFC 2617 that FreeSWITCH
-- accepts as the directory param "a1-hash"; api_keys holds SHA-256 digests.

CREATE SCHEMA IF NOT EXISTS voip;

CREATE TABLE IF NOT EXISTS voip.schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- SIP domains (the realm FreeSWITCH authenticates against), lower case.
CREATE TABLE IF NOT EXISTS voip.domains (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name = lower(name) AND name ~ '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$'),
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- People (operators, agents); an extension may belong to one.
CREATE TABLE IF NOT EXISTS voip.users (
    id          bigserial PRIMARY KEY,
    domain_id   bigint NOT NULL REFERENCES voip.domains(id) ON DELETE CASCADE,
    username    text NOT NULL,
    full_name   text NOT NULL DEFAULT '',
    email       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (domain_id, username)
);

CREATE TABLE IF NOT EXISTS voip.extensions (
    id                  bigserial PRIMARY KEY,
    domain_id           bigint NOT NULL REFERENCES voip.domains(id) ON DELETE CASCADE,
    extension           text NOT NULL CHECK (extension ~ '^\+?[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
    a1_hash             text NOT NULL CHECK (a1_hash ~ '^[0-9a-f]{32}$'),
    a1b_hash            text NOT NULL CHECK (a1b_hash ~ '^[0-9a-f]{32}$'),  -- md5(ext@domain:domain:password), Kamailio ha1b
    display_name        text NOT NULL DEFAULT '',
    user_context        text NOT NULL DEFAULT 'default' CHECK (user_context ~ '^[A-Za-z0-9_-]{1,64}$'),
    caller_id_number    text CHECK (caller_id_number ~ '^\+?[0-9]{1,32}$'),
    voicemail_enabled   boolean NOT NULL DEFAULT true,
    enabled             boolean NOT NULL DEFAULT true,
    user_id             bigint REFERENCES voip.users(id) ON DELETE SET NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (domain_id, extension)
);

-- mod_callcenter queues, reachable by dialling `number`.
CREATE TABLE IF NOT EXISTS voip.queues (
    id          bigserial PRIMARY KEY,
    domain_id   bigint NOT NULL REFERENCES voip.domains(id) ON DELETE CASCADE,
    number      text NOT NULL CHECK (number ~ '^[0-9]{1,32}$'),
    name        text NOT NULL CHECK (name ~ '^[A-Za-z0-9_-]{1,64}$'),
    strategy    text NOT NULL DEFAULT 'longest-idle-agent',
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (domain_id, number),
    UNIQUE (domain_id, name)
);

CREATE TABLE IF NOT EXISTS voip.queue_members (
    queue_id        bigint NOT NULL REFERENCES voip.queues(id) ON DELETE CASCADE,
    extension_id    bigint NOT NULL REFERENCES voip.extensions(id) ON DELETE CASCADE,
    tier_level      integer NOT NULL DEFAULT 1,
    tier_position   integer NOT NULL DEFAULT 1,
    PRIMARY KEY (queue_id, extension_id)
);

-- mod_ivr menus, reachable by dialling `number`; entries map digits to actions.
CREATE TABLE IF NOT EXISTS voip.ivr_menus (
    id              bigserial PRIMARY KEY,
    domain_id       bigint NOT NULL REFERENCES voip.domains(id) ON DELETE CASCADE,
    number          text NOT NULL CHECK (number ~ '^[0-9]{1,32}$'),
    name            text NOT NULL CHECK (name ~ '^[A-Za-z0-9_-]{1,64}$'),
    greeting        text NOT NULL DEFAULT '',
    timeout_ms      integer NOT NULL DEFAULT 10000,
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (domain_id, number),
    UNIQUE (domain_id, name)
);

CREATE TABLE IF NOT EXISTS voip.ivr_entries (
    menu_id     bigint NOT NULL REFERENCES voip.ivr_menus(id) ON DELETE CASCADE,
    digits      text NOT NULL CHECK (digits ~ '^[0-9*#]{1,8}$'),
    action      text NOT NULL CHECK (action IN ('extension', 'queue', 'ivr', 'voicemail', 'hangup')),
    target      text NOT NULL DEFAULT '',
    PRIMARY KEY (menu_id, digits)
);

-- Outbound trunks: a destination starting with `prefix` goes out through
-- the sofia gateway `gateway` after stripping `strip_digits` digits and
-- prepending `prepend`. Longest prefix wins, then lowest priority.
CREATE TABLE IF NOT EXISTS voip.trunks (
    id              bigserial PRIMARY KEY,
    domain_id       bigint REFERENCES voip.domains(id) ON DELETE CASCADE,  -- NULL: all domains
    name            text NOT NULL UNIQUE,
    gateway         text NOT NULL CHECK (gateway ~ '^[A-Za-z0-9_.-]{1,64}$'),
    prefix          text NOT NULL DEFAULT '' CHECK (prefix ~ '^\+?[0-9]{0,16}$'),
    strip_digits    integer NOT NULL DEFAULT 0 CHECK (strip_digits BETWEEN 0 AND 16),
    prepend         text NOT NULL DEFAULT '' CHECK (prepend ~ '^\+?[0-9]{0,16}$'),
    priority        integer NOT NULL DEFAULT 100,
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS voip.recording_policies (
    id              bigserial PRIMARY KEY,
    domain_id       bigint NOT NULL REFERENCES voip.domains(id) ON DELETE CASCADE,
    extension_id    bigint REFERENCES voip.extensions(id) ON DELETE CASCADE,  -- NULL: whole domain
    mode            text NOT NULL CHECK (mode IN ('always', 'never')),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS recording_policies_scope
    ON voip.recording_policies (domain_id, coalesce(extension_id, 0));

CREATE TABLE IF NOT EXISTS voip.recordings (
    id          bigserial PRIMARY KEY,
    call_uuid   text NOT NULL,
    path        text NOT NULL UNIQUE,
    bytes       bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS recordings_call_uuid ON voip.recordings (call_uuid);

-- Extra admin API keys (the main one is admin_api_key_sha256 in
-- voip-admin.conf): lowercase hex SHA-256 of the key, never the key.
CREATE TABLE IF NOT EXISTS voip.api_keys (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    key_sha256  text NOT NULL UNIQUE CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

INSERT INTO voip.schema_migrations (version, name) VALUES (1, 'voip_schema')
    ON CONFLICT (version) DO NOTHING;
