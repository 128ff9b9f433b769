# One Makefile drives everything: `make demo`, `make test`, `make test-asan`,
# `make bench`. Objects go to $(BUILD)/; sanitizer builds to build-asan/.

BUILD ?= build
CC ?= cc
SAN ?=
OPT ?= -O2
CPPFLAGS += -Iinclude -D_POSIX_C_SOURCE=200809L
CFLAGS += -std=c11 $(OPT) -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	  -Wmissing-prototypes -fno-strict-aliasing
# float-cast-overflow is not part of -fsanitize=undefined: a NaN or huge
# float converted to an integer would pass unseen without it.
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow
ifneq ($(SAN),)
CFLAGS += $(SAN_FLAGS) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += $(SAN_FLAGS)
endif
LDLIBS += -lpng -lz -lm
# NIR files (docs/nir.md) go through Debian's serial libhdf5; its pkg-config
# file may be missing on older releases, hence the fallback paths.
HDF5_CFLAGS = $(or $(shell pkg-config --cflags hdf5 2>/dev/null),-I/usr/include/hdf5/serial)
HDF5_LIBS = $(or $(shell pkg-config --libs hdf5 2>/dev/null),-L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5)
CLIBS = -lprotobuf-c -lmd $(HDF5_LIBS) $(CAIRO_LIBS)

# Debian packages the C build and tests need; `make deps` installs them.
DEB_BUILD := gcc make zlib1g-dev libpng-dev protobuf-c-compiler libprotobuf-c-dev \
	     libonnx-dev libmd-dev libhdf5-dev
DEB_BENCH := python3-brian python3-numpy g++
DEB_FUZZ := clang libclang-rt-14-dev

LIB_SRC := $(wildcard lib/*.c)
# Charts (axes, ticks, labels, legends; PNG or SVG) for snnsim's raster and
# snnc's report, on cairo: a library of their own, so that nothing else
# that links libsnn needs cairo.
PLOT_SRC := $(wildcard plot/*.c)
PLOTLIB := $(BUILD)/libsnnplot.a
SIMLIB_SRC := sim/sim.c sim/kernels.c sim/golden_device.c
LIB := $(BUILD)/libsnn.a
SNNSIM := $(BUILD)/snnsim

# The compiler: protobuf-c code generated at build time from Debian's onnx.proto.
GEN := $(BUILD)/gen
ONNX_PROTO := /usr/include/onnx/onnx.proto
COMPILER_SRC := $(filter-out compiler/snnc.c,$(wildcard compiler/*.c compiler/*/*.c))
CLIB := $(BUILD)/libsnnc.a
SNNC := $(BUILD)/snnc

TEST_SRC := $(wildcard tests/*/test_*.c)
TEST_BIN := $(patsubst %.c,$(BUILD)/%,$(TEST_SRC))

include rtl/rtl.mk
include boards/boards.mk

.PHONY: all deps demo test test-asan test-long bench clean data models check-fixtures
# The default goal; its prerequisites are given with test's below, where
# SNNHOST and every RTL test are defined (a rule's prerequisites expand
# when make reads it: here they would have left snnhost out).
all:

deps: $(BUILD)/.deps
$(BUILD)/.deps: tools/deps.sh
	@mkdir -p $(BUILD)
	@tools/deps.sh $(DEB_BUILD)
	@touch $@

$(BUILD)/%.o: %.c $(BUILD)/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# The simulator's inner loops want the vectoriser (-O3); OPT=... still wins.
# Its functions start on a cache line, so that a change elsewhere in the
# file does not move a hot loop across one: moved by 16 bytes, cnn's ran
# 5 % slower, and the dense benchmark 2 %, with the same instructions
# (docs/benchmarks.md, fifth pass).
$(BUILD)/sim/sim.o $(BUILD)/sim/kernels.o: OPT := -O3 -falign-functions=64

$(GEN)/onnx.pb-c.c $(GEN)/onnx.pb-c.h: $(BUILD)/.deps
	@mkdir -p $(GEN)
	protoc-c --c_out=$(GEN) --proto_path=$(dir $(ONNX_PROTO)) $(notdir $(ONNX_PROTO))

# Generated code is not ours to warn about; everything else is -Werror.
$(GEN)/onnx.pb-c.o: $(GEN)/onnx.pb-c.c
	$(CC) $(CPPFLAGS) -std=c11 $(OPT) -g $(if $(SAN),-fsanitize=address -fsanitize=undefined) -c $< -o $@

$(patsubst %.c,$(BUILD)/%.o,$(COMPILER_SRC) compiler/snnc.c): CPPFLAGS += -I$(GEN) -Icompiler $(HDF5_CFLAGS)
# A build directory made before NIR support has its .deps stamp already:
# the HDF5 users check for libhdf5-dev themselves.
$(BUILD)/.deps-hdf5: tools/deps.sh
	@mkdir -p $(BUILD)
	@tools/deps.sh libhdf5-dev
	@touch $@
$(BUILD)/compiler/nir_file.o $(BUILD)/tests/compiler/test_nir.o: | $(BUILD)/.deps-hdf5
$(patsubst %.c,$(BUILD)/%.o,$(COMPILER_SRC) compiler/snnc.c): | $(GEN)/onnx.pb-c.h

$(CLIB): $(patsubst %.c,$(BUILD)/%.o,$(COMPILER_SRC)) $(GEN)/onnx.pb-c.o
	@rm -f $@
	$(AR) rcs $@ $^

$(SNNC): $(BUILD)/compiler/snnc.o $(CLIB) $(PLOTLIB) $(LIB)
	$(CC) $(LDFLAGS) $^ $(CLIBS) $(LDLIBS) -o $@

$(LIB): $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC) $(SIMLIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

# snnsim's raster and snnc's report charts are drawn with cairo (text, lines,
# PNG, SVG: plot/); its own stamp, so that trees built before it install the
# package without a rebuild.
DEB_PLOT := libcairo2-dev libfontconfig-dev fonts-dejavu-core
CAIRO_CFLAGS = $(shell pkg-config --cflags cairo fontconfig 2>/dev/null)
CAIRO_LIBS = $(or $(shell pkg-config --libs cairo fontconfig 2>/dev/null),-lcairo -lfontconfig)
$(BUILD)/.deps-plot: tools/deps.sh
	@mkdir -p $(BUILD)
	@tools/deps.sh $(DEB_PLOT)
	@touch $@
PLOT_USERS := $(BUILD)/sim/raster.o $(BUILD)/sim/recon.o $(BUILD)/compiler/report.o $(BUILD)/compiler/report_plots.o \
	      $(BUILD)/tests/plot/test_plot.o $(BUILD)/tests/compiler/test_report_plots.o
$(patsubst %.c,$(BUILD)/%.o,$(PLOT_SRC)) $(PLOT_USERS): CPPFLAGS += -Iplot $(CAIRO_CFLAGS)
$(patsubst %.c,$(BUILD)/%.o,$(PLOT_SRC)) $(PLOT_USERS): | $(BUILD)/.deps-plot
$(PLOTLIB): $(patsubst %.c,$(BUILD)/%.o,$(PLOT_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

# snnsim runs the golden simulator and, with --rtl or --cosim, the
# Verilated core array (rtl/mk/array.mk), so it links as C++.
$(SNNSIM): $(BUILD)/sim/snnsim.o $(BUILD)/sim/raster.o $(BUILD)/sim/recon.o $(BUILD)/sim/engine.o $(BUILD)/sim/regress.o $(RTL_ARRAY_LINK) $(PLOTLIB) $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(CAIRO_LIBS) $(LDLIBS) $(RTL_ARRAY_LDLIBS) -o $@

# The host driver (driver/, include/snnhost.h, docs/snnhost.md): libsnnhost
# on libusb-1.0, and snnhost, which also links the Verilated RTL for
# --device sim (so it links as C++; the library itself does not).
DEB_HOST := libusb-1.0-0-dev pkg-config umockdev libumockdev-dev man-db
HOST_SRC := driver/snnhost.c driver/session.c driver/error.c driver/local_link.c \
	    driver/transport_golden.c driver/usb.c driver/usb_ftdi.c driver/usb_bulk.c
HOSTLIB := $(BUILD)/libsnnhost.a
SNNHOST := $(BUILD)/snnhost
USB_CFLAGS := -I/usr/include/libusb-1.0
USB_LIBS := -lusb-1.0
# transport_sim and both RTL devices; one Verilator runtime (the tracing one).
HOST_SIM_LINK := $(BUILD)/driver/transport_sim.o $(RTL_ARRAY_LINK) \
		 $(filter-out $(RTL_BUILD)/libverilated.a,$(RTL_DEV_LINK))

$(BUILD)/.deps-host: tools/deps.sh
	@mkdir -p $(BUILD)
	@tools/deps.sh $(DEB_HOST)
	@touch $@

$(BUILD)/driver/%.o $(BUILD)/tests/driver/%.o: CPPFLAGS += -Idriver $(USB_CFLAGS)
# Listed by name: a pattern rule with no recipe adds no prerequisite, so
# `$(BUILD)/driver/%.o: | ...` let -j builds compile before libusb was installed.
$(patsubst %.c,$(BUILD)/%.o,$(wildcard driver/*.c tests/driver/*.c)): | $(BUILD)/.deps-host

$(HOSTLIB): $(patsubst %.c,$(BUILD)/%.o,$(HOST_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(SNNHOST): $(BUILD)/driver/snnhost_main.o $(HOST_SIM_LINK) $(HOSTLIB) $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(USB_LIBS) $(LDLIBS) $(RTL_ARRAY_LDLIBS) -o $@

# `make install` (PREFIX, DESTDIR): the programs, the libraries libsnn and
# libsnnhost (static; libsnnhost has the golden and USB devices, the sim
# device stays in the snnhost program, which links the Verilated RTL), the
# headers, man pages, the udev rules and snnhost.pc for pkg-config.
PREFIX ?= /usr/local
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
MANDIR = $(PREFIX)/share/man
UDEVRULESDIR = $(PREFIX)/lib/udev/rules.d
MAN_PAGES := $(wildcard man/*.1)

.PHONY: install
install: $(SNNC) $(SNNSIM) $(SNNHOST) $(LIB) $(HOSTLIB)
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
		'Name: snnhost' 'Description: host library of the snn accelerator (docs/snnhost.md)' \
		'Version: 0.1' 'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -lsnnhost -lsnn -lusb-1.0 -lz -lm' > $(BUILD)/snnhost.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/snn \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UDEVRULESDIR)
	install -m 755 $(SNNC) $(SNNSIM) $(SNNHOST) $(DESTDIR)$(BINDIR)
	install -m 644 $(LIB) $(HOSTLIB) $(DESTDIR)$(LIBDIR)
	install -m 644 $(BUILD)/snnhost.pc $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 include/snnhost.h $(DESTDIR)$(INCLUDEDIR)
	install -m 644 include/snn/*.h $(DESTDIR)$(INCLUDEDIR)/snn
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1
	install -m 644 driver/udev/60-snnhost.rules $(DESTDIR)$(UDEVRULESDIR)

# Each test is one program; support files are the non-test_ sources beside it.
.SECONDEXPANSION:
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/tests/harness.o \
		$$(addprefix $(BUILD)/,$$(subst .c,.o,$$(filter-out $$(wildcard $$(dir tests/$$*)test_*.c),$$(wildcard $$(dir tests/$$*)*.c)))) $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The plot module's test reads its PNGs back with the CLI tests' reader.
$(BUILD)/tests/plot/test_plot: $(BUILD)/tests/plot/test_plot.o $(BUILD)/tests/harness.o \
		$(BUILD)/tests/cli/png_facts.o $(PLOTLIB) $(LIB)
	$(CC) $(LDFLAGS) $^ $(CAIRO_LIBS) $(LDLIBS) -o $@

# Driver tests link the host library and the RTL (for --device sim).
$(BUILD)/tests/driver/%: $(BUILD)/tests/driver/%.o $(BUILD)/tests/harness.o \
		$$(addprefix $(BUILD)/,$$(subst .c,.o,$$(filter-out $$(wildcard tests/driver/test_*.c),$$(wildcard tests/driver/*.c)))) \
		$(BUILD)/tests/cli/run_cmd.o $(HOST_SIM_LINK) $(HOSTLIB) $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(USB_LIBS) $(LDLIBS) $(RTL_ARRAY_LDLIBS) -o $@

# The USB test answers libusb's usbdevfs ioctls through umockdev (GLib).
UMOCKDEV_CFLAGS = $(shell pkg-config --cflags umockdev-1.0 2>/dev/null)
UMOCKDEV_LIBS = $(shell pkg-config --libs umockdev-1.0 gobject-2.0 glib-2.0 2>/dev/null)
$(BUILD)/tests/driver/test_usb_umockdev.o: CPPFLAGS += $(UMOCKDEV_CFLAGS)
$(BUILD)/tests/driver/test_usb_umockdev: LDLIBS += $(UMOCKDEV_LIBS)

# Step 3's program for a time step (rtl/fw/step.c) on the host, over
# tests/fw's model of the accelerators, against the golden model.
$(BUILD)/tests/fw/%.o $(BUILD)/rtl/fw/step.o: CPPFLAGS += -Irtl/fw
$(BUILD)/tests/fw/test_fw_step: $(BUILD)/tests/fw/test_fw_step.o $(BUILD)/tests/harness.o \
		$(BUILD)/tests/fw/step_model.o $(BUILD)/rtl/fw/step.o $(BUILD)/tests/sim/random_net.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Compiler tests see the compiler's headers and link its library.
$(BUILD)/tests/compiler/%.o: CPPFLAGS += -I$(GEN) -Icompiler $(HDF5_CFLAGS)
$(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/compiler/*.c)): | $(GEN)/onnx.pb-c.h
$(BUILD)/tests/compiler/%: $(BUILD)/tests/compiler/%.o $(BUILD)/tests/harness.o \
		$$(addprefix $(BUILD)/,$$(subst .c,.o,$$(filter-out $$(wildcard tests/compiler/test_*.c),$$(wildcard tests/compiler/*.c)))) \
		$(BUILD)/tests/cli/run_cmd.o $(BUILD)/tests/cli/png_facts.o $(CLIB) $(PLOTLIB) $(LIB)
	$(CC) $(LDFLAGS) $^ $(CLIBS) $(LDLIBS) -o $@

# The demo: snnc compiles the bundled batch-normalised CNN (trained on
# Fashion-MNIST, models/train.py) with calibration images, and snnsim runs it
# on real test images beside the float network's own accuracy; then snnhost
# loads and runs it over the host link, on the golden device and on the
# Verilated RTL (--device sim), as it would on a board.
FASHION := /usr/share/datasets/fashion-mnist
DEMO_MODEL := models/fixtures/fashion_bn.onnx
DEMO_CFG := $(BUILD)/demo/fashion_bn.cfg
DEMO_IMAGES := 2000
demo: $(SNNSIM) $(SNNC) $(SNNHOST) $(FASHION)/t10k-images-idx3-ubyte.gz
	@mkdir -p $(BUILD)/demo
	$(SNNC) $(DEMO_MODEL) -o $(DEMO_CFG) --calib $(FASHION)/train-images-idx3-ubyte.gz -T 32 -v
	$(SNNC) eval $(DEMO_MODEL) --images $(FASHION)/t10k-images-idx3-ubyte.gz \
		--labels $(FASHION)/t10k-labels-idx1-ubyte.gz --limit $(DEMO_IMAGES)
	$(SNNSIM) $(DEMO_CFG) --images $(FASHION)/t10k-images-idx3-ubyte.gz \
		--labels $(FASHION)/t10k-labels-idx1-ubyte.gz --limit $(DEMO_IMAGES) \
		--raster $(BUILD)/demo/raster.csv --raster-png $(BUILD)/demo/raster.png
	@echo "demo: the first test image again, on the Verilated RTL in lock step with the golden model"
	$(SNNSIM) $(DEMO_CFG) --images $(FASHION)/t10k-images-idx3-ubyte.gz \
		--labels $(FASHION)/t10k-labels-idx1-ubyte.gz --limit 1 --cosim -q
	@echo "demo: spike raster of test image 0 in $(BUILD)/demo/raster.png"
	@echo "demo: the same images through the host link, loaded and run by snnhost on the golden device"
	$(SNNHOST) run --device golden --config $(DEMO_CFG) --images $(FASHION)/t10k-images-idx3-ubyte.gz \
		--labels $(FASHION)/t10k-labels-idx1-ubyte.gz --limit $(DEMO_IMAGES)
	@echo "demo: and the first one on the Verilated RTL behind the same protocol bytes"
	@echo "demo: (on a board: snnhost run --device usb0, with a model compiled for it: README)"
	$(SNNHOST) run --device sim --config $(DEMO_CFG) --images $(FASHION)/t10k-images-idx3-ubyte.gz \
		--labels $(FASHION)/t10k-labels-idx1-ubyte.gz --limit 1

$(FASHION)/%: ; @tools/deps.sh dataset-fashion-mnist

BUILT := $(SNNSIM) $(SNNC) $(SNNHOST) $(TEST_BIN) $(RTL_TEST_BIN)
all: $(BUILT)
test: $(BUILT)
	@BUILD=$(BUILD) tests/run.sh
	@# the iCEBreaker board flow end to end (Yosys, nextpnr, icepack: seconds)
	@$(MAKE) --no-print-directory rtl-fit

# A sanitizer report (a leak, undefined behaviour) exits with its own status,
# not 1: the CLI tests expect 1 from every refused input, so a leak on an
# error path would otherwise pass as the expected error.
SAN_EXIT := 86
test-asan:
	ASAN_OPTIONS=exitcode=$(SAN_EXIT):detect_leaks=1 LSAN_OPTIONS=exitcode=$(SAN_EXIT) \
	UBSAN_OPTIONS=exitcode=$(SAN_EXIT):print_stacktrace=1 \
		$(MAKE) BUILD=build-asan SAN=1 OPT=-O1 test

# test-long also holds snnc convert's ONNX-SNN to the onnx package's checker
# and its ANN meaning (NumPy, models/check_onnx_snn.py) to PyTorch's logits,
# every fixture's data-free default to its ANN on the whole test
# split (so it needs the data), and fuzzes every reader of hostile input briefly.
test-long: $(SNNSIM) $(SNNC) $(TEST_BIN) $(RTL_TEST_BIN)
	@tools/deps.sh python3-onnx dataset-fashion-mnist $(DEB_FUZZ)
	@BUILD=$(BUILD) models/get_data.sh
	@models/check_onnx_snn.sh $(BUILD)
	@tests/fuzz.sh 10
	@BUILD=$(BUILD) SNN_TEST_LONG=1 tests/run.sh
	@$(MAKE) --no-print-directory test-nir

# libFuzzer on the ONNX loader, the image and IDX readers and the frame
# decoder (tests/fuzz.sh), FUZZ_SECONDS each.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz: $(SNNC)
	@tools/deps.sh $(DEB_FUZZ)
	@tests/fuzz.sh $(FUZZ_SECONDS)

bench: $(SNNSIM) $(BUILD)/bench/sim_bench
	@tools/deps.sh $(DEB_BENCH)
	bench/sim_bench.sh $(BUILD)

# Host driver throughput (docs/benchmarks.md, "Host driver"): golden in
# process and the emulated FT2232H through libusb and umockdev.
.PHONY: bench-host
bench-host: $(SNNC) $(SNNHOST) $(BUILD)/tests/driver/test_usb_umockdev
	bench/host_bench.sh $(BUILD)

$(BUILD)/bench/sim_bench: $(BUILD)/bench/sim_bench.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bench/export_net: $(BUILD)/bench/export_net.o $(LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Conversion accuracy (docs/benchmarks.md): every fixture's ANN accuracy, its
# SNN accuracy at T = 1..128, and the Nengo baseline with the same weights.
# Nengo comes from PyPI, pinned by hash, into a venv that sees Debian's numpy
# and onnx. JOBS=1 runs one job at a time (default 2).
DEB_ACCURACY := python3-venv python3-onnx python3-numpy dataset-fashion-mnist
ACC_VENV := $(BUILD)/venv
.PHONY: bench-accuracy
bench-accuracy: $(SNNSIM) $(SNNC)
	@tools/deps.sh $(DEB_ACCURACY)
	@BUILD=$(BUILD) models/get_data.sh
	@[ -x $(ACC_VENV)/bin/python ] || /usr/bin/python3 -m venv --system-site-packages $(ACC_VENV)
	@$(ACC_VENV)/bin/python -c 'import nengo' 2>/dev/null || \
		$(ACC_VENV)/bin/pip install --require-hashes -r bench/requirements-nengo.txt
	bench/accuracy.sh $(BUILD)

# The golden simulator beside its peers on the fixtures (docs/benchmarks.md,
# "Peers on the fixtures"): snnTorch, sinabs, Nengo (PyPI, pinned by hash,
# --no-deps, into a venv that sees Debian's torch) and a hand-written PyTorch
# reference, with the same weights, thresholds and input spike trains.
# PEERS_ARGS passes options to bench/peers.py (e.g. --models lenet5 --images 100).
DEB_PEERS := python3-venv python3-torch python3-onnx python3-numpy python3-h5py \
	python3-matplotlib dataset-fashion-mnist
PEERS_VENV := $(BUILD)/bench-venv
PEERS_ARGS ?=
$(PEERS_VENV)/.installed: bench/requirements-peers.txt
	@tools/deps.sh $(DEB_PEERS)
	@[ -x $(PEERS_VENV)/bin/python ] || /usr/bin/python3 -m venv --system-site-packages $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install --no-deps --require-hashes -r bench/requirements-peers.txt
	@touch $@
.PHONY: bench-peers
bench-peers: $(SNNSIM) $(SNNC) $(BUILD)/bench/export_net $(PEERS_VENV)/.installed
	@BUILD=$(BUILD) models/get_data.sh
	$(PEERS_VENV)/bin/python bench/peers.py $(BUILD) $(PEERS_ARGS)

# NIR (docs/nir.md, "Tests") against nir's own Python reader and writer, and
# the NIR files nir, snnTorch and sinabs write from the mlp fixture's
# weights: they need the peers' venv (PyPI nir 1.0.8, snnTorch, sinabs,
# pinned by hash; a minute to install the first time), so make test runs
# only test_nir's C side and test-long runs this too.
NIR_FIXTURES := $(BUILD)/nir
.PHONY: test-nir
test-nir: $(SNNSIM) $(SNNC) $(BUILD)/tests/compiler/test_nir $(PEERS_VENV)/.installed
	@mkdir -p $(NIR_FIXTURES)
	$(PEERS_VENV)/bin/python models/nir_check.py fixtures $(NIR_FIXTURES)
	SNN_NIR_PYTHON=$(PEERS_VENV)/bin/python SNN_NIR_FIXTURES=$(NIR_FIXTURES) BUILD=$(BUILD) \
		$(BUILD)/tests/compiler/test_nir

# Seed 003's parameter sweeps (docs/benchmarks.md, "Parameter sweeps"): T,
# threshold percentile, weight bits and initial membrane over the Iris
# regressions and mlp128, and mlp128 with LIF neurons over the seed's
# max_rate and tau_rc, plotted to build/sweep/sweep.png (half a minute).
DEB_SWEEP := python3-matplotlib python3-onnx
.PHONY: bench-sweep
bench-sweep: $(SNNSIM) $(SNNC)
	@tools/deps.sh $(DEB_SWEEP)
	/usr/bin/python3 bench/sweep.py $(BUILD)

include models/Makefile.inc

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
