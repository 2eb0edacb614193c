# Backups with pgBackRest (doc/DESIGN.md, "Backups"). check-backup: the
# generated files against a real `pgbackrest server` repository host and two
# real PostgreSQL 15 nodes in a network namespace of the suite's own
# (test/backup/): stanza-create, archiving, a promotion, a backup from the
# standby, a point-in-time restore, the repository host down, wrong TLS
# credentials, the repository key's rows of the validation table; voip-ha restore
# (restore.bats): every refusal with nothing changed, a point-in-time
# restore, a failed one put back, a data directory that is a mount point. Root.
CHECK_SUITES += check-backup
.PHONY: check-backup
check-backup: $(VOIPHA_BIN) $(WITNESS_BIN)
	@mkdir -p $(RESULTS)
	-VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPHA_WITNESS=$(abspath $(WITNESS_BIN)) $(or $(BATS),bats) \
		--formatter tap test/backup/backup.bats test/backup/restore.bats >$(RESULTS)/backup.tap
