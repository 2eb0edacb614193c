# Monitoring (issue 17): the Prometheus alert rules, the scrape example and
# the Grafana dashboard in monitoring/, installed below
# /usr/share/voip-ha/{prometheus,grafana}/, and their suite:
#   check-prometheus  promtool check/test rules, check config, every
#                     dashboard query validated and evaluated on a recorded
#                     pair (test/prometheus/run.sh; doc/DESIGN.md, "Monitoring")
CHECK_SUITES += check-prometheus
INSTALL_TARGETS += install-monitoring

.PHONY: check-prometheus install-monitoring

check-prometheus:
	@mkdir -p $(RESULTS)
	test/prometheus/run.sh $(BUILD)/prometheus > $(RESULTS)/prometheus.tap; status=$$?; \
		grep -v '^ok' $(RESULTS)/prometheus.tap || true; exit $$status

install-monitoring:
	$(INSTALL) -D -m 0644 monitoring/prometheus/voip-ha.rules.yml \
		$(DESTDIR)$(DATADIR)/prometheus/voip-ha.rules.yml
	$(INSTALL) -D -m 0644 monitoring/prometheus/scrape-example.yml \
		$(DESTDIR)$(DATADIR)/prometheus/scrape-example.yml
	$(INSTALL) -D -m 0644 monitoring/grafana/voip-ha.json \
		$(DESTDIR)$(DATADIR)/grafana/voip-ha.json
