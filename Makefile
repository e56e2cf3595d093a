# deployhook: build, check and test everything. `make help` lists the targets.
SWIFT       ?= swift
CC          ?= cc
PYTHON      ?= python3
CONFIG      ?= release
BIN_PATH     = $(shell $(SWIFT) build -c $(CONFIG) --show-bin-path)
LIBDIR       = .build/$(CONFIG)
SWIFT_HEADER = $(BIN_PATH)/DeployHookC.build/include/DeployHookC-Swift.h

PREFIX      ?= /usr/local
VERSION      = $(shell sed -n 's/^\#define DEPLOYHOOK_VERSION "\(.*\)"/\1/p' include/deployhook.h)
DIST_NAME    = deployhook-$(VERSION)-linux-$(shell uname -m)

.PHONY: all build header check-header example demo test bootstrap bench install dist help clean

all: build example                   ## build the library and the C example

build:                               ## swift build -c release: .build/release/libdeployhook.so
	$(SWIFT) build -c $(CONFIG)

header: build                        ## regenerate include/deployhook.h, .cdef (FFI declarations) and .json from the Swift sources
	$(PYTHON) scripts/generate_header.py $(SWIFT_HEADER) include

check-header: build                  ## fail if include/deployhook.h, .cdef or .json differs from what the sources generate
	@$(PYTHON) scripts/generate_header.py --check $(SWIFT_HEADER) include

example: build                       ## build examples/c/trigger against include/ and the library
	$(CC) -std=c99 -Wall -Wextra -Werror -pedantic -I include examples/c/trigger.c \
	  -L $(LIBDIR) -ldeployhook -Wl,-rpath,'$$ORIGIN/../../$(LIBDIR)' -o examples/c/trigger

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

install: build                       ## install bin/deployhook, lib/libdeployhook.so, the header and deployhook.pc under PREFIX
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(LIBDIR)/deployhook-cli $(DESTDIR)$(PREFIX)/bin/deployhook
	install -m 755 $(LIBDIR)/libdeployhook.so $(DESTDIR)$(PREFIX)/lib/libdeployhook.so
	install -m 644 include/deployhook.h $(DESTDIR)$(PREFIX)/include/deployhook.h
	sed 's/@VERSION@/$(VERSION)/' packaging/deployhook.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/deployhook.pc

dist: build                          ## dist/deployhook-VERSION-linux-ARCH.tar.gz: stripped, relocatable lib/ include/ bin/
	rm -rf dist/$(DIST_NAME) && $(MAKE) --no-print-directory install PREFIX=$(CURDIR)/dist/$(DIST_NAME)
	strip --strip-unneeded dist/$(DIST_NAME)/lib/libdeployhook.so dist/$(DIST_NAME)/bin/deployhook
	tar -C dist -czf dist/$(DIST_NAME).tar.gz $(DIST_NAME)
	@echo "dist/$(DIST_NAME).tar.gz"

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

clean:
	rm -rf .build build dist examples/c/trigger
