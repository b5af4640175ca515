# Makefile - the whole certbench build in one file (GNU make >= 4).
#
#   make                  build/certbench and build/simdut
#   make ASAN=1           AddressSanitizer + UBSan build in build-asan/
#   make check            deps, unit tests (Check), end-to-end tests
#   make check ASAN=1     the same under the sanitizers
#   make demo             deps, build, run the suite against two simdut units
#   make deps             install missing Debian packages (as root) or name them
#   make check-headers    every header compiles on its own
#   make install DESTDIR=... PREFIX=...
#   make V=1              print full command lines; DEV=1 turns warnings
#                         into errors
PROG       := certbench
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/$(PROG)
PKG_CONFIG ?= pkg-config
INSTALL    ?= install

O := build
ifeq ($(ASAN),1)
O   := build-asan
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
       -fno-omit-frame-pointer
endif

CFLAGS ?= -O2 -g
WARN   := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
          -Wmissing-prototypes -Wvla -Wno-format-nonliteral
ifeq ($(DEV),1)
WARN   += -Werror
endif

# Debian packages a fresh Debian 12 machine needs to build, test and demo.
DEB_PKGS := gcc make pkg-config check libsubunit-dev libcurl4-openssl-dev \
            libjansson-dev libssl-dev libftdi1-dev libmicrohttpd-dev \
            openssl ca-certificates jq procps iproute2 \
            util-linux umockdev libumockdev-dev

# pkg-config is asked lazily and once, so 'make deps' can install the
# libraries before anything needs their flags.
lazy = $(eval $(1) := $$(shell $(2)))$($(1))
PKGS          := libcurl jansson openssl
HAVE_FTDI      = $(call lazy,HAVE_FTDI,$(PKG_CONFIG) --exists libftdi1 && echo y)
LIB_CFLAGS     = $(call lazy,LIB_CFLAGS,$(PKG_CONFIG) --cflags $(PKGS) \
                   $(if $(HAVE_FTDI),libftdi1))
LIB_LIBS       = $(call lazy,LIB_LIBS,$(PKG_CONFIG) --libs $(PKGS) \
                   $(if $(HAVE_FTDI),libftdi1))
CHECK_CFLAGS   = $(call lazy,CHECK_CFLAGS,$(PKG_CONFIG) --cflags check)
CHECK_LIBS     = $(call lazy,CHECK_LIBS,$(PKG_CONFIG) --libs check)
SIM_CFLAGS     = $(call lazy,SIM_CFLAGS,$(PKG_CONFIG) --cflags \
                   libmicrohttpd jansson openssl libcurl)
SIM_LIBS       = $(call lazy,SIM_LIBS,$(PKG_CONFIG) --libs \
                   libmicrohttpd jansson openssl libcurl) -lutil
# umockdev emulates an FT232R at the usbdevfs level for check_ftdi.
EMU_CFLAGS     = $(call lazy,EMU_CFLAGS,$(PKG_CONFIG) --cflags umockdev-1.0)
EMU_LIBS       = $(call lazy,EMU_LIBS,$(PKG_CONFIG) --libs umockdev-1.0)
GIT_REV        = $(call lazy,GIT_REV,git describe --always --dirty \
                   2>/dev/null || echo unknown)

CPPFLAGS  += -D_GNU_SOURCE -I. $(if $(HAVE_FTDI),-DHAVE_LIBFTDI)
ALL_CFLAGS = -std=c11 -pthread $(WARN) $(SAN) $(CFLAGS)

ifndef V
QUIET_CC   = @printf '  CC      %s\n' $@;
QUIET_AR   = @printf '  AR      %s\n' $@;
QUIET_LINK = @printf '  LINK    %s\n' $@;
QUIET_HDR  = @printf '  HDR     %s\n' $<;
endif

# Everything but main() goes into one static library, so the unit tests
# link exactly the code the program runs.
NO_SRC    = $(if $(HAVE_FTDI),,hw-adapters/ftdi.c)
LIB_SRC   = $(filter-out harness/main.c $(NO_SRC), \
              $(wildcard harness/*.c harness/steps/*.c hw-adapters/*.c \
                         reports/*.c))
SIM_SRC  := $(wildcard fixtures/simdut/*.c)
TEST_SRC := $(wildcard tests/unit/check_*.c)
HDRS     := $(wildcard harness/*.h harness/steps/*.h hw-adapters/*.h \
              reports/*.h fixtures/simdut/*.h)

LIB_OBJ   = $(LIB_SRC:%.c=$(O)/%.o)
SIM_OBJ  := $(SIM_SRC:%.c=$(O)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(O)/%.o)
TESTS    := $(TEST_OBJ:.o=)
HDR_CHK  := $(HDRS:%.h=$(O)/%.hchk)
EMU_OBJ  := $(O)/tests/unit/ftdiemu.o $(O)/tests/unit/ftdichip.o
BRIDGE_OBJ := $(O)/tests/e2e/ftdibridge.o
ALL_OBJ   = $(LIB_OBJ) $(SIM_OBJ) $(TEST_OBJ) $(EMU_OBJ) $(BRIDGE_OBJ) \
            $(O)/harness/main.o

.PHONY: all deps check check-unit check-e2e check-headers demo install \
        uninstall clean
.DELETE_ON_ERROR:

all: $(O)/$(PROG) $(O)/simdut

# 'make check' and 'make demo' install what is missing before compiling.
ifneq ($(filter check check-unit check-e2e demo,$(MAKECMDGOALS)),)
$(ALL_OBJ): | deps
endif

deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "deps: missing Debian packages:$$missing" >&2; \
	  echo "deps: run as root: apt-get install$$missing" >&2; \
	  exit 1; \
	fi

$(O)/.pkgcheck:
	@mkdir -p $(@D)
	@for p in $(PKGS) libmicrohttpd check; do \
	  $(PKG_CONFIG) --exists $$p || { echo "pkg-config cannot find '$$p'; \
	  run 'make deps' or install its -dev package" >&2; exit 1; }; done
	@touch $@

$(O)/harness/version.o: CPPFLAGS += -DCB_GIT_REV='"$(GIT_REV)"' \
	-DCB_DATADIR='"$(DATADIR)"'
$(O)/harness/version.o: FORCE

$(O)/%.o: %.c | $(O)/.pkgcheck
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(LIB_CFLAGS) $(ALL_CFLAGS) -MMD -MP \
		-c -o $@ $<

$(SIM_OBJ): $(O)/%.o: %.c | $(O)/.pkgcheck
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(SIM_CFLAGS) $(ALL_CFLAGS) -MMD -MP \
		-c -o $@ $<

$(TEST_OBJ): $(O)/%.o: %.c | $(O)/.pkgcheck
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(LIB_CFLAGS) $(CHECK_CFLAGS) \
		$(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(EMU_OBJ): $(O)/%.o: %.c | $(O)/.pkgcheck
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(EMU_CFLAGS) $(ALL_CFLAGS) -MMD -MP \
		-c -o $@ $<

$(O)/libcertbench.a: $(LIB_OBJ)
	@rm -f $@
	$(QUIET_AR)$(AR) rcs $@ $^

$(O)/$(PROG): $(O)/harness/main.o $(O)/libcertbench.a
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) -lm

$(O)/simdut: $(SIM_OBJ)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(SIM_LIBS)

$(TESTS): %: %.o $(O)/libcertbench.a
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) \
		$(LIB_LIBS) $(TEST_LIBS) -lutil -lm

# check_ftdi re-executes itself under umockdev's preload library.
$(O)/tests/unit/check_ftdi: $(EMU_OBJ)
$(O)/tests/unit/check_ftdi: TEST_LIBS = $(EMU_LIBS)

# ftdibridge (tests only): emulated FT232R chips wired to simdut's console
# ptys, running certbench under umockdev's preload (tests/e2e/t_ftdi.sh).
$(O)/ftdibridge: $(BRIDGE_OBJ) $(EMU_OBJ)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(EMU_LIBS) -lm

check: check-unit check-e2e

# Check forks each test; the unit tests find fixtures from the top folder.
check-unit: $(TESTS) $(O)/$(PROG)
	@set -e; for t in $(TESTS); do \
	  printf '  TEST    %s\n' $$t; CK_VERBOSITY=minimal ./$$t; done

check-e2e: $(O)/$(PROG) $(O)/simdut $(O)/ftdibridge
	@CERTBENCH=$(O)/$(PROG) SIMDUT=$(O)/simdut BUILD=$(O) \
		FTDIBRIDGE=$(O)/ftdibridge bash tests/e2e/run.sh

demo: $(O)/$(PROG) $(O)/simdut
	@CERTBENCH=$(O)/$(PROG) SIMDUT=$(O)/simdut BUILD=$(O) \
		bash fixtures/demo.sh

$(O)/%.hchk: %.h | $(O)/.pkgcheck
	@mkdir -p $(@D)
	$(QUIET_HDR)$(CC) $(CPPFLAGS) $(LIB_CFLAGS) $(SIM_CFLAGS) \
		$(ALL_CFLAGS) -fsyntax-only -x c $< && touch $@

check-headers: $(HDR_CHK)

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)
	$(INSTALL) -m 0755 $(O)/$(PROG) $(DESTDIR)$(BINDIR)/$(PROG)
	cp -R testcases $(DESTDIR)$(DATADIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/$(PROG)
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan

FORCE:

-include $(ALL_OBJ:.o=.d)
