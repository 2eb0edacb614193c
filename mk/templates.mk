# Templates part: the suites that prove the generated files (test/templates/),
# and `make golden-update` to regenerate the expected output in test/golden/
# after an intended template change (review the diff before committing).
#   templates-golden  generated pair == test/golden, per-node differences, modes
#   templates-tools   keepalived -t, kamailio -c, xmllint, luac; live VRRP with AH
#   templates-nodes   real PostgreSQL/Kamailio/lsyncd/rsync in mini nodes (root)
#   templates-nasty   hostile-but-legal secrets read back from every file, and
#                     the mini-node suite again with them
TEMPLATE_SUITES := golden tools nodes nasty
CHECK_SUITES += $(TEMPLATE_SUITES:%=check-templates-%)

.PHONY: $(TEMPLATE_SUITES:%=check-templates-%) golden-update

TEMPLATE_BATS_golden := test/templates/golden.bats test/templates/hostnames.bats
TEMPLATE_BATS_tools  := test/templates/tools.bats test/templates/ka-secret.bats
TEMPLATE_BATS_nodes  := test/templates/nodes.bats
TEMPLATE_BATS_nasty  := test/templates/nasty.bats test/templates/nodes.bats
# nodes.bats reads its answers from ANSWERS (the sample pair by default).
TEMPLATE_ENV_nasty   := ANSWERS=$(abspath test/fixtures/answers-nasty.conf)

$(TEMPLATE_SUITES:%=check-templates-%): check-templates-%: $(VOIPHA_BIN) $(CHECK_BIN)
	@mkdir -p $(RESULTS)
	VOIPHA=$(abspath $(VOIPHA_BIN)) VOIPHA_CHECK=$(abspath $(CHECK_BIN)) $(TEMPLATE_ENV_$*) \
		bats --formatter tap $(TEMPLATE_BATS_$*) > $(RESULTS)/templates-$*.tap

golden-update: $(VOIPHA_BIN)
	rm -rf test/golden/node1 test/golden/node2 test/golden/DEPLOY.md
	$(VOIPHA_BIN) generate --all --out test/golden \
		--config test/fixtures/answers-pair.conf --templates templates >/dev/null
