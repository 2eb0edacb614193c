# SIP front door (test/sip/, doc/DESIGN.md "SIP"): the real Kamailio with the
# generated kamailio.cfg on one node in network namespaces, PostgreSQL
# provisioned by `voip-ha provision`, extensions through voip-admind, sipp as
# phones and as the FreeSWITCH stand-ins.
#   sip-functional  registration, auth, calls, NAT, bad input, REGISTER flood
#   sip-capacity    800 concurrent calls (40/s, 20 s hold) for 2 minutes
#   sip-handover    a second node: challenges answered across a VIP move, an
#                   INVITE under a switchover stopping the database
# `make sip-bench` writes test/bench/results/sip.txt (latency medians against
# references measured in the same run, highest clean call rate).
SIP_SUITES := functional capacity handover
CHECK_SUITES += $(SIP_SUITES:%=check-sip-%)

.PHONY: $(SIP_SUITES:%=check-sip-%) sip-bench sip-failover-bench

$(SIP_SUITES:%=check-sip-%): check-sip-%: $(VOIPHA_BIN) $(VOIPADMIND_BIN)
	@mkdir -p $(RESULTS)
	VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPADMIND=$(abspath $(VOIPADMIND_BIN)) bats --formatter tap test/sip/$*.bats > $(RESULTS)/sip-$*.tap

sip-bench: $(VOIPHA_BIN) $(VOIPADMIND_BIN)
	VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPADMIND=$(abspath $(VOIPADMIND_BIN)) test/bench/sip.sh test/bench/results/sip.txt

# The first call after a media server dies, against the former 5 s timer
# (a block at the end of the same file).
sip-failover-bench: $(VOIPHA_BIN) $(VOIPADMIND_BIN)
	VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPADMIND=$(abspath $(VOIPADMIND_BIN)) test/bench/sip-failover.sh test/bench/results/sip.txt
