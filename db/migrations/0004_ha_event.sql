-- Failover engine events that must reach the standby with the data
-- (doc/DESIGN.md, "Failover"): `voip-ha switchover` records here, on the
-- primary and synchronously replicated, that it hands over; the node it
-- promotes reads it and records a planned switchover, not a failover.
CREATE TABLE IF NOT EXISTS voip.ha_event (
	id bigserial PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	node text NOT NULL CHECK (node IN ('node1', 'node2')),
	event text NOT NULL CHECK (event IN ('switchover'))
);
