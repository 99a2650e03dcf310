# SPDX-License-Identifier: GPL-2.0
#
# The part of tools/testing/selftests/lib.mk that Ordo's suites use, so
# that a suite directory builds the same way here and in a kernel tree.
#
# A suite Makefile sets TEST_GEN_PROGS (built from NAME.c), TEST_PROGS
# (scripts), TEST_FILES (data, e.g. settings) and may add to CFLAGS and
# LDLIBS (ORDO_LDLIBS links libordo, libnl-genl, json-c and, for the daemon
# runtime, libinih, protobuf-c and libsystemd; ORDO_BPF_LDLIBS adds libbpf),
# then includes this file.
#
# The top Makefile passes OUTPUT, COLLECTION, ORDO_TOP and ORDO_BUILD.

ORDO_TOP ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
ORDO_BUILD ?= $(ORDO_TOP)/build
OUTPUT ?= $(CURDIR)
COLLECTION ?= $(notdir $(CURDIR))
CC := gcc

KSFT_INC := $(ORDO_BUILD)/ksft
ORDO_PKGS := libnl-genl-3.0 json-c libbpf
# -I$(KSFT_INC)/x lets sources include "../kselftest_harness.h" as they
# do inside tools/testing/selftests.
CFLAGS += -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE \
	-I$(KSFT_INC) -I$(KSFT_INC)/x -I$(ORDO_TOP)/kmod/uapi \
	-I$(ORDO_TOP)/kmod/lib -I$(ORDO_TOP)/user/lib -I$(ORDO_TOP)/bpf -I$(ORDO_BUILD)/bpf \
	-I$(ORDO_BUILD)/user/proto $(shell pkg-config --cflags $(ORDO_PKGS))
ORDO_LDLIBS = $(ORDO_BUILD)/user/libordo.a \
	$(shell pkg-config --libs libnl-genl-3.0 json-c inih libprotobuf-c libsystemd)
ORDO_BPF_LDLIBS = $(shell pkg-config --libs libbpf)

TEST_GEN_PROGS := $(patsubst %,$(OUTPUT)/%,$(TEST_GEN_PROGS))

all: $(TEST_GEN_PROGS)

$(OUTPUT)/%: %.c $(wildcard $(ORDO_BUILD)/user/libordo.a)
	@mkdir -p $(OUTPUT)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(EXTRA_SRCS) $< $(LDLIBS) -o $@

install: all
	@mkdir -p $(OUTPUT)
	@for f in $(TEST_PROGS) $(TEST_FILES); do \
		if [ "$(abspath $(OUTPUT))" != "$(CURDIR)" ]; then cp -f $$f $(OUTPUT)/ || exit 1; fi; \
	done

emit_tests:
	@for TEST in $(TEST_GEN_PROGS) $(TEST_PROGS); do \
		echo "$(COLLECTION):$$(basename $$TEST)"; \
	done

clean:
	rm -f $(TEST_GEN_PROGS)

.PHONY: all install emit_tests clean
