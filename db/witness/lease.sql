-- voip-ha witness: the leadership lease of every two-node pair this witness
-- arbitrates (doc/DESIGN.md, "The third voter"). Applied by the witness
-- package into the database voip_ha_witness; idempotent (run again on every
-- configure). The nodes never touch the table: the arbiter role may only
-- call the functions below, which decide in one transaction each, with
-- every time taken from the witness's own clock (clock_timestamp()), never
-- a node's.
--
-- One row per pair (cluster). holder is '' (nobody), node1 or node2; term
-- grows by one each time the lease changes hands, so a node that renews
-- with an old term learns that somebody else held it since.

CREATE SCHEMA IF NOT EXISTS voip_ha;

CREATE TABLE IF NOT EXISTS voip_ha.lease (
	cluster text PRIMARY KEY CHECK (cluster ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
	holder text NOT NULL DEFAULT '' CHECK (holder IN ('', 'node1', 'node2')),
	term bigint NOT NULL DEFAULT 0,
	expires timestamptz NOT NULL DEFAULT '-infinity',
	renewed timestamptz,
	acquired timestamptz
);

-- The answer of every function: granted (the caller holds the lease now),
-- the holder and term after the call, and how many milliseconds the
-- holder's lease still runs in the witness's clock (<= 0: expired).
DROP TYPE IF EXISTS voip_ha.lease_answer CASCADE;
CREATE TYPE voip_ha.lease_answer AS (
	granted boolean,
	holder text,
	term bigint,
	remaining_ms bigint,
	renewed_ago_ms bigint
);

CREATE OR REPLACE FUNCTION voip_ha.lease_row(p_cluster text)
RETURNS voip_ha.lease
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r voip_ha.lease;
BEGIN
	SELECT * INTO r FROM voip_ha.lease l WHERE l.cluster = p_cluster FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'this witness arbitrates no cluster named "%"', p_cluster
			USING ERRCODE = 'P0002',
			      HINT = 'cluster names must match: arbiter_cluster on the nodes, voip-ha-witness/clusters on the witness';
	END IF;
	RETURN r;
END $$;

CREATE OR REPLACE FUNCTION voip_ha.lease_answer_of(r voip_ha.lease, p_granted boolean)
RETURNS voip_ha.lease_answer
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
	SELECT p_granted, r.holder, r.term,
	       CASE WHEN r.holder = '' THEN 0
	            ELSE floor(extract(epoch FROM r.expires - clock_timestamp()) * 1000)::bigint END,
	       CASE WHEN r.renewed IS NULL THEN -1
	            ELSE floor(extract(epoch FROM clock_timestamp() - r.renewed) * 1000)::bigint END
$$;

CREATE OR REPLACE FUNCTION voip_ha.check_args(p_node text, p_ttl_ms integer)
RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF p_node IS NULL OR p_node NOT IN ('node1', 'node2') THEN
		RAISE EXCEPTION 'node must be node1 or node2' USING ERRCODE = '22023';
	END IF;
	IF p_ttl_ms IS NULL OR p_ttl_ms < 100 OR p_ttl_ms > 600000 THEN
		RAISE EXCEPTION 'lease time must be 100..600000 ms' USING ERRCODE = '22023';
	END IF;
END $$;

-- Take the lease when it is free, expired or already ours (a node whose
-- monitor restarted adopts its own lease, same term).
CREATE OR REPLACE FUNCTION voip_ha.lease_acquire(p_cluster text, p_node text, p_ttl_ms integer)
RETURNS voip_ha.lease_answer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r voip_ha.lease;
BEGIN
	PERFORM voip_ha.check_args(p_node, p_ttl_ms);
	r := voip_ha.lease_row(p_cluster);
	IF r.holder = p_node OR r.holder = '' OR r.expires <= clock_timestamp() THEN
		UPDATE voip_ha.lease l
		   SET holder = p_node,
		       term = CASE WHEN r.holder = p_node THEN r.term ELSE r.term + 1 END,
		       expires = clock_timestamp() + p_ttl_ms * interval '1 millisecond',
		       renewed = clock_timestamp(),
		       acquired = CASE WHEN r.holder = p_node THEN r.acquired ELSE clock_timestamp() END
		 WHERE l.cluster = p_cluster
		RETURNING l.* INTO r;
		RETURN voip_ha.lease_answer_of(r, true);
	END IF;
	RETURN voip_ha.lease_answer_of(r, false);
END $$;

-- Extend the lease this node holds with this term. Refused when somebody
-- else took it since (another holder or term): the caller must stop being
-- the primary. Renewing after the expiry is still safe when nobody took it.
CREATE OR REPLACE FUNCTION voip_ha.lease_renew(p_cluster text, p_node text, p_term bigint,
					       p_ttl_ms integer)
RETURNS voip_ha.lease_answer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r voip_ha.lease;
BEGIN
	PERFORM voip_ha.check_args(p_node, p_ttl_ms);
	r := voip_ha.lease_row(p_cluster);
	IF r.holder = p_node AND r.term = p_term THEN
		UPDATE voip_ha.lease l
		   SET expires = clock_timestamp() + p_ttl_ms * interval '1 millisecond',
		       renewed = clock_timestamp()
		 WHERE l.cluster = p_cluster
		RETURNING l.* INTO r;
		RETURN voip_ha.lease_answer_of(r, true);
	END IF;
	RETURN voip_ha.lease_answer_of(r, false);
END $$;

-- Give the lease up at once (a primary that fenced itself or hands over in
-- a switchover), so the peer need not wait for the expiry.
CREATE OR REPLACE FUNCTION voip_ha.lease_release(p_cluster text, p_node text, p_term bigint)
RETURNS voip_ha.lease_answer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r voip_ha.lease;
BEGIN
	PERFORM voip_ha.check_args(p_node, 1000);
	r := voip_ha.lease_row(p_cluster);
	IF r.holder = p_node AND r.term = p_term THEN
		UPDATE voip_ha.lease l SET holder = '', expires = clock_timestamp()
		 WHERE l.cluster = p_cluster
		RETURNING l.* INTO r;
		RETURN voip_ha.lease_answer_of(r, true);
	END IF;
	RETURN voip_ha.lease_answer_of(r, false);
END $$;

-- Who holds it, for status and for a standby deciding whether its peer
-- still lives. Takes no lock beyond the row's.
CREATE OR REPLACE FUNCTION voip_ha.lease_observe(p_cluster text)
RETURNS voip_ha.lease_answer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	r voip_ha.lease;
BEGIN
	SELECT * INTO r FROM voip_ha.lease l WHERE l.cluster = p_cluster;
	IF NOT FOUND THEN
		r := voip_ha.lease_row(p_cluster); -- raises the "no cluster" error
	END IF;
	RETURN voip_ha.lease_answer_of(r, false);
END $$;

-- Only the functions are for the nodes' role (created by the witness's
-- setup before this file runs); the table is not.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA voip_ha FROM PUBLIC;
REVOKE ALL ON voip_ha.lease FROM PUBLIC;
GRANT USAGE ON SCHEMA voip_ha TO voip_ha_arbiter;
GRANT EXECUTE ON FUNCTION voip_ha.lease_acquire(text, text, integer),
		      voip_ha.lease_renew(text, text, bigint, integer),
		      voip_ha.lease_release(text, text, bigint),
		      voip_ha.lease_observe(text)
	TO voip_ha_arbiter;
