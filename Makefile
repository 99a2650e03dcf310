# SPDX-License-Identifier: GPL-2.0
#
# Ordo: top-level build. `make help` lists the targets.
#
#   make            build ordo.ko, libordo, the tools and the eBPF objects
#   make check      every test: host unit tests, checkpatch, VM suites
#   make run        the demo, in the test VM
#   make vm         an interactive shell in the test VM
#   make bench      the benchmarks (tests/bench/*), in the test VM
#
# make, make check and make run first run `make deps`, which installs
# the missing Debian packages (and is quick when none is missing).

TOP := $(CURDIR)
BUILD := $(TOP)/build

# The test kernel: the newest Debian 6.1 kernel in /boot. KDIR=... builds
# against another tree, e.g. KDIR=/lib/modules/$(uname -r)/build.
ORDO_KVER ?= $(shell ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n 1)
KDIR ?= /lib/modules/$(ORDO_KVER)/build
KDIR_KVER = $(notdir $(patsubst %/,%,$(dir $(abspath $(KDIR)))))
export ORDO_KVER

KSRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
ORDO_BUILD_ID ?= $(shell git -C $(TOP) describe --always --dirty 2>/dev/null || echo unknown)

CC := gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKGS := libnl-genl-3.0 json-c libbpf inih libprotobuf-c libsystemd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))

# Userspace: C11 with POSIX/GNU interfaces, warnings are errors.
USER_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-I$(TOP)/kmod/uapi -I$(TOP)/kmod/lib -I$(TOP)/user/lib -I$(BUILD)/bpf \
	-I$(BUILD)/user/proto $(PKG_CFLAGS) $(EXTRA_CFLAGS)

DEPS_PKGS := gcc make clang llvm pkg-config libbpf-dev bpftool \
	libnl-3-dev libnl-genl-3-dev libelf-dev zlib1g-dev libjson-c-dev \
	linux-headers-amd64 linux-image-amd64 linux-source-6.1 \
	qemu-system-x86 busybox-static cpio iproute2 nftables \
	xz-utils kmod perl python3 linuxptp iputils-ping \
	libinih-dev libprotobuf-c-dev protobuf-c-compiler libsystemd-dev

SHARED_SRCS := $(wildcard kmod/lib/*.c)
LIBORDO_SRCS := $(wildcard user/lib/*.c) $(SHARED_SRCS)
# protobuf-c: user/lib/proto/NAME.proto -> build/user/proto/NAME.pb-c.[ch],
# compiled into libordo.a (the runtime's and the daemons' messages).
PROTOS := $(wildcard user/lib/proto/*.proto)
PROTO_HDRS := $(patsubst user/lib/proto/%.proto,$(BUILD)/user/proto/%.pb-c.h,$(PROTOS))
PROTO_CSRCS := $(patsubst user/lib/proto/%.proto,$(BUILD)/user/proto/%.pb-c.c,$(PROTOS))
PROTO_OBJS := $(patsubst user/lib/proto/%.proto,$(BUILD)/user/proto/%.pb-c.o,$(PROTOS))
LIBORDO_OBJS := $(patsubst %.c,$(BUILD)/user/%.o,$(LIBORDO_SRCS)) $(PROTO_OBJS)
TOOLS := $(patsubst user/%/,%,$(filter-out user/lib/,$(wildcard user/*/)))
TOOL_BINS := $(addprefix $(BUILD)/bin/,$(TOOLS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))
KSFT := $(BUILD)/ksft
KSFT_FILES := kselftest.h kselftest_harness.h kselftest/runner.sh \
	kselftest/prefix.pl run_kselftest.sh ptp/testptp.c
VM_SUITES := $(filter-out unit/ vm/ lib/ bench/,$(patsubst tests/%,%,$(dir $(wildcard tests/*/Makefile))))
VM_SUITES := $(patsubst %/,%,$(VM_SUITES))

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build deps module user bpf tests check unit checkpatch vm-check \
	run vm bench install uninstall clean help ksft FORCE

JOBS ?= $(shell nproc 2>/dev/null || echo 1)

all: deps
	@$(MAKE) --no-print-directory -j$(JOBS) build

build: module user bpf tests

help:
	@sed -n 's/^#   //p' Makefile

# ---------------------------------------------------------------- deps
deps:
	@missing=; for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -q >/dev/null && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing >/dev/null || \
		{ echo "deps: apt-get install$$missing failed" >&2; exit 1; }; \
	fi

# ---------------------------------------------------------------- module
module:
	@test -d "$(KDIR)" || { echo "no kernel build tree at $(KDIR) (make deps, or set KDIR)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) ORDO_BUILD_ID=$(ORDO_BUILD_ID) modules

# ---------------------------------------------------------------- kselftest files from the kernel source tarball
ksft: $(KSFT)/.stamp
$(KSFT)/.stamp: $(KSRC_TAR)
	@mkdir -p $(KSFT) $(KSFT)/x
	tar -xJf $(KSRC_TAR) -C $(KSFT) --strip-components=4 \
		$(addprefix linux-source-6.1/tools/testing/selftests/,$(KSFT_FILES))
	tar -xJf $(KSRC_TAR) -C $(KSFT) --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch linux-source-6.1/scripts/extract-vmlinux
	@touch $@

# ---------------------------------------------------------------- userspace
# (the generated sources are named here so that make keeps them: the unit
# tests compile them again with the sanitizers)
user: $(BUILD)/user/libordo.a $(TOOL_BINS) $(PROTO_CSRCS) $(PROTO_HDRS)

# Every object depends on the generated protobuf-c headers, so that make -j
# generates them before any source that includes one is compiled.
$(BUILD)/user/%.o: %.c $(wildcard kmod/uapi/linux/*.h kmod/lib/*.h user/lib/*.h) $(PROTO_HDRS) | bpf
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c $< -o $@

# One protoc-c run writes both files (a grouped pattern rule).
$(BUILD)/user/proto/%.pb-c.c $(BUILD)/user/proto/%.pb-c.h: user/lib/proto/%.proto
	@mkdir -p $(dir $@)
	protoc-c --proto_path=user/lib/proto --c_out=$(BUILD)/user/proto $<

$(BUILD)/user/proto/%.pb-c.o: $(BUILD)/user/proto/%.pb-c.c $(PROTO_HDRS)
	$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/user/libordo.a: $(LIBORDO_OBJS)
	@rm -f $@
	ar rcs $@ $^

# A tool is compiled from its sources in one go; it is rebuilt when one of
# them, one of its own headers, a shared header, a generated protobuf-c
# header, a BPF skeleton or libordo changes.
.SECONDEXPANSION:
$(BUILD)/bin/%: $$(wildcard user/$$*/*.c) $$(wildcard user/$$*/*.h) \
		$(wildcard kmod/uapi/linux/*.h kmod/lib/*.h user/lib/*.h) \
		$(PROTO_HDRS) $(BPF_SKELS) $(BUILD)/user/libordo.a
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $(filter %.c %.a,$^) $(PKG_LIBS)

# ---------------------------------------------------------------- eBPF
bpf: $(BPF_OBJS) $(BPF_SKELS)

# vmlinux.h from the BTF of the kernel the module is built for: the
# running kernel's when KDIR points at it, the test kernel's otherwise.
$(BUILD)/bpf/vmlinux.h: | ksft
	@mkdir -p $(dir $@)
	@if [ "$(KDIR_KVER)" = "$$(uname -r)" ] && [ -r /sys/kernel/btf/vmlinux ]; then \
		$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp; \
	else \
		$(KSFT)/scripts/extract-vmlinux /boot/vmlinuz-$(KDIR_KVER) > $(BUILD)/bpf/vmlinux && \
		$(BPFTOOL) btf dump file $(BUILD)/bpf/vmlinux format c > $@.tmp && \
		rm -f $(BUILD)/bpf/vmlinux; \
	fi && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BUILD)/bpf/vmlinux.h $(wildcard bpf/*.h kmod/uapi/linux/*.h)
	$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 \
		-I$(BUILD)/bpf -I$(TOP)/bpf -I$(TOP)/kmod/uapi -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------- test suites
# Each suite under tests/ is a kselftest directory; they are installed
# into build/kselftest (VM suites) and build/unit (host unit tests) in
# the layout `make -C tools/testing/selftests install` produces.
SUITE_MAKE = $(MAKE) -s --no-print-directory ORDO_TOP=$(TOP) ORDO_BUILD=$(BUILD)

tests: ksft user bpf
	@rm -f $(BUILD)/kselftest/kselftest-list.txt
	@mkdir -p $(BUILD)/kselftest/kselftest $(BUILD)/unit/kselftest
	@for d in $(BUILD)/kselftest $(BUILD)/unit; do \
		cp $(KSFT)/run_kselftest.sh $$d/ && cp $(KSFT)/kselftest/runner.sh $(KSFT)/kselftest/prefix.pl $$d/kselftest/; \
	done
	+@for s in $(VM_SUITES); do \
		$(SUITE_MAKE) -C tests/$$s OUTPUT=$(BUILD)/kselftest/$$s COLLECTION=$$s all install || exit 1; \
		$(SUITE_MAKE) -s -C tests/$$s OUTPUT=$(BUILD)/kselftest/$$s COLLECTION=$$s emit_tests >> $(BUILD)/kselftest/kselftest-list.txt; \
	done
	+@$(SUITE_MAKE) -C tests/unit OUTPUT=$(BUILD)/unit/unit COLLECTION=unit all install
	+@$(SUITE_MAKE) -s -C tests/unit OUTPUT=$(BUILD)/unit/unit COLLECTION=unit emit_tests > $(BUILD)/unit/kselftest-list.txt

# ---------------------------------------------------------------- checks
check: deps
	@$(MAKE) --no-print-directory -j$(JOBS) build
	@tests/check

unit: tests
	@tests/check --only unit

checkpatch: ksft
	@tests/check --only checkpatch

vm-check: build
	@tests/check --only vm

run: all
	tests/vm/run --timeout 1800 -- tests/demo.sh

vm: all
	tests/vm/run --shell

# Benchmarks print tables; they assert nothing and are not in make check.
BENCHES := $(patsubst tests/bench/%/,%,$(dir $(wildcard tests/bench/*/Makefile)))
bench: all
	@for b in $(BENCHES); do $(MAKE) -s -C tests/bench/$$b ORDO_TOP=$(TOP) || exit 1; done
	@# tests/bench/B/vm-cpus: the QEMU CPU models B runs under, one run each
	@for b in $(BENCHES); do \
		cpus=$$(cat tests/bench/$$b/vm-cpus 2>/dev/null || echo max); \
		for c in $$cpus; do echo "== bench: $$b (-cpu $$c)"; \
			tests/vm/run --timeout 7200 --cpu $$c -- tests/bench/$$b/run || exit 1; \
		done; \
	done

# ---------------------------------------------------------------- install
ORDO_VERSION = $(shell sed -n 's/^\#define ORDO_VERSION[[:space:]]*"\(.*\)"/\1/p' kmod/uapi/linux/ordo.h)
DKMS_SRC = $(DESTDIR)/usr/src/ordo-$(ORDO_VERSION)
# the daemons' systemd template unit, the "ordo" group, the example config
SYSTEMD_UNITDIR = $(PREFIX)/lib/systemd/system
SYSUSERSDIR = $(PREFIX)/lib/sysusers.d
ORDO_DOCDIR = $(PREFIX)/share/doc/ordo

install: module user
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates modules_install
	$(if $(DESTDIR),,depmod -a $(KDIR_KVER))
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/
	rm -rf $(DKMS_SRC) && install -d $(DKMS_SRC)
	cp Kbuild $(DKMS_SRC)/
	(cd kmod && git ls-files 2>/dev/null || find . -name '*.[ch]' -o -name Kbuild) | \
		while read f; do install -D -m 644 kmod/$$f $(DKMS_SRC)/kmod/$$f; done
	sed 's/@VERSION@/$(ORDO_VERSION)/' kmod/dkms.conf > $(DKMS_SRC)/dkms.conf
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(ORDO_DOCDIR)
	sed 's|@PREFIX@|$(PREFIX)|g' user/lib/systemd/ordo@.service > $(DESTDIR)$(SYSTEMD_UNITDIR)/ordo@.service
	install -m 644 user/lib/systemd/ordo.sysusers $(DESTDIR)$(SYSUSERSDIR)/ordo.conf
	install -m 644 Documentation/examples/cluster.conf $(DESTDIR)$(ORDO_DOCDIR)/cluster.conf.example
	$(if $(DESTDIR),,-command -v systemd-sysusers >/dev/null && systemd-sysusers $(SYSUSERSDIR)/ordo.conf)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(TOOLS))
	rm -f $(DESTDIR)$(SYSTEMD_UNITDIR)/ordo@.service $(DESTDIR)$(SYSUSERSDIR)/ordo.conf
	rm -rf $(DESTDIR)$(ORDO_DOCDIR)
	rm -f $(DESTDIR)/lib/modules/$(KDIR_KVER)/updates/kmod/ordo.ko
	rm -rf $(DKMS_SRC)
	$(if $(DESTDIR),,depmod -a $(KDIR_KVER))

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean >/dev/null 2>&1
	rm -rf $(BUILD)
