# SPDX-License-Identifier: LGPL-2.1-or-later
# archy: keeps the containers of an Archipelago node in a known-good state.

VERSION     := 0.1.0
PKG_CONFIG  ?= pkg-config
CC          ?= cc
PREFIX      ?= /usr
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
# archy's data files: the Prometheus alert rules (prometheus/archy-alerts.yml).
ARCHYDATADIR ?= $(PREFIX)/share/archy
SYSCONFDIR  ?= /etc
GENERATORDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemgeneratordir systemd 2>/dev/null),$(PREFIX)/lib/systemd/system-generators)
CATALOGDIR  ?= $(or $(shell $(PKG_CONFIG) --variable=catalogdir systemd 2>/dev/null),$(PREFIX)/lib/systemd/catalog)
UNITDIR     ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),$(PREFIX)/lib/systemd/system)
# A rootless node (archy-manifest(5) NODE): the same generator as a user generator, and the user
# units it enables for the apps user only (archy-reconcile's among them).
USERGENERATORDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemdusergeneratordir systemd 2>/dev/null),$(PREFIX)/lib/systemd/user-generators)
USERUNITDIR ?= $(or $(shell $(PKG_CONFIG) --variable=systemduserunitdir systemd 2>/dev/null),$(PREFIX)/lib/systemd/user)
BUILD       ?= build

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
            -Wpointer-arith -Wundef -Wvla -Wno-unused-parameter
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE
ifneq ($(shell $(CC) -fcf-protection -E -x c /dev/null >/dev/null 2>&1 && echo y),)
HARDEN   += -fcf-protection
endif
OPT      ?= -O2 -g
CFLAGS   ?=
LDFLAGS  ?=
# lib/basic: generic pure helpers; lib/model: the app model (parser, validation, naming), pure, on
# basic only; lib/system: files, processes, D-Bus. Headers are included by name from all three.
INCLUDES    := -Ilib/basic -Ilib/model -Ilib/system -Igenerator -Ictl -Ictl/io
ALL_CFLAGS  = -std=gnu11 $(OPT) $(WARNINGS) $(HARDEN) -D_GNU_SOURCE -DARCHY_VERSION='"$(VERSION)"' \
              -DARCHY_SBINDIR='"$(SBINDIR)"' -DARCHY_USER_UNIT_DIR='"$(USERUNITDIR)"' \
              $(INCLUDES) -Ihelpers/derive -Ihelpers/podman-repair -Ihelpers/verify-ota -Ihelpers/reconcile -Ihelpers/reconcile/io $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(LDFLAGS)

YAML_CFLAGS  := $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
CURL_LIBS    := $(or $(shell $(PKG_CONFIG) --libs libcurl 2>/dev/null),-lcurl)
SYSTEMD_LIBS := $(or $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null),-lsystemd)
CRYPTO_LIBS  := $(or $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null),-lcrypto)
YAML_LIBS    := $(or $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null),-lyaml)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(or $(shell $(PKG_CONFIG) --libs check 2>/dev/null),-lcheck -lsubunit -lm -lrt -lpthread)

BASIC_SRCS  := $(wildcard lib/basic/*.c)
MODEL_SRCS  := $(wildcard lib/model/*.c)
SYSTEM_SRCS := $(wildcard lib/system/*.c)
LIB_SRCS := $(BASIC_SRCS) $(MODEL_SRCS) $(SYSTEM_SRCS)
GEN_SRCS := $(filter-out generator/main.c,$(wildcard generator/*.c))
# archy-derive: everything but its thin D-Bus layer and main is unit-tested.
DERIVE_SRCS := $(filter-out helpers/derive/main.c helpers/derive/bus.c,$(wildcard helpers/derive/*.c))
# archy-podman-repair: everything but main is linked into the unit tests.
REPAIR_SRCS := $(filter-out helpers/podman-repair/main.c,$(wildcard helpers/podman-repair/*.c))
# archy-verify-ota: everything but main is linked into the unit tests.
VERIFY_SRCS := $(filter-out helpers/verify-ota/main.c,$(wildcard helpers/verify-ota/*.c))
# archy-reconcile: the decision is pure (helpers/reconcile/), systemd and podman are asked in io/;
# everything but main is linked into the unit tests.
RECONCILE_SRCS := $(filter-out helpers/reconcile/main.c,$(wildcard helpers/reconcile/*.c helpers/reconcile/io/*.c))
# archyctl: ctl/ is pure (the plan, the journal's format, the status model and their renderings),
# ctl/io/ talks to systemd, podman and the files; everything but main is linked into the unit tests.
CTL_SRCS := $(filter-out ctl/main.c,$(wildcard ctl/*.c ctl/io/*.c))
TEST_SRCS := $(wildcard test/unit/*.c)

BASIC_OBJS  = $(BASIC_SRCS:%.c=$(BUILD)/%.o)
MODEL_OBJS  = $(MODEL_SRCS:%.c=$(BUILD)/%.o)
SYSTEM_OBJS = $(SYSTEM_SRCS:%.c=$(BUILD)/%.o)
# Static archives, linked system (reads the manifest) before model before basic: a binary takes only
# the objects it uses.
ARCHY_LIBS  = $(BUILD)/libarchy-system.a $(BUILD)/libarchy-model.a $(BUILD)/libarchy-basic.a
GEN_OBJS  = $(GEN_SRCS:%.c=$(BUILD)/%.o)
DERIVE_OBJS = $(DERIVE_SRCS:%.c=$(BUILD)/%.o)
REPAIR_OBJS = $(REPAIR_SRCS:%.c=$(BUILD)/%.o)
VERIFY_OBJS = $(VERIFY_SRCS:%.c=$(BUILD)/%.o)
RECONCILE_OBJS = $(RECONCILE_SRCS:%.c=$(BUILD)/%.o)
CTL_OBJS = $(CTL_SRCS:%.c=$(BUILD)/%.o)
TEST_OBJS = $(TEST_SRCS:%.c=$(BUILD)/%.o)

GENERATOR := $(BUILD)/archy-generator
DERIVE    := $(BUILD)/archy-derive
REPAIR    := $(BUILD)/archy-podman-repair
VERIFY    := $(BUILD)/archy-verify-ota
RECONCILE := $(BUILD)/archy-reconcile
CTL       := $(BUILD)/archyctl
# The end-to-end suite's stand-in apps (built by test/e2e/standin/build-image.sh, linted here).
STANDIN_SRC := $(wildcard test/e2e/standin/*.c)
SHELL_SCRIPTS := tools/archy-setup-rootless $(wildcard tools/*.sh bench/*.sh bench/guest/*.sh test/quadlet/*.sh test/e2e/*.sh test/e2e/standin/*.sh test/e2e/images/*.sh test/e2e/images/files/*.sh) \
                 test/e2e/standin/tap.bash test/e2e/guest/runner test/e2e/guest/archipelagod test/fuzz/run.sh
# Bats files: the end-to-end ones (and their helpers) are held to every shellcheck finding, the
# host-side ones to warnings and errors (SC2314 included).
E2E_BATS  := $(wildcard test/e2e/bats/*.bats) test/e2e/bats/helpers.bash test/e2e/bats/helpers-node.bash \
             test/e2e/bats/helpers-browser.bash test/e2e/bats/helpers-lifecycle.bash test/e2e/bats/helpers-archyctl.bash \
             test/e2e/bats/helpers-podman-repair.bash
HOST_BATS := $(wildcard test/generator/*.bats test/derive/*.bats test/podman-repair/*.bats test/verify-ota/*.bats \
                        test/quadlet/*.bats test/derive/helpers.bash test/ctl/*.bats test/ctl/*.bash test/reconcile/*.bats \
                        test/setup-rootless/*.bats)
UNIT_TESTS := $(BUILD)/test-unit

.PHONY: all check check-unit check-rules check-asan check-valgrind check-generator check-quadlet check-e2e check-clang \
        demo bench soak install uninstall clean format lint deps-build deps-test fuzz fuzz-build check-fuzz lint-fuzz format-fuzz
all: $(GENERATOR) $(DERIVE) $(REPAIR) $(VERIFY) $(CTL) $(RECONCILE)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(YAML_CFLAGS) -MMD -MP -c -o $@ $<

# Only the unit tests are built with check's flags (-pthread).
$(BUILD)/test/unit/%.o: test/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(YAML_CFLAGS) $(CHECK_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libarchy-basic.a: $(BASIC_OBJS)
	$(AR) rcs $@ $^
$(BUILD)/libarchy-model.a: $(MODEL_OBJS)
	$(AR) rcs $@ $^
$(BUILD)/libarchy-system.a: $(SYSTEM_OBJS)
	$(AR) rcs $@ $^

# The generator is on the boot path: it links libyaml and nothing else.
$(GENERATOR): $(BUILD)/generator/main.o $(GEN_OBJS) $(ARCHY_LIBS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(YAML_LIBS)

# archy-derive runs every 30 s: libyaml and libcrypto (rpcauth); libsystemd (sd-bus) is dlopen()ed
# only when a unit must be restarted.
$(DERIVE): $(BUILD)/helpers/derive/main.o $(BUILD)/helpers/derive/bus.o $(DERIVE_OBJS) $(ARCHY_LIBS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(YAML_LIBS) $(CRYPTO_LIBS)

# archy-podman-repair talks to systemd on every run (which app units are active): libsystemd
# linked, with libyaml (manifest, podman info JSON).
$(REPAIR): $(BUILD)/helpers/podman-repair/main.o $(REPAIR_OBJS) $(ARCHY_LIBS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(YAML_LIBS) $(SYSTEMD_LIBS)

# archy-verify-ota runs once per update: libyaml (marker), libcurl (checks), libsystemd (restarts).
$(VERIFY): $(BUILD)/helpers/verify-ota/main.o $(VERIFY_OBJS) $(ARCHY_LIBS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(YAML_LIBS) $(CURL_LIBS) $(SYSTEMD_LIBS)

# archyctl: the node daemon's control surface: libyaml (manifests), libsystemd (units, jobs), libcurl
# (the apps' http probes), and the generator's renderer (an app's units changed when their rendered
# text did). archy-podman-repair's state parser: status reads its repairs total; its podman runner
# (as the apps user on a rootless node).
$(CTL): $(BUILD)/ctl/main.o $(CTL_OBJS) $(GEN_OBJS) $(BUILD)/helpers/podman-repair/repair-state.o \
        $(BUILD)/helpers/podman-repair/podman.o $(ARCHY_LIBS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(YAML_LIBS) $(SYSTEMD_LIBS) $(CURL_LIBS)

# archy-reconcile runs every 60 s: libyaml (manifest, podman's JSON, its state), libsystemd (units).
# podman is run as archy-podman-repair runs it (helpers/podman-repair/podman.c).
$(RECONCILE): $(BUILD)/helpers/reconcile/main.o $(RECONCILE_OBJS) $(BUILD)/helpers/podman-repair/podman.o $(ARCHY_LIBS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(YAML_LIBS) $(SYSTEMD_LIBS)

$(UNIT_TESTS): $(TEST_OBJS) $(GEN_OBJS) $(DERIVE_OBJS) $(REPAIR_OBJS) $(VERIFY_OBJS) $(CTL_OBJS) $(RECONCILE_OBJS) $(ARCHY_LIBS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(CHECK_LIBS) $(YAML_LIBS) $(CRYPTO_LIBS) $(SYSTEMD_LIBS) $(CURL_LIBS)

-include $(shell find $(BUILD) -maxdepth 4 -name '*.d' -not -path '$(BUILD)/asan/*' -not -path '$(BUILD)/clang/*' 2>/dev/null)

# Fast: the pure core (parser, validator, renderer, escaping) with check.
check-unit: $(UNIT_TESTS) $(GENERATOR)
	cd test/unit && ARCHY_GENERATOR=$(abspath $(GENERATOR)) CK_DEFAULT_TIMEOUT=60 $(abspath $(UNIT_TESTS))

# The shipped alert rules (prometheus/archy-alerts.yml): valid and linted by promtool, and every
# alert fired by the series of test/prometheus/ that must fire it and not by those that must not.
check-rules:
	promtool check rules prometheus/archy-alerts.yml
	promtool test rules $(wildcard test/prometheus/*.yml)

# The same tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) BUILD=$(BUILD)/asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	        LDFLAGS="-fsanitize=address,undefined" HARDEN="-fPIE" check-unit

check-valgrind: $(UNIT_TESTS) $(GENERATOR)
	cd test/unit && CK_FORK=no ARCHY_GENERATOR=$(abspath $(GENERATOR)) valgrind --quiet --leak-check=full \
	        --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	        --trace-children=no $(abspath $(UNIT_TESTS))

# The real binaries on temporary directories (the generator run the way systemd runs it).
check-generator: $(GENERATOR) $(DERIVE) $(REPAIR) $(VERIFY) $(CTL) $(RECONCILE)
	bats test/generator
	ARCHY_DERIVE=$(abspath $(DERIVE)) bats test/derive
	ARCHY_PODMAN_REPAIR=$(abspath $(REPAIR)) bats test/podman-repair
	ARCHY_VERIFY_OTA=$(abspath $(VERIFY)) bats test/verify-ota
	ARCHY_CTL=$(abspath $(CTL)) ARCHYCTL=$(abspath $(CTL)) bats test/ctl
	ARCHY_RECONCILE=$(abspath $(RECONCILE)) bats test/reconcile
	ARCHY_SETUP_ROOTLESS=$(abspath tools/archy-setup-rootless) bats test/setup-rootless

# Real Quadlet (podman 5.4) from a cached Debian 13 root filesystem accepts every file.
check-quadlet: $(GENERATOR) $(DERIVE)
	ARCHY_DERIVE=$(abspath $(DERIVE)) test/quadlet/check-quadlet.sh $(GENERATOR)

# The lifecycle matrix in booted Debian 13 guests: all of it in systemd-nspawn, then the shipped
# node (manifests/archipelago.yaml on stand-in and real database images) in nspawn, side by side
# with the same test node in rootless mode (nspawn); then reboot survival and a smoke subset in a
# QEMU VM, alone (test/e2e/run.sh; needs root, uses sudo otherwise).
check-e2e:
	test/e2e/run.sh $(E2E_LAYERS)

# Warnings clean under clang too.
check-clang:
	$(MAKE) BUILD=$(BUILD)/clang CC=clang check-unit

# ---- Fuzzing (test/fuzz/): libFuzzer harnesses built with clang, ASan and UBSan ----------------------
# make fuzz                 builds every harness into build/fuzz/ and runs each for FUZZ_SECONDS (default 60)
#                           on a working copy of its seed corpus (build/fuzz/corpus/<harness>); exits nonzero
#                           on any crash, leak, oracle failure or timeout (reproducers in build/fuzz/artifacts)
# make fuzz FUZZ=manifest   only the named harnesses (test/fuzz/fuzz-<name>.c)
# make check-fuzz           replays test/fuzz/regressions/<harness>/ (no fuzzing), then 20 s per harness
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ         ?= $(patsubst test/fuzz/fuzz-%.c,%,$(wildcard test/fuzz/fuzz-*.c))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=gnu11 -O1 -g $(WARNINGS) $(FUZZ_SAN) -D_GNU_SOURCE -DARCHY_VERSION='"$(VERSION)"' \
                -DARCHY_SBINDIR='"$(SBINDIR)"' \
                $(INCLUDES) -Ihelpers/derive -Ihelpers/podman-repair -Ihelpers/verify-ota -Ihelpers/reconcile -Ihelpers/reconcile/io $(YAML_CFLAGS)
fuzz_objs     = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(1))

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libarchy.a: $(call fuzz_objs,$(LIB_SRCS))
	$(AR) rcs $@ $^

# Each harness links its own file, the few sources it fuzzes, and what it needs of lib/.
$(FUZZ_BUILD)/fuzz-%: $(FUZZ_BUILD)/obj/test/fuzz/fuzz-%.o $(FUZZ_BUILD)/libarchy.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(FUZZ_BUILD)/libarchy.a $(FUZZ_LIBS_$*)
$(FUZZ_BUILD)/fuzz-manifest: $(call fuzz_objs,generator/quadlet-render.c generator/render-order.c)
$(FUZZ_BUILD)/fuzz-manifest-derived: $(call fuzz_objs,helpers/derive/config-render.c helpers/derive/managed-block.c helpers/derive/bitcoin-conf-syntax.c \
                                                      helpers/derive/rpcauth.c helpers/derive/nginx-render.c)
$(FUZZ_BUILD)/fuzz-derive-render: $(call fuzz_objs,helpers/derive/config-render.c helpers/derive/managed-block.c helpers/derive/bitcoin-conf-syntax.c \
                                                    helpers/derive/rpcauth.c helpers/derive/nginx-render.c)
$(FUZZ_BUILD)/fuzz-managed-block: $(call fuzz_objs,helpers/derive/managed-block.c)
$(FUZZ_BUILD)/fuzz-rpcauth: $(call fuzz_objs,helpers/derive/rpcauth.c)
$(FUZZ_BUILD)/fuzz-ota-marker: $(call fuzz_objs,helpers/verify-ota/marker.c)
$(FUZZ_BUILD)/fuzz-podman-info: $(call fuzz_objs,helpers/podman-repair/podman-info.c)
$(FUZZ_BUILD)/fuzz-crun-status: $(call fuzz_objs,helpers/podman-repair/crun-status.c)
$(FUZZ_BUILD)/fuzz-proc-locks: $(call fuzz_objs,helpers/podman-repair/stuck.c)
$(FUZZ_BUILD)/fuzz-repair-state: $(call fuzz_objs,helpers/podman-repair/repair-state.c)
$(FUZZ_BUILD)/fuzz-reconcile-podman: $(call fuzz_objs,helpers/reconcile/podman-list.c)
$(FUZZ_BUILD)/fuzz-reconcile-lines: $(call fuzz_objs,ctl/doctor-parse.c)
$(FUZZ_BUILD)/fuzz-rollback-record: $(call fuzz_objs,ctl/rollback-record.c)
$(FUZZ_BUILD)/fuzz-apply-journal: $(call fuzz_objs,ctl/journal.c)
$(FUZZ_BUILD)/fuzz-probe-record: $(call fuzz_objs,ctl/probe-record.c)
FUZZ_LIBS_manifest         := $(YAML_LIBS)
FUZZ_LIBS_manifest-derived := $(YAML_LIBS) $(CRYPTO_LIBS)
FUZZ_LIBS_derive-render    := $(YAML_LIBS) $(CRYPTO_LIBS)
FUZZ_LIBS_rpcauth          := $(CRYPTO_LIBS)
FUZZ_LIBS_ota-marker       := $(YAML_LIBS)
FUZZ_LIBS_podman-info      := $(YAML_LIBS)
FUZZ_LIBS_crun-status      := $(YAML_LIBS)
FUZZ_LIBS_reconcile-podman := $(YAML_LIBS)
FUZZ_LIBS_reconcile-lines  := $(YAML_LIBS)
FUZZ_LIBS_probe-record     := $(YAML_LIBS)

.SECONDARY: $(FUZZ:%=$(FUZZ_BUILD)/obj/test/fuzz/fuzz-%.o)
-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

fuzz-build: $(FUZZ:%=$(FUZZ_BUILD)/fuzz-%)

fuzz: fuzz-build
	test/fuzz/run.sh fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ)

check-fuzz: fuzz-build
	test/fuzz/run.sh replay $(FUZZ_BUILD) 0 $(FUZZ)
	test/fuzz/run.sh fuzz $(FUZZ_BUILD) 20 $(FUZZ)

FUZZ_SRCS := $(wildcard test/fuzz/*.c)
# `make lint` and `make format` cover the harnesses too (prerequisites added here, recipes above untouched).
lint: lint-fuzz
format: format-fuzz
lint-fuzz:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr -D_GNU_SOURCE \
	        $(INCLUDES) -Ihelpers/derive -Ihelpers/podman-repair -Ihelpers/verify-ota -Ihelpers/reconcile -Ihelpers/reconcile/io \
	        --suppress=missingIncludeSystem $(FUZZ_SRCS)
	clang-tidy --quiet $(FUZZ_SRCS) -- -std=gnu11 -D_GNU_SOURCE $(INCLUDES) -Ihelpers/derive \
	        -Ihelpers/podman-repair -Ihelpers/verify-ota -Ihelpers/reconcile -Ihelpers/reconcile/io $(YAML_CFLAGS)
format-fuzz:
	clang-format -i $(FUZZ_SRCS) $(wildcard test/fuzz/*.h)

# Everything CI runs (README's test command): installs its own Debian packages first.
# Each layer is timed; the times are printed as it goes and together at the end.
CHECK_LAYERS := check-unit check-rules check-asan check-valgrind check-clang check-fuzz lint check-generator check-quadlet check-e2e
check: deps-test
	@set -e; t0=$$(date +%s); times=""; \
	for layer in $(CHECK_LAYERS); do \
		t=$$(date +%s); $(MAKE) $$layer; \
		line="$$(printf '%-16s %5d s' $$layer $$(($$(date +%s) - t)))"; times="$$times$$line\n"; \
		echo "make check: $$line"; \
	done; \
	printf '\nmake check: every layer passed in %d s\n%b' $$(($$(date +%s) - t0)) "$$times"

deps-build:
	@tools/deps.sh build

deps-test:
	@tools/deps.sh test

# README's first command: installs the build packages, builds, renders the shipped node.
demo: deps-build
	@$(MAKE) -s $(GENERATOR) >/dev/null
	@rm -rf demo
	@$(GENERATOR) --dry-run --manifest manifests/archipelago.yaml --output demo
	@echo; echo "== the generated tree (demo/)"; find demo -mindepth 1 | sort | sed 's|^|  |'
	@echo; echo "== one complete unit: demo/quadlet/archy-bitcoin-knots.container"; cat demo/quadlet/archy-bitcoin-knots.container

# The soak (bench/soak.sh, not part of check or CI): the shipped node for SOAK_MINUTES with faults
# injected; SOAK_SEED repeats a run's faults. It boots the node layer: run no other guest meanwhile.
SOAK_MINUTES ?= 30
SOAK_SEED    ?=
soak:
	SOAK_MINUTES=$(SOAK_MINUTES) SOAK_SEED=$(SOAK_SEED) bench/soak.sh

bench: $(GENERATOR) $(DERIVE) $(REPAIR) $(CTL) $(RECONCILE)
	bench/run.sh
	bench/derive.sh
	bench/podman-repair.sh
	bench/archyctl-status.sh
	bench/reconcile-idle.sh

install: $(GENERATOR) $(DERIVE) $(REPAIR) $(VERIFY) $(CTL) $(RECONCILE)
	install -Dm755 $(GENERATOR) $(DESTDIR)$(GENERATORDIR)/archy-generator
	install -Dm755 $(DERIVE) $(DESTDIR)$(SBINDIR)/archy-derive
	install -Dm755 $(REPAIR) $(DESTDIR)$(SBINDIR)/archy-podman-repair
	install -Dm755 $(VERIFY) $(DESTDIR)$(SBINDIR)/archy-verify-ota
	install -Dm755 $(CTL) $(DESTDIR)$(SBINDIR)/archyctl
	install -Dm755 $(RECONCILE) $(DESTDIR)$(SBINDIR)/archy-reconcile
	install -Dm755 tools/archy-setup-rootless $(DESTDIR)$(SBINDIR)/archy-setup-rootless
	install -d $(DESTDIR)$(SBINDIR)
	ln -sf $(GENERATORDIR)/archy-generator $(DESTDIR)$(SBINDIR)/archy-generator
	install -d $(DESTDIR)$(USERGENERATORDIR) $(DESTDIR)$(USERUNITDIR)
	ln -sf $(GENERATORDIR)/archy-generator $(DESTDIR)$(USERGENERATORDIR)/archy-generator
	install -m644 units/user/archy-apps.target units/user/archipelago-apps.slice units/user/archy-podman-repair.timer \
	        $(DESTDIR)$(USERUNITDIR)/
	sed 's|@SBINDIR@|$(SBINDIR)|g' units/user/archy-podman-repair.service.in > $(DESTDIR)$(USERUNITDIR)/archy-podman-repair.service
	install -m644 units/user/archy-reconcile.timer $(DESTDIR)$(USERUNITDIR)/
	sed 's|@SBINDIR@|$(SBINDIR)|g' units/user/archy-reconcile.service.in > $(DESTDIR)$(USERUNITDIR)/archy-reconcile.service
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(UNITDIR)/archipelago.service.d \
	        $(DESTDIR)$(UNITDIR)/multi-user.target.wants
	install -m644 units/archipelago-apps.slice units/archy-apps.target units/archy-manifest-save.path \
	        units/archy-derive.timer units/archy-podman-repair.timer units/archy-reconcile.timer \
	        units/archy-metrics.timer $(DESTDIR)$(UNITDIR)/
	sed 's|@SBINDIR@|$(SBINDIR)|g' units/archy-derive.service.in > $(DESTDIR)$(UNITDIR)/archy-derive.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' units/archy-podman-repair.service.in \
	        > $(DESTDIR)$(UNITDIR)/archy-podman-repair.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' units/archy-reconcile.service.in > $(DESTDIR)$(UNITDIR)/archy-reconcile.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' units/archy-metrics.service.in > $(DESTDIR)$(UNITDIR)/archy-metrics.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' units/archy-verify-ota.service.in > $(DESTDIR)$(UNITDIR)/archy-verify-ota.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' units/archy-apply-resume.service.in > $(DESTDIR)$(UNITDIR)/archy-apply-resume.service
	sed 's|@GENERATORDIR@|$(GENERATORDIR)|g' units/archy-manifest-save.service.in \
	        > $(DESTDIR)$(UNITDIR)/archy-manifest-save.service
	install -m644 units/archipelago.service.d/10-archy-killmode.conf $(DESTDIR)$(UNITDIR)/archipelago.service.d/
	ln -sf ../archy-apps.target $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-apps.target
	ln -sf ../archy-manifest-save.path $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-manifest-save.path
	ln -sf ../archy-manifest-save.service $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-manifest-save.service
	ln -sf ../archy-verify-ota.service $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-verify-ota.service
	ln -sf ../archy-apply-resume.service $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-apply-resume.service
	install -d $(DESTDIR)$(UNITDIR)/timers.target.wants
	ln -sf ../archy-derive.timer $(DESTDIR)$(UNITDIR)/timers.target.wants/archy-derive.timer
	ln -sf ../archy-podman-repair.timer $(DESTDIR)$(UNITDIR)/timers.target.wants/archy-podman-repair.timer
	ln -sf ../archy-reconcile.timer $(DESTDIR)$(UNITDIR)/timers.target.wants/archy-reconcile.timer
	ln -sf ../archy-metrics.timer $(DESTDIR)$(UNITDIR)/timers.target.wants/archy-metrics.timer
	install -d $(DESTDIR)$(SYSCONFDIR)/archipelago
	install -Dm644 man/archy-generator.8 $(DESTDIR)$(MANDIR)/man8/archy-generator.8
	install -Dm644 man/archy-manifest.5 $(DESTDIR)$(MANDIR)/man5/archy-manifest.5
	install -Dm644 man/archy-derive.8 $(DESTDIR)$(MANDIR)/man8/archy-derive.8
	install -Dm644 man/archy-podman-repair.8 $(DESTDIR)$(MANDIR)/man8/archy-podman-repair.8
	install -Dm644 man/archy-verify-ota.8 $(DESTDIR)$(MANDIR)/man8/archy-verify-ota.8
	install -Dm644 man/archyctl.8 $(DESTDIR)$(MANDIR)/man8/archyctl.8
	install -Dm644 man/archy-reconcile.8 $(DESTDIR)$(MANDIR)/man8/archy-reconcile.8
	install -Dm644 man/archy-setup-rootless.8 $(DESTDIR)$(MANDIR)/man8/archy-setup-rootless.8
	install -Dm644 man/archy-alerts.7 $(DESTDIR)$(MANDIR)/man7/archy-alerts.7
	install -Dm644 prometheus/archy-alerts.yml $(DESTDIR)$(ARCHYDATADIR)/prometheus/archy-alerts.yml
	install -Dm644 catalog/archy.catalog $(DESTDIR)$(CATALOGDIR)/archy.catalog
	@# A package (DESTDIR) leaves the catalog database to its postinst (the guest: prepare-guest.sh).
	@if [ -z "$(DESTDIR)" ] && command -v journalctl >/dev/null 2>&1; then \
		journalctl --update-catalog || echo "make install: journalctl --update-catalog failed: run it as root" >&2; \
	fi

uninstall:
	rm -f $(DESTDIR)$(GENERATORDIR)/archy-generator $(DESTDIR)$(SBINDIR)/archy-generator \
	      $(DESTDIR)$(UNITDIR)/archipelago-apps.slice $(DESTDIR)$(UNITDIR)/archy-apps.target \
	      $(DESTDIR)$(UNITDIR)/archy-manifest-save.path $(DESTDIR)$(UNITDIR)/archy-manifest-save.service \
	      $(DESTDIR)$(UNITDIR)/archipelago.service.d/10-archy-killmode.conf \
	      $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-apps.target \
	      $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-manifest-save.path \
	      $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-manifest-save.service \
	      $(DESTDIR)$(SBINDIR)/archy-derive $(DESTDIR)$(UNITDIR)/archy-derive.service \
	      $(DESTDIR)$(UNITDIR)/archy-derive.timer $(DESTDIR)$(UNITDIR)/timers.target.wants/archy-derive.timer \
	      $(DESTDIR)$(MANDIR)/man8/archy-generator.8 $(DESTDIR)$(MANDIR)/man5/archy-manifest.5 \
	      $(DESTDIR)$(MANDIR)/man8/archy-derive.8 \
	      $(DESTDIR)$(SBINDIR)/archy-podman-repair $(DESTDIR)$(UNITDIR)/archy-podman-repair.service \
	      $(DESTDIR)$(UNITDIR)/archy-podman-repair.timer \
	      $(DESTDIR)$(UNITDIR)/timers.target.wants/archy-podman-repair.timer \
	      $(DESTDIR)$(MANDIR)/man8/archy-podman-repair.8 \
	      $(DESTDIR)$(SBINDIR)/archy-verify-ota $(DESTDIR)$(UNITDIR)/archy-verify-ota.service \
	      $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-verify-ota.service \
	      $(DESTDIR)$(MANDIR)/man8/archy-verify-ota.8 \
	      $(DESTDIR)$(SBINDIR)/archyctl $(DESTDIR)$(MANDIR)/man8/archyctl.8 \
	      $(DESTDIR)$(UNITDIR)/archy-apply-resume.service \
	      $(DESTDIR)$(UNITDIR)/multi-user.target.wants/archy-apply-resume.service \
	      $(DESTDIR)$(SBINDIR)/archy-reconcile $(DESTDIR)$(UNITDIR)/archy-reconcile.service \
	      $(DESTDIR)$(UNITDIR)/archy-reconcile.timer $(DESTDIR)$(UNITDIR)/timers.target.wants/archy-reconcile.timer \
	      $(DESTDIR)$(MANDIR)/man8/archy-reconcile.8 \
	      $(DESTDIR)$(USERUNITDIR)/archy-reconcile.service $(DESTDIR)$(USERUNITDIR)/archy-reconcile.timer \
	      $(DESTDIR)$(SBINDIR)/archy-setup-rootless $(DESTDIR)$(MANDIR)/man8/archy-setup-rootless.8 \
	      $(DESTDIR)$(MANDIR)/man7/archy-alerts.7 $(DESTDIR)$(ARCHYDATADIR)/prometheus/archy-alerts.yml \
	      $(DESTDIR)$(UNITDIR)/archy-metrics.service $(DESTDIR)$(UNITDIR)/archy-metrics.timer \
	      $(DESTDIR)$(UNITDIR)/timers.target.wants/archy-metrics.timer $(DESTDIR)$(CATALOGDIR)/archy.catalog

format:
	clang-format -i $(LIB_SRCS) $(wildcard lib/*/*.h) $(wildcard generator/*.[ch] helpers/derive/*.[ch] helpers/podman-repair/*.[ch] helpers/verify-ota/*.[ch] helpers/reconcile/*.[ch] helpers/reconcile/io/*.[ch] ctl/*.[ch] ctl/io/*.[ch]) $(TEST_SRCS) $(wildcard test/unit/*.h) \
	        $(STANDIN_SRC) $(wildcard test/e2e/standin/*.h)

LINT_JOBS ?= $(shell nproc)
lint:
	tools/check-catalog.sh lib/basic/message-ids.h catalog/archy.catalog
	shellcheck -x $(SHELL_SCRIPTS)
	shellcheck --shell=bats $(E2E_BATS)
	shellcheck --shell=bats --severity=warning $(HOST_BATS)
	@# errexit ignores a negated command: a bare `! cmd` asserts nothing unless it is a test's last.
	@if grep -nE '^[[:space:]]*! ' $(E2E_BATS) $(HOST_BATS) | grep -vE '\|\| false$$'; then \
		echo "lint: a bare '! cmd' in bats asserts nothing: write '! cmd || false' (or run + a status check)" >&2; \
		exit 1; \
	fi
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr -D_GNU_SOURCE \
	        $(INCLUDES) -Ihelpers/derive -Ihelpers/podman-repair -Ihelpers/verify-ota -Ihelpers/reconcile -Ihelpers/reconcile/io --suppress=missingIncludeSystem lib generator \
	        helpers ctl $(STANDIN_SRC)
	@# clang-tidy takes most of lint's time: LINT_JOBS processes (default one per core), 8 files each.
	printf '%s\n' $(LIB_SRCS) $(wildcard generator/*.c helpers/derive/*.c helpers/podman-repair/*.c helpers/verify-ota/*.c helpers/reconcile/*.c helpers/reconcile/io/*.c ctl/*.c ctl/io/*.c) $(STANDIN_SRC) \
	        | xargs -P $(LINT_JOBS) -n 8 sh -c 'exec clang-tidy --quiet "$$@" -- -std=gnu11 -D_GNU_SOURCE $(INCLUDES) \
	          -Ihelpers/derive -Ihelpers/podman-repair -Ihelpers/verify-ota -Ihelpers/reconcile -Ihelpers/reconcile/io \
	          -DARCHY_VERSION=\"$(VERSION)\" -DARCHY_SBINDIR=\"$(SBINDIR)\"' clang-tidy

clean:
	rm -rf $(BUILD) demo archy-dry-run
