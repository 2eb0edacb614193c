# Backups with pgBackRest (doc/DESIGN.md, "Backups"). check-backup: the
# generated files against a real `pgbackrest server` repository host and two
# real PostgreSQL 15 nodes in a network namespace of the suite's own
# (test/backup/): stanza-create, archiving, a promotion, a backup from the
# standby, a point-in-time restore, the repository host down (while WAL is
# pushed and during a backup), a full repository disk (a tmpfs), another
# repository key, wrong TLS credentials, the repository key's rows of the
# validation table; voip-ha restore
# (restore.bats): every refusal with nothing changed, a point-in-time
# restore, a failed one put back, a data directory that is a mount point;
# what `voip-ha status` and voip-admind's /metrics show of it. Root.
CHECK_SUITES += check-backup
.PHONY: check-backup
check-backup: $(VOIPHA_BIN) $(WITNESS_BIN) $(VOIPADMIND_BIN)
	@mkdir -p $(RESULTS)
	-VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPHA_WITNESS=$(abspath $(WITNESS_BIN)) \
		VOIPADMIND=$(abspath $(VOIPADMIND_BIN)) $(or $(BATS),bats) \
		--formatter tap test/backup/backup.bats test/backup/restore.bats >$(RESULTS)/backup.tap

# make backup-bench (not part of CI): first the restore drill
# (check-e2e-backup, test/e2e/backup.sh: the package built if it is not, two
# systemd-nspawn nodes and the repository host, about 5 minutes), whose time
# from `voip-ha restore` to a healthy pair it writes to E2E_BACKUP_TIMES;
# then test/bench/backup.sh on check-backup's three machines: RPO under
# write load, commit latency with archiving on and off, backup and restore
# of a 2 GB database against pg_basebackup and a plain copy, and the
# drill's times; results in test/bench/results/backup.txt. About 13
# minutes in all; run it alone on the machine (others' heavy suites: flock
# /tmp/voipha-heavy.lock).
# check-backup-bench: the same script with tiny sizes (BACKUP_BENCH_SMOKE=1,
# about 45 s) so it cannot rot; its report goes to TAP diagnostics, with the
# drill's lines when check-e2e-backup left them in $(RESULTS).
CHECK_SUITES += check-backup-bench
.PHONY: backup-bench check-backup-bench
backup-bench: $(VOIPHA_BIN) $(WITNESS_BIN)
	-$(MAKE) --no-print-directory check-e2e-backup
	VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPHA_WITNESS=$(abspath $(WITNESS_BIN)) \
		BACKUP_BENCH_DRILL_TIMES=$(abspath $(E2E_BACKUP_TIMES)) test/bench/backup.sh
check-backup-bench: $(VOIPHA_BIN) $(WITNESS_BIN)
	@mkdir -p $(RESULTS)
	-BACKUP_BENCH_SMOKE=1 VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPHA_WITNESS=$(abspath $(WITNESS_BIN)) \
		$(if $(wildcard $(E2E_BACKUP_TIMES)),BACKUP_BENCH_DRILL_TIMES=$(abspath $(E2E_BACKUP_TIMES))) \
		test/bench/backup.sh \
		>$(RESULTS)/backup-bench.tap
