-- 0002: CDR ingestion (issue 3 item 4; doc/DESIGN.md "CDR ingestion").
-- Idempotent: objects are created only when missing.
--
-- Flow: voip-admind acknowledges a posted CDR once it is fsynced in its
-- local journal (spool_dir), then its workers move it here: parsed rows into
-- voip.cdr (uuid unique, so a re-delivered CDR is a no-op), unparseable
-- documents into voip.cdr_dead_letter with the reason. voip.cdr_queue is the
-- database-side inbox for CDRs that arrive by other paths (an operator
-- re-submitting FreeSWITCH's err-log-dir files with psql): the same workers
-- drain it with FOR UPDATE SKIP LOCKED, deleting each row in the transaction
-- that stores it.

CREATE SCHEMA IF NOT EXISTS voip;

CREATE TABLE IF NOT EXISTS voip.cdr (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                text NOT NULL UNIQUE,       -- the leg's uuid, lower case
    leg                 text NOT NULL CHECK (leg IN ('a', 'b')),
    direction           text,                       -- inbound / outbound
    caller_id_number    text,
    caller_id_name      text,
    destination_number  text,
    context             text,
    domain              text,
    start_time          timestamptz,
    answer_time         timestamptz,                -- NULL: never answered
    end_time            timestamptz,
    duration            integer,                    -- seconds
    billsec             integer,                    -- seconds
    hangup_cause        text,
    queue               text,                       -- mod_callcenter cc_queue
    agent               text,                       -- cc_agent
    recording_path      text,
    sip_call_id         text,
    other_leg_uuid      text,                       -- bridge_uuid / originator
    core_uuid           text,                       -- FreeSWITCH instance
    switchname          text,
    format              text NOT NULL CHECK (format IN ('xml', 'json')),
    raw                 text NOT NULL,              -- the document as posted (decoded envelope)
    received_at         timestamptz NOT NULL,       -- when voip-admind acknowledged it
    inserted_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The documents are 5-20 KB of repetitive text: lz4 is several times faster
-- than the default pglz for TOAST at a similar ratio (PostgreSQL >= 14 built
-- with lz4, as Debian's and the PGDG packages are).
ALTER TABLE voip.cdr ALTER COLUMN raw SET COMPRESSION lz4;

-- For the REST API's list/filter/paging (newest first) and stats.
CREATE INDEX IF NOT EXISTS cdr_start_time ON voip.cdr (start_time DESC);
CREATE INDEX IF NOT EXISTS cdr_caller ON voip.cdr (caller_id_number, start_time DESC);
CREATE INDEX IF NOT EXISTS cdr_callee ON voip.cdr (destination_number, start_time DESC);
CREATE INDEX IF NOT EXISTS cdr_domain_start ON voip.cdr (domain, start_time DESC);

CREATE TABLE IF NOT EXISTS voip.cdr_queue (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body                text NOT NULL,              -- anything POST /fs/cdr accepts
    enqueued_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE IF NOT EXISTS voip.cdr_dead_letter (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reason              text NOT NULL,
    source              text NOT NULL CHECK (source IN ('http', 'queue', 'journal')),
    body                bytea NOT NULL,             -- bytes as received (may be invalid UTF-8)
    digest              bytea GENERATED ALWAYS AS (sha256(body)) STORED,
    received_at         timestamptz NOT NULL,
    inserted_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- A replayed journal re-sends its dead letters too: keep one copy.
CREATE UNIQUE INDEX IF NOT EXISTS cdr_dead_letter_digest ON voip.cdr_dead_letter (digest);
CREATE INDEX IF NOT EXISTS cdr_dead_letter_inserted ON voip.cdr_dead_letter (inserted_at DESC);
