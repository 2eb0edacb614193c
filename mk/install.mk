# `make install DESTDIR=...`: the installed layout of doc/DESIGN.md. Used by
# debian/rules (DESTDIR=debian/voip-ha-node) and by hand.
INSTALL      ?= install
HOOKS_DIR    := $(DATADIR)/postinst-hooks
TMPL_DIR     := $(DATADIR)/templates
MIGR_DIR     := $(DATADIR)/migrations
VOIPADMIND   := $(BUILD)/voip-admind
# Internal programs, not for people: keepalived's lean health check.
HELPERDIR    ?= $(PREFIX)/lib/voip-ha

INSTALL_TARGETS += install-bin install-data install-man

.PHONY: install-bin install-data install-man

install-bin: $(BINS)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 0755 $(BUILD)/voip-ha $(DESTDIR)$(SBINDIR)/voip-ha
	$(INSTALL) -m 0755 $(VOIPADMIND) $(DESTDIR)$(SBINDIR)/voip-admind
	$(INSTALL) -d $(DESTDIR)$(HELPERDIR)
	$(INSTALL) -m 0755 $(BUILD)/voip-ha-check $(DESTDIR)$(HELPERDIR)/voip-ha-check

# Templates keep their relative layout (MANIFEST names them that way); hooks
# are executables run in order by the postinst; migrations are data.
install-data:
	$(INSTALL) -d $(DESTDIR)$(TMPL_DIR) $(DESTDIR)$(HOOKS_DIR) $(DESTDIR)$(MIGR_DIR)
	for f in $$(cd templates 2>/dev/null && find . -type f ! -name '.*' | LC_ALL=C sort); do \
		$(INSTALL) -D -m 0644 "templates/$$f" "$(DESTDIR)$(TMPL_DIR)/$$f" || exit 1; \
	done
	for f in $(sort $(wildcard postinst-hooks/[0-9][0-9]-*)); do \
		$(INSTALL) -m 0755 "$$f" $(DESTDIR)$(HOOKS_DIR)/ || exit 1; \
	done
	for f in $(sort $(wildcard postinst-hooks/lib/*.sh)); do \
		$(INSTALL) -D -m 0644 "$$f" $(DESTDIR)$(DATADIR)/lib/$$(basename "$$f") || exit 1; \
	done
	for f in $(sort $(wildcard db/migrations/*.sql)); do \
		$(INSTALL) -m 0644 "$$f" $(DESTDIR)$(MIGR_DIR)/ || exit 1; \
	done

# Man pages: doc/*.8 and doc/*.5, compressed by dh_compress in the package
# (voip-ha-witness.8 belongs to the witness package: mk/witness.mk).
install-man:
	for f in $(sort $(filter-out doc/voip-ha-witness.8,$(wildcard doc/*.8))); do \
		$(INSTALL) -D -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man8/$$(basename "$$f") || exit 1; \
	done
	for f in $(sort $(wildcard doc/*.5)); do \
		$(INSTALL) -D -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man5/$$(basename "$$f") || exit 1; \
	done
