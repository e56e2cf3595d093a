# deployhook: build, check and test everything. `make help` lists the targets.
SWIFT       ?= swift
CC          ?= cc
PYTHON      ?= python3
CONFIG      ?= release
BIN_PATH     = $(shell $(SWIFT) build -c $(CONFIG) --show-bin-path)
LIBDIR       = .build/$(CONFIG)
SWIFT_HEADER = $(BIN_PATH)/DeployHookC.build/include/DeployHookC-Swift.h

PREFIX      ?= /usr/local
VERSION      = $(shell cat VERSION)
SONAME       = libdeployhook.so.$(firstword $(subst ., ,$(VERSION)))
REAL_NAME    = libdeployhook.so.$(VERSION)
BUILD_TREE   = packaging/build-tree
DIST_NAME    = deployhook-$(VERSION)-linux-$(shell uname -m)
INSTALLED    = bin/deployhook lib/$(REAL_NAME) lib/$(SONAME) lib/libdeployhook.so include/deployhook.h \
               lib/pkgconfig/deployhook.pc

.PHONY: all build header check-header version check-version example demo test bootstrap bench install uninstall dist wheel help clean

all: build example                   ## build the library and the C example

build:                               ## swift build -c release: .build/release/libdeployhook.so
	$(SWIFT) build -c $(CONFIG)

header: build                        ## regenerate include/deployhook.h, .cdef (FFI declarations) and .json from the Swift sources
	$(PYTHON) scripts/generate_header.py $(SWIFT_HEADER) include

check-header: build                  ## fail if include/deployhook.h, .cdef or .json differs from what the sources generate
	@$(PYTHON) scripts/generate_header.py --check $(SWIFT_HEADER) include

version:                             ## after editing VERSION: rewrite every generated place that carries it
	$(PYTHON) scripts/version.py --write

check-version:                       ## fail if any place (sources, header, .pc, built library, CLI) disagrees with VERSION
	@$(PYTHON) scripts/version.py --check

example: build                       ## build examples/c/trigger against include/ and the build tree's library
	$(CC) -std=c99 -Wall -Wextra -Werror -pedantic -I include examples/c/trigger.c \
	  -L $(BUILD_TREE)/lib -ldeployhook -Wl,-rpath,'$$ORIGIN/../../$(BUILD_TREE)/lib' -o examples/c/trigger

demo:                                ## trigger a hook and follow its build against the local emulator (no account)
	@bash scripts/bootstrap.sh demo
	@$(MAKE) --no-print-directory build
	@scripts/demo.sh

test:                                ## build everything and run every suite (what CI runs; ends "N passed, N failed")
	@bash scripts/bootstrap.sh test
	@scripts/test.sh

bootstrap:                           ## install the system packages the tests need (what make test does first)
	@bash scripts/bootstrap.sh test

bench: build                         ## the benchmarks against curl, requests and the cloudflare SDK (installs nginx, a venv)
	bash benchmarks/setup.sh
	$(PYTHON) benchmarks/run.py

install: build                       ## install bin/deployhook, lib/libdeployhook.so.X.Y.Z and its links, the header, deployhook.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(LIBDIR)/deployhook-cli $(DESTDIR)$(PREFIX)/bin/deployhook
	install -m 755 $(LIBDIR)/libdeployhook.so $(DESTDIR)$(PREFIX)/lib/$(REAL_NAME)
	ln -sf $(REAL_NAME) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libdeployhook.so
	install -m 644 include/deployhook.h $(DESTDIR)$(PREFIX)/include/deployhook.h
	sed 's/@VERSION@/$(VERSION)/' packaging/deployhook.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/deployhook.pc
	@# A system prefix: refresh the dynamic linker's cache so that programs find the new library at once.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && { [ "$(PREFIX)" = /usr ] || [ "$(PREFIX)" = /usr/local ]; }; then \
	  echo ldconfig; ldconfig; fi

uninstall:                           ## remove exactly what make install put under DESTDIR/PREFIX
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))
	@# Under a DESTDIR, also the folders install made there, once empty (from the leaves up to DESTDIR).
	@if [ -n "$(DESTDIR)" ]; then \
	  for dir in lib/pkgconfig lib include bin; do rmdir "$(DESTDIR)$(PREFIX)/$$dir" 2>/dev/null || true; done; \
	  dir="$(DESTDIR)$(PREFIX)"; while [ "$$dir" != "$(DESTDIR)" ] && rmdir "$$dir" 2>/dev/null; do dir=$$(dirname "$$dir"); done; fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && { [ "$(PREFIX)" = /usr ] || [ "$(PREFIX)" = /usr/local ]; }; then \
	  echo ldconfig; ldconfig; fi

dist: build                          ## dist/deployhook-VERSION-linux-ARCH.tar.gz: stripped, relocatable lib/ include/ bin/
	rm -rf dist/$(DIST_NAME) && $(MAKE) --no-print-directory install PREFIX=$(CURDIR)/dist/$(DIST_NAME)
	strip --strip-unneeded dist/$(DIST_NAME)/lib/$(REAL_NAME) dist/$(DIST_NAME)/bin/deployhook
	tar -C dist -czf dist/$(DIST_NAME).tar.gz $(DIST_NAME)
	@echo "dist/$(DIST_NAME).tar.gz"

wheel:                               ## dist/deployhook-VERSION-py3-none-manylinux_*.whl: bundles libcurl (auditwheel; needs PyPI once)
	@bash scripts/build_wheel.sh

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

clean:
	rm -rf .build build dist examples/c/trigger
