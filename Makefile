# libattest - see README.md. `make help` lists the targets.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
SHARED  ?= $(abspath ../shared)

# The release number is written once, in include/attest.h.
header_version = $(shell sed -n 's/^\#define ATTEST_VERSION_$(1) *\([0-9][0-9]*\)$$/\1/p' include/attest.h)
VERSION := $(call header_version,MAJOR).$(call header_version,MINOR).$(call header_version,PATCH)
ifeq ($(filter-out .,$(subst ., ,$(VERSION))),)
$(error cannot read ATTEST_VERSION_MAJOR/MINOR/PATCH from include/attest.h)
endif
SOMAJOR := 0

DEPS_PKGS := build-essential pkg-config clang libclang-rt-14-dev \
	libssl-dev libcurl4-openssl-dev libjansson-dev libcbor-dev libxml2-dev \
	libxmlsec1-dev libjwt-dev libcriterion-dev python3 openssl \
	python3-pytest python3-venv python3-pip python3-setuptools python3-wheel golang-go valgrind llvm

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS  ?= -O2 -g
# xmlsec1 verifies NVIDIA RIM signatures; its headers need the defines
# pkg-config gives (evaluated again by the sub-makes after `make deps`).
XMLSEC_CFLAGS = $(shell pkg-config --cflags xmlsec1-openssl 2>/dev/null)
XMLSEC_LIBS = $(shell pkg-config --libs xmlsec1-openssl 2>/dev/null)
ALLCFLAGS = $(CSTD) $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden -Iinclude -DATTEST_BUILDING $(XMLSEC_CFLAGS) $(CURL_CFLAGS)
# libcurl fetches online collateral (lib/api/http.c).
CURL_CFLAGS = $(shell pkg-config --cflags libcurl 2>/dev/null)
# libcurl is not linked: lib/api/http.c loads libcurl.so.4 on the first
# fetch (dlopen), so that a process that only verifies does not map its
# dependency tree (~4 MiB resident); only its headers are needed to build.
LIBS    = -lssl -lcrypto -ljansson -ljwt -lcbor -ldl -lpthread $(XMLSEC_LIBS)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B := build
# The built-in vendor certificates (certs/builtin.tsv) as C strings, read at
# build time from the vectors directory (lib/base/builtin_certs.c).
CERTS_C := $(B)/gen/builtin_certs_pem.c
LIB_SRC := $(wildcard lib/base/*.c lib/parse/*.c lib/chain/*.c lib/appraise/*.c lib/token/*.c lib/api/*.c) $(CERTS_C)
LIB_HDR := include/attest.h $(wildcard lib/*/*.h)
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=$(B)/asan/%.o)
TEST_SRC := $(filter-out tests/tsan/% tests/soak/% tests/allocfail/%,$(wildcard tests/*/*.c))
GEN_SRC := vectors/gen/snpgen.c vectors/gen/dcapgen.c vectors/gen/nvgen.c vectors/gen/gencommon.c vectors/gen/azgen.c vectors/gen/ratlsgen.c

.PHONY: all lib cli deps demo check test test-asan check-tsan check-valgrind check-after-test check-allocfail allocfail-full check-python fuzz fuzz-campaign bench bench-table interop install clean help
all: lib cli $(B)/attest-mock pkg-config/libattest.pc

help:
	@echo "make            build libattest.so, libattest.a, the attest CLI and attest-mock"
	@echo "make deps       install missing Debian packages (apt-get)"
	@echo "make demo       verify shipped sample evidence (and ../shared vectors if present)"
	@echo "make check      every test, plain and under ASan+UBSan"
	@echo "make check-tsan 8 threads share one verifier under ThreadSanitizer (part of check)"
	@echo "make check-allocfail  the N-th allocation fails, N sampled over each evidence kind (part of check); allocfail-full: every N"
	@echo "make check-python  the Python binding's pytest suite and venv install (part of check)"
	@echo "make bench      verifications per second (prints figures)"
	@echo "make check-go   the Go binding's tests (go test -race), part of make check"
	@echo "make fuzz       run the libFuzzer harnesses (FUZZ_SECONDS=60)"
	@echo "make fuzz-campaign  every harness to FUZZ_EXECS=10000000 or FUZZ_SECONDS=3600, resumable; table of executions, edges, lines, findings"
	@echo "make check-valgrind  tests/cli.sh with the CLI under valgrind memcheck (part of check)"
	@echo "make interop    libattest vs npm @phala/dcap-qvl on ../shared TDX vectors (needs node, npm registry)"
	@echo "make install    PREFIX=/usr/local DESTDIR="

# ---- set-up --------------------------------------------------------------
# Installs only what is missing, so `make demo` and `make check` work alone
# on a fresh Debian 12 and cost nothing when everything is present.
deps: $(B)/.deps
$(B)/.deps: Makefile
	@missing=""; for p in $(DEPS_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $$missing || exit 1; \
	fi
	@mkdir -p $(B) && touch $@

# ---- library -------------------------------------------------------------
lib: $(B)/libattest.so $(B)/libattest.a

$(B)/obj/%.o: %.c $(LIB_HDR) | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c $< -o $@

$(B)/asan/%.o: %.c $(LIB_HDR) | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(SAN) -O1 -c $< -o $@

$(B)/libattest.so.$(VERSION): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libattest.so.$(SOMAJOR) -Wl,--no-undefined -o $@ $^ $(LIBS)

$(B)/libattest.so: $(B)/libattest.so.$(VERSION)
	ln -sf libattest.so.$(VERSION) $(B)/libattest.so.$(SOMAJOR)
	ln -sf libattest.so.$(VERSION) $@

# The built-in vendor certificates are read at build time from the vectors
# directory (no copy in the repository), each checked against the SHA-256
# certs/builtin.tsv lists; CERTS_SRC points elsewhere (certs/README.md).
CERTS_SRC ?= $(SHARED)/vectors
$(CERTS_C): tools/embed_certs.sh certs/builtin.tsv
	@mkdir -p $(dir $@)
	sh tools/embed_certs.sh certs/builtin.tsv $(CERTS_SRC) > $@.tmp && mv $@.tmp $@

$(B)/libattest.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libattest-asan.a: $(ASAN_OBJ)
	rm -f $@ && ar rcs $@ $^

PC_SUBST = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	-e 's|@XMLSEC_LIBS@|$(strip $(XMLSEC_LIBS))|'
pkg-config/libattest.pc: pkg-config/libattest.pc.in Makefile include/attest.h
	$(PC_SUBST) $< > $@

# ---- CLI and mock TEE ----------------------------------------------------
cli: $(B)/attest
$(B)/attest: tools/attest.c tools/attest_measure.c tools/attest_tpm.c tools/attest_results.c tools/cli_io.c tools/cli_io.h $(B)/libattest.a include/attest.h
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iinclude -o $@ tools/attest.c tools/attest_measure.c tools/attest_tpm.c tools/attest_results.c tools/cli_io.c $(B)/libattest.a $(LIBS)

MOCK_SRC := vectors/gen/attest_mock.c vectors/gen/attest_mock_dcap.c vectors/gen/attest_mock_nvidia.c vectors/gen/attest_mock_azure.c vectors/gen/attest_mock_ratls.c vectors/gen/attest_mock_nras.c vectors/gen/mockcli.c
$(B)/attest-mock: $(MOCK_SRC) $(GEN_SRC) $(wildcard vectors/gen/*.h) | $(B)/.deps
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(XMLSEC_CFLAGS) -Ivectors/gen -o $@ $(MOCK_SRC) $(GEN_SRC) -lcrypto -ljansson $(XMLSEC_LIBS)

# ---- tests ---------------------------------------------------------------
# Azure CVM sets over the Genoa and Intel PKIs above (vectors/README.md):
# $(1)/snp and $(1)/tdx each hold an HCL report and a vTPM quote for
# AZURE_TEST_NONCE with the PCR values; tdx also the matching TD quote.
AZURE_TEST_NONCE := 617a7572652d746573742d6e6f6e63652d30303031
define azure_testpki
	$(B)/attest-mock azure pki --out $(1)
	$(B)/attest-mock azure claims --pki $(1) -o $(1)/claims.json
	mkdir -p $(1)/snp $(1)/tdx
	$(B)/attest-mock azure hcl --claims $(1)/claims.json --snp-pki $(B)/testpki/genoa -o $(1)/snp/hcl_report.bin
	$(B)/attest-mock azure hcl --claims $(1)/claims.json --tdx-pki $(B)/testpki/intel \
	  --td-quote-out $(1)/tdx/td_quote.bin -o $(1)/tdx/hcl_report.bin
	for t in snp tdx; do echo $(AZURE_TEST_NONCE) > $(1)/$$t/nonce.hex; \
	  $(B)/attest-mock azure quote --pki $(1) --nonce $(AZURE_TEST_NONCE) -o $(1)/$$t/quote_msg.bin \
	    --sig-out $(1)/$$t/quote_sig.bin --pcrs-out $(1)/$$t/pcrs.bin || exit 1; done
endef

# The test PKI is generated once per build tree by the mock TEE itself.
$(B)/testpki/.done: $(B)/attest-mock
	rm -rf $(B)/testpki && mkdir -p $(B)/testpki
	$(B)/attest-mock snp pki --product Milan --out $(B)/testpki/milan
	$(B)/attest-mock snp pki --product Genoa --out $(B)/testpki/genoa
	$(B)/attest-mock snp pki --product Turin --out $(B)/testpki/turin
	$(B)/attest-mock snp pki --product Milan --out $(B)/testpki/rogue
	$(B)/attest-mock dcap pki --out $(B)/testpki/intel
	$(B)/attest-mock dcap pki --out $(B)/testpki/intel-processor --processor-ca
	$(B)/attest-mock nvidia pki --out $(B)/testpki/nvidia
	$(B)/attest-mock nvidia pki --out $(B)/testpki/nvidia-blackwell --blackwell
	$(B)/attest-mock nvidia pki --out $(B)/testpki/nvidia-switch --switch
	$(B)/attest-mock nvidia pki --out $(B)/testpki/nvidia-x4 --gpus 4
	$(B)/attest-mock nvidia pki --out $(B)/testpki/nvidia-rogue
	$(B)/attest-mock nras pki --out $(B)/testpki/nras
	$(call azure_testpki,$(B)/testpki/azure)
	$(B)/attest-mock azure pki --out $(B)/testpki/azure-rogue
	touch $@


TEST_LINK = $(CC) $(CSTD) $(WARN) -Wno-format-truncation $(CFLAGS) -Iinclude -Ilib -Itests -Ivectors/gen $(XMLSEC_CFLAGS) -o $@ $(TEST_SRC) $(GEN_SRC)

$(B)/unit-tests: $(TEST_SRC) tests/testutil.h $(GEN_SRC) $(LIB_HDR) $(B)/libattest.a
	$(TEST_LINK) $(B)/libattest.a -lcriterion $(LIBS)

$(B)/unit-tests-asan: $(TEST_SRC) tests/testutil.h $(GEN_SRC) $(LIB_HDR) $(B)/libattest-asan.a
	$(TEST_LINK) $(SAN) -O1 $(B)/libattest-asan.a -lcriterion $(LIBS)

TEST_ENV = ATTEST_TEST_PKI=$(abspath $(B)/testpki) ATTEST_SHARED=$(SHARED) \
	ATTEST_CLI=$(abspath $(B)/attest) ATTEST_MOCK=$(abspath $(B)/attest-mock)

test: all $(B)/unit-tests $(B)/testpki/.done
	@[ -d "$(SHARED)/vectors" ] || echo "note: $(SHARED)/vectors absent: the real-vector tests are skipped"
	$(TEST_ENV) $(B)/unit-tests --jobs 2
	$(TEST_ENV) sh tests/cli.sh
	MAKE="$(MAKE)" CC="$(CC)" sh tests/pkgconfig.sh
	$(MAKE) check-python

# The Python binding (bindings/python): its pytest suite on this tree's
# library, then the package installed into a venv as bindings/README.md
# says (Debian's setuptools, no index) and loaded by its soname. Debian's
# own python3, whose pytest `make deps` installs (also when an older build
# tree's set-up predates it).
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
PYVENV := $(B)/pyvenv
check-python: all $(B)/testpki/.done
	@$(PYTHON) -c "import pytest" 2>/dev/null || { SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y python3-pytest python3-venv python3-pip; }
	$(TEST_ENV) LIBATTEST_PATH=$(abspath $(B)/libattest.so.$(SOMAJOR)) \
	  $(PYTHON) -m pytest -q -p no:cacheprovider bindings/python/tests
	rm -rf $(PYVENV) $(B)/pysrc && cp -r bindings/python $(B)/pysrc
	$(PYTHON) -m venv --system-site-packages $(PYVENV)
	$(PYVENV)/bin/pip install -q --no-index --no-build-isolation $(B)/pysrc
	cd $(PYVENV) && env -u LIBATTEST_PATH LD_LIBRARY_PATH=$(abspath $(B)) bin/python -c \
	  'import libattest as a; assert a.__file__.startswith("$(abspath $(PYVENV))") and a.library_path() == "libattest.so.0"; print("installed binding loads", a.version())'

# Criterion reports a test as passed even when LeakSanitizer or a sanitizer
# printed an error in its process: the log is searched as well.
test-asan: $(B)/unit-tests-asan $(B)/testpki/.done
	$(TEST_ENV) ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	  $(B)/unit-tests-asan --jobs 2 > $(B)/test-asan.log 2>&1; rc=$$?; \
	  grep -E "Synthesis|FAIL" $(B)/test-asan.log; \
	  if grep -qE "ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:" $(B)/test-asan.log; then \
	    grep -nE -A20 "ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:" $(B)/test-asan.log | head -80; \
	    echo "sanitizer errors: see $(B)/test-asan.log"; exit 1; fi; exit $$rc

# ThreadSanitizer (issue 14): 8 threads share one verifier, collateral and
# policy and verify every evidence kind while the chain cache is cleared
# now and then and bounded to small limits (evictions under contention)
# (tests/tsan/test_threads.c, plain C: no Criterion in the TSan
# build). halt_on_error: the first race fails the run. Only OpenSSL,
# libxml2 and xmlsec1, not built with TSan, may be suppressed
# (tests/tsan/suppressions.txt); never a libattest frame.
# GCC's -Wmaybe-uninitialized misfires under -fsanitize=thread -O1 (e.g.
# lib/chain/snp_evidence.c `kind`, set on every path that reads it).
TSAN := -fsanitize=thread -fno-omit-frame-pointer
TSAN_CFLAGS := $(TSAN) -O1 -g -Wno-maybe-uninitialized
TSAN_OBJ := $(LIB_SRC:%.c=$(B)/tsan/%.o)
TSAN_ROUNDS ?= 25
$(B)/tsan/%.o: %.c $(LIB_HDR) | $(B)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(TSAN_CFLAGS) -c $< -o $@

$(B)/tsan/test-threads: tests/tsan/test_threads.c include/attest.h $(TSAN_OBJ)
	$(CC) $(CSTD) $(WARN) $(TSAN_CFLAGS) -Iinclude -o $@ $< $(TSAN_OBJ) $(LIBS)

check-tsan: $(B)/tsan/test-threads $(B)/testpki/.done $(B)/attest
	rm -rf $(B)/tsan/ev && sh tests/tsan/make_evidence.sh $(B)/attest-mock $(B)/attest $(B)/testpki $(B)/tsan/ev
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$(abspath tests/tsan/suppressions.txt)" \
	  $(B)/tsan/test-threads $(B)/tsan/ev $(B)/testpki $(TSAN_ROUNDS)

# Allocation failures (issue 14, tests/allocfail/driver.c): the N-th
# allocation fails, N walked over one verification of each evidence kind,
# genuine and forged, each run a fork()ed child under ASan+UBSan+LSan.
# check-allocfail walks a sample of N (every N to 60, then 40 spread to K; part of check); allocfail-full every N,
# forked at the point (one walker per case runs the verification once; linear).
# A run that ends in another status than ATTEST_E_NOMEM or its verdict fails the walk
# (mislabelled); the driver's --mislabelled lists each, --stride S walks every S-th N.
ALLOCFAIL_JOBS ?= 2
$(B)/allocfail/driver: tests/allocfail/driver.c tests/allocfail/interpose.c tests/allocfail/allocfail.h include/attest.h $(B)/libattest-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -Wno-format-truncation $(SAN) -O1 -g -Iinclude -o $@ tests/allocfail/driver.c tests/allocfail/interpose.c $(B)/libattest-asan.a $(LIBS)

$(B)/allocfail/ev/.done: tests/allocfail/make_evidence.sh $(B)/testpki/.done $(B)/attest
	rm -rf $(dir $@) && sh tests/allocfail/make_evidence.sh $(B)/attest-mock $(B)/attest $(B)/testpki $(dir $@) && touch $@

ALLOCFAIL_RUN = ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	$(B)/allocfail/driver $(B)/allocfail/ev $(B)/testpki --jobs $(ALLOCFAIL_JOBS)
check-allocfail: $(B)/allocfail/driver $(B)/allocfail/ev/.done
	$(ALLOCFAIL_RUN)

allocfail-full: $(B)/allocfail/driver $(B)/allocfail/ev/.done
	$(ALLOCFAIL_RUN) --full --fork-at-point

# The valgrind pass (one core, ~6 min) runs beside the sanitizer and
# binding suites once `test` has built everything both need.
check: deps
	$(MAKE) test
	$(MAKE) -j2 --output-sync=target check-valgrind check-after-test

check-after-test:
	$(MAKE) test-asan
	$(MAKE) check-tsan
	$(MAKE) check-allocfail
	$(MAKE) check-go
	@echo "make check: all tests passed (plain, ASan+UBSan, TSan threads, valgrind CLI, allocation failures)"

# valgrind memcheck (issue 14): tests/cli.sh with every attest call under
# memcheck; fails on any invalid access, uninitialised use or definite /
# indirect leak in any run (tests/valgrind/run.sh reads the logs).
check-valgrind: all $(B)/testpki/.done
	$(TEST_ENV) sh tests/valgrind/run.sh $(B)

# ---- Go binding (bindings/go) --------------------------------------------
# Built as a user builds it: cgo finds libattest through libattest.pc, here
# that of `make install` into $(B)/go-prefix (tests/pkgconfig.sh does the
# same). Go's caches stay under $(B); nothing is downloaded (no module
# dependencies, GOPROXY=off). `make deps` installs golang-go (Go 1.19).
GO_PREFIX := $(abspath $(B)/go-prefix)
GO_ENV = GOCACHE=$(abspath $(B)/go/cache) GOPATH=$(abspath $(B)/go/path) GOPROXY=off GOFLAGS= \
	PKG_CONFIG_PATH=$(GO_PREFIX)/lib/pkgconfig LD_LIBRARY_PATH=$(GO_PREFIX)/lib
GO_MISSING = command -v go >/dev/null || { echo "note: go absent after make deps: Go binding skipped"; exit 0; }
.PHONY: check-go bench-go
$(GO_PREFIX)/.done: $(B)/libattest.so $(B)/libattest.a include/attest.h pkg-config/libattest.pc.in
	$(MAKE) -s install PREFIX=$(GO_PREFIX) DESTDIR= >/dev/null && touch $@

check-go: all $(B)/testpki/.done $(GO_PREFIX)/.done
	@$(GO_MISSING); cd bindings/go && $(GO_ENV) $(TEST_ENV) go vet ./... && \
	  $(GO_ENV) $(TEST_ENV) go test -race -count=1 ./...

# Verifications per second through the binding next to the same calls from C.
bench-go: all $(B)/testpki/.done $(GO_PREFIX)/.done
	@$(GO_MISSING); mkdir -p $(B)/go && \
	  $(B)/attest-mock snp report --pki $(B)/testpki/milan -o $(B)/go/bench-report.bin && \
	  (cd bindings/go && $(GO_ENV) go build -o $(abspath $(B)/go/bench-go) ./bench) && \
	  $(GO_ENV) taskset -c 0 $(B)/go/bench-go $(B)/go/bench-report.bin $(B)/testpki/milan

# ---- demo ----------------------------------------------------------------
demo: deps
	$(MAKE) all
	SHARED=$(SHARED) sh tools/demo.sh $(B)

# ---- benchmarks and fuzzing ---------------------------------------------
$(B)/bench-snp: bench/bench_snp.c bench/bench_util.h $(B)/libattest.a $(GEN_SRC) $(B)/testpki/.done
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(XMLSEC_CFLAGS) -Iinclude -Ivectors/gen -o $@ bench/bench_snp.c $(GEN_SRC) $(B)/libattest.a $(LIBS)

$(B)/bench-dcap: bench/bench_dcap.c bench/bench_util.h $(B)/libattest.a $(GEN_SRC) vectors/gen/dcapgen.h $(B)/testpki/.done
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(XMLSEC_CFLAGS) -Iinclude -Ivectors/gen -o $@ bench/bench_dcap.c $(GEN_SRC) $(B)/libattest.a $(LIBS)

$(B)/bench-nv: bench/bench_nv.c bench/bench_util.h $(B)/libattest.a $(GEN_SRC) vectors/gen/nvgen.h $(B)/testpki/.done
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(XMLSEC_CFLAGS) -Iinclude -Ivectors/gen -o $@ bench/bench_nv.c $(GEN_SRC) $(B)/libattest.a $(LIBS)

$(B)/bench-composite: bench/bench_composite.c bench/bench_util.h $(B)/libattest.a $(GEN_SRC) vectors/gen/nvgen.h vectors/gen/snpgen.h $(B)/testpki/.done
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(XMLSEC_CFLAGS) -Iinclude -Ivectors/gen -o $@ bench/bench_composite.c $(GEN_SRC) $(B)/libattest.a $(LIBS)

$(B)/bench-ocsp: bench/bench_ocsp.c bench/bench_util.h $(B)/libattest.a $(GEN_SRC) vectors/gen/nvgen.h $(B)/testpki/.done
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(XMLSEC_CFLAGS) -Iinclude -Ivectors/gen -o $@ bench/bench_ocsp.c $(GEN_SRC) $(B)/libattest.a $(LIBS)

$(B)/bench-online: bench/bench_online.c bench/bench_util.h lib/api/fetch.h lib/api/http.h $(B)/libattest.a $(B)/attest $(B)/attest-mock
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -Iinclude -o $@ bench/bench_online.c $(B)/libattest.a $(LIBS)

# One verifier shared by threads against one thread and separate processes
# (issue 13); needs two free cores to mean anything, so no taskset.
$(B)/bench-threads: bench/bench_threads.c bench/bench_util.h $(B)/libattest.a $(GEN_SRC) vectors/gen/dcapgen.h vectors/gen/snpgen.h $(B)/testpki/.done
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(XMLSEC_CFLAGS) -Iinclude -Ivectors/gen -o $@ bench/bench_threads.c $(GEN_SRC) $(B)/libattest.a $(LIBS)

.PHONY: bench-threads
# 10 s per figure (5 rounds of 2 s, best kept): short rounds let one
# scheduling hiccup decide the ratio.
BENCH_THREADS_SECONDS ?= 10
bench-threads: $(B)/bench-threads
	ATTEST_TEST_PKI=$(abspath $(B)/testpki) BENCH_SECONDS=$(BENCH_THREADS_SECONDS) $(B)/bench-threads

# Memory under load (issue 14): 100,000 distinct SNP chips through one
# verifier, resident memory printed; not part of make check (minutes).
$(B)/soak: tests/soak/soak.c $(B)/libattest.a $(GEN_SRC) vectors/gen/snpgen.h
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(XMLSEC_CFLAGS) -Iinclude -Ivectors/gen -o $@ tests/soak/soak.c $(GEN_SRC) $(B)/libattest.a $(LIBS)

.PHONY: soak
soak: $(B)/soak
	$(B)/soak $(SOAK_COUNT)
$(B)/bench-table: bench/bench_table.c bench/bench_util.h
	$(CC) $(CSTD) $(WARN) $(CFLAGS) -o $@ bench/bench_table.c -lcrypto

# Every row of issue 13's table in one run (bench_table runs the programs
# below as children on one core), then the thread row.
bench-table: $(B)/bench-table $(B)/bench-snp $(B)/bench-dcap $(B)/bench-nv $(B)/bench-composite $(B)/attest
	ATTEST_TEST_PKI=$(abspath $(B)/testpki) ATTEST_CLI=$(abspath $(B)/attest) BENCH_DIR=$(B) \
	  taskset -c 0 $(B)/bench-table

bench: deps
	$(MAKE) bench-table
	$(MAKE) bench-threads
	$(MAKE) $(B)/bench-ocsp $(B)/bench-online
	ATTEST_TEST_PKI=$(abspath $(B)/testpki) taskset -c 0 $(B)/bench-ocsp
	ATTEST_CLI=$(B)/attest ATTEST_MOCK=$(B)/attest-mock $(B)/bench-online
	ATTEST_TEST_PKI=$(abspath $(B)/testpki) ATTEST_MOCK=$(abspath $(B)/attest-mock) LIBATTEST_PATH=$(abspath $(B)/libattest.so.$(SOMAJOR)) \
	  taskset -c 0 $(PYTHON) bindings/python/bench_libattest.py --c-bench $(B)/bench-snp
	$(MAKE) bench-go

FUZZ_SECONDS ?= 60
comma := ,
FUZZ_FLAGS = $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ilib $(XMLSEC_CFLAGS)
# The library is compiled once for all harnesses (instrumented, not linked
# with libFuzzer's main), each harness links its objects.
FUZZ_OBJ := $(LIB_SRC:%.c=$(B)/fuzzobj/%.o)
$(B)/fuzzobj/%.o: %.c $(LIB_HDR) | $(B)/.deps
	@mkdir -p $(dir $@)
	clang $(subst fuzzer$(comma),fuzzer-no-link$(comma),$(FUZZ_FLAGS)) -DATTEST_BUILDING -c $< -o $@
# One rule per harness: fuzz/fuzz_<name>.c (plus the listed headers).
FUZZ_PARSERS := snp-report policy dcap-quote dcap-collateral nv-report nv-rim hcl-report \
	runtime-claims tpm-attest ovmf ratls eventlog jws results
define fuzz_rule
$(B)/fuzz-$(1): fuzz/fuzz_$(subst -,_,$(1)).c $(2) $(FUZZ_OBJ)
	clang $(FUZZ_FLAGS) -DATTEST_BUILDING -o $$@ $$< $(FUZZ_OBJ) $(LIBS)
endef
$(foreach h,$(FUZZ_PARSERS),$(eval $(call fuzz_rule,$(h))))

# The public-entry-point harnesses (fuzz/fuzz_util.h; seeds: fuzz/seed_public.sh).
FUZZ_PUBLIC := evidence evidence-parts collateral token fetch-response
$(foreach h,$(filter-out fetch-response,$(FUZZ_PUBLIC)),$(eval $(call fuzz_rule,$(h),fuzz/fuzz_util.h)))
# http.c and fetch.c compiled inside the harness (their callbacks are static).
FUZZ_FETCH_SRC := fuzz/fuzz_fetch_response.c fuzz/fuzz_fetch_http.c fuzz/fuzz_fetch_add.c
$(B)/fuzz-fetch-response: $(FUZZ_FETCH_SRC) fuzz/fuzz_fetch.h $(FUZZ_OBJ) lib/api/http.c lib/api/fetch.c
	clang $(FUZZ_FLAGS) -DATTEST_BUILDING -o $@ $(FUZZ_FETCH_SRC) \
	  $(filter-out %/lib/api/http.o %/lib/api/fetch.o,$(FUZZ_OBJ)) $(LIBS)

# Each harness runs FUZZ_SECONDS; new corpus entries stay in build/.
fuzz: deps
	$(MAKE) $(B)/fuzz-snp-report $(B)/fuzz-policy $(B)/fuzz-dcap-quote \
	  $(B)/fuzz-dcap-collateral $(B)/fuzz-nv-report $(B)/fuzz-nv-rim $(B)/attest-mock
	sh fuzz/seed.sh $(B) $(SHARED)
	$(B)/fuzz-snp-report -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  $(B)/fuzz-corpus/snp-report
	mkdir -p $(B)/fuzz-corpus/policy && cp fuzz/corpus/policy/* examples/policy-*.json $(B)/fuzz-corpus/policy/
	$(B)/fuzz-policy -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(B)/fuzz-corpus/policy
	sh fuzz/seed_dcap.sh $(B) $(SHARED)
	$(B)/fuzz-dcap-quote -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
	  $(B)/fuzz-corpus/dcap-quote
	$(B)/fuzz-dcap-collateral -max_total_time=$(FUZZ_SECONDS) -max_len=16384 \
	  $(B)/fuzz-corpus/dcap-collateral
	sh fuzz/seed_nv.sh $(B) $(SHARED)
	$(B)/fuzz-nv-report -max_total_time=$(FUZZ_SECONDS) -max_len=163840 \
	  $(B)/fuzz-corpus/nv-report
	$(B)/fuzz-nv-rim -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  $(B)/fuzz-corpus/nv-rim
	$(MAKE) $(B)/fuzz-hcl-report $(B)/fuzz-runtime-claims $(B)/fuzz-tpm-attest
	sh fuzz/seed_azure.sh $(B) $(SHARED)
	$(B)/fuzz-hcl-report -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  $(B)/fuzz-corpus/hcl-report
	$(B)/fuzz-runtime-claims -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  $(B)/fuzz-corpus/runtime-claims
	$(B)/fuzz-tpm-attest -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  $(B)/fuzz-corpus/tpm-attest
	$(MAKE) $(B)/fuzz-ovmf
	python3 fuzz/seed_ovmf.py $(B)/fuzz-corpus/ovmf
	$(B)/fuzz-ovmf -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $(B)/fuzz-corpus/ovmf
	$(MAKE) $(B)/fuzz-ratls
	sh fuzz/seed_ratls.sh $(B) $(SHARED)
	$(B)/fuzz-ratls -max_total_time=$(FUZZ_SECONDS) -max_len=32768 $(B)/fuzz-corpus/ratls
	$(MAKE) $(B)/fuzz-eventlog
	python3 fuzz/seed_eventlog.py $(B)/fuzz-corpus/eventlog
	$(B)/fuzz-eventlog -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  $(B)/fuzz-corpus/eventlog
	$(MAKE) $(B)/fuzz-jws
	python3 fuzz/seed_jws.py $(B)/fuzz-corpus/jws $(SHARED)
	ATTEST_SHARED=$(SHARED) $(B)/fuzz-jws -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  $(B)/fuzz-corpus/jws
	$(MAKE) $(B)/fuzz-results
	sh fuzz/seed_results.sh $(B) $(SHARED)
	$(B)/fuzz-results -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $(B)/fuzz-corpus/results
	$(MAKE) $(FUZZ_PUBLIC:%=$(B)/fuzz-%) $(B)/attest $(B)/testpki/.done
	sh fuzz/seed_public.sh $(B) $(SHARED)
	for h in $(FUZZ_PUBLIC); do ATTEST_TEST_PKI=$(abspath $(B)/testpki) \
	  FUZZ_EVIDENCE=$$(ls -d $(abspath $(B))/fuzz-fixtures/* | tr '\n' :) \
	  $(B)/fuzz-$$h -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  $(B)/fuzz-corpus/$$h || exit 1; done

# The campaign (tools/fuzz_campaign.sh): each harness to FUZZ_EXECS runs or
# FUZZ_SECONDS, resumable, with fuzz/dict/; the line % comes from the
# coverage builds below (clang source-based coverage, libFuzzer's driver
# replaying the corpus with -runs=0; the library compiled once).
# FUZZ_SECONDS given on the command line or in the environment applies;
# else an hour (not make fuzz's 60 s).
FUZZ_EXECS ?= 10000000
FUZZ_CAMPAIGN_SECONDS = $(if $(filter command line environment,$(origin FUZZ_SECONDS)),$(FUZZ_SECONDS),3600)
FUZZCOV_FLAGS = $(CSTD) -g -O1 -fsanitize=fuzzer-no-link -fprofile-instr-generate -fcoverage-mapping \
	-Iinclude -Ilib -DATTEST_BUILDING $(XMLSEC_CFLAGS) $(CURL_CFLAGS)
FUZZCOV_OBJ := $(LIB_SRC:%.c=$(B)/fuzzcov/%.o)
$(B)/fuzzcov/%.o: %.c $(LIB_HDR) | $(B)/.deps
	@mkdir -p $(dir $@)
	clang $(FUZZCOV_FLAGS) -c $< -o $@
define fuzzcov_rule
$(B)/fuzzcov/fuzz-$(1): $(2) $(filter-out $(3),$(FUZZCOV_OBJ))
	clang $(FUZZCOV_FLAGS) -fsanitize=fuzzer -o $$@ $(2) $(filter-out $(3),$(FUZZCOV_OBJ)) $(LIBS)
endef
FUZZ_ALL := $(FUZZ_PARSERS) $(FUZZ_PUBLIC)
$(foreach h,$(filter-out fetch-response,$(FUZZ_ALL)),$(eval $(call fuzzcov_rule,$(h),fuzz/fuzz_$(subst -,_,$(h)).c,)))
$(eval $(call fuzzcov_rule,fetch-response,$(FUZZ_FETCH_SRC),$(B)/fuzzcov/lib/api/http.o $(B)/fuzzcov/lib/api/fetch.o))
fuzz-campaign: deps
	B=$(B) SHARED=$(SHARED) FUZZ_EXECS=$(FUZZ_EXECS) FUZZ_SECONDS=$(FUZZ_CAMPAIGN_SECONDS) \
	  sh tools/fuzz_campaign.sh $(FUZZ_HARNESSES)

# Not part of `make check`: needs node, npm and the npm registry.
interop: deps
	$(MAKE) cli
	sh tools/interop/run.sh $(B) $(SHARED)

# ---- install -------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/attest.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(B)/libattest.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libattest.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libattest.so.$(SOMAJOR)
	ln -sf libattest.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libattest.so
	install -m 644 $(B)/libattest.a $(DESTDIR)$(PREFIX)/lib/
	$(PC_SUBST) pkg-config/libattest.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libattest.pc
	install -m 755 $(B)/attest $(B)/attest-mock $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf $(B) pkg-config/libattest.pc
