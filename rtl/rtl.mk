# RTL build rules (lint, iCE40 synthesis, Verilator tests), included by the top-level Makefile.
# Targets: rtl-lint, rtl-synth, rtl-test, and the test programs in
# RTL_TEST_BIN. Uses BUILD, LIB, LDFLAGS, LDLIBS and SAN from the Makefile;
# everything it makes goes under $(BUILD)/rtl and $(BUILD)/tests/rtl.
# See docs/rtl.md.

# Including this file must not change the Makefile's default goal.
rtl_saved_goal := $(.DEFAULT_GOAL)

VERILATOR ?= verilator
YOSYS ?= yosys
RTL_CXX ?= g++
RTL_BUILD := $(BUILD)/rtl
RTL_VLT := rtl/snn.vlt
# Evaluated when used, so a Verilator installed by .deps-rtl is found.
VERILATOR_ROOT_DIR = $(or $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null),/usr/share/verilator)

# Debian packages the RTL tests need (rtl-synth adds yosys when run).
DEB_RTL := verilator g++

# snn_neuron parameter sets, m<MEMBRANE_BITS>_b<BIAS_BITS>: the smallest and
# largest membrane the format allows, the up5k and sim profiles
# (docs/geometry.md), and a plain 16-bit one. Each is linted and Verilated
# into test_rtl_neuron.
RTL_NEURON_SETS := m8_b8 m16_b16 m20_b16 m24_b24 m31_b31
rtl_m = $(patsubst m%,%,$(word 1,$(subst _, ,$(1))))
rtl_b = $(patsubst b%,%,$(word 2,$(subst _, ,$(1))))

RTL_FRAME_SRC := rtl/snn_crc32.v rtl/snn_ram_sdp.v rtl/snn_ram_sdp_be.v \
		 rtl/snn_frame_rx.v rtl/snn_frame_rx_stream.v rtl/snn_frame_tx.v

RTL_TEST_BIN := $(BUILD)/tests/rtl/test_rtl_neuron $(BUILD)/tests/rtl/test_rtl_crc32 \
		$(BUILD)/tests/rtl/test_rtl_frame

# Verilator runs with -Wall here too, so a test never runs unlinted RTL.
RTL_VFLAGS := --cc -Wall -O3 --x-assign unique --x-initial unique
# The generated makefile compiles each model; MAKEFLAGS is cleared so the
# project's command-line variables (OPT, SAN, ...) do not leak into it.
RTL_MODEL_MAKE := MAKEFLAGS= $(MAKE) --no-print-directory OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2
# -isystem: Verilator's own headers are not held to our -Werror.
RTL_VL_INC = -isystem $(VERILATOR_ROOT_DIR)/include -isystem $(VERILATOR_ROOT_DIR)/include/vltstd
rtl_vm_defs = -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=$(1) -DVM_TRACE_FST=0 -DVM_TRACE_VCD=$(1)
RTL_CXXFLAGS := -std=gnu++17 -O2 -g -Wall -Wextra -Werror -faligned-new
ifneq ($(SAN),)
RTL_CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# RTL_TRACE=1 builds the frame test's model with VCD tracing, into its own
# directories; run the test with +trace to write test_rtl_frame.vcd.
RTL_TRACE ?= 0
rtl_tr := $(if $(filter 1,$(RTL_TRACE)),_trace)
RTL_TB := $(RTL_BUILD)/Vsnn_tb_frame$(rtl_tr)

# Rewritten only when RTL_TRACE changes, so the frame test is rebuilt then.
$(RTL_BUILD)/trace.cfg: rtl-force
	@mkdir -p $(dir $@)
	@echo $(RTL_TRACE) | cmp -s - $@ || echo $(RTL_TRACE) > $@
.PHONY: rtl-force

.PHONY: rtl-lint rtl-synth rtl-test
rtl-test: $(RTL_TEST_BIN)
	@for t in $(RTL_TEST_BIN); do $$t || exit 1; done

$(BUILD)/.deps-rtl: tools/deps.sh
	@mkdir -p $(BUILD)
	@tools/deps.sh $(DEB_RTL)
	@touch $@

# ---- lint: every module, every parameter set ---------------------------------

rtl-lint: $(BUILD)/.deps-rtl
	@set -e; for s in $(RTL_NEURON_SETS); do \
		m=$${s%_*}; b=$${s#*_}; \
		echo "lint snn_neuron MEMBRANE_BITS=$${m#m} BIAS_BITS=$${b#b}"; \
		$(VERILATOR) --lint-only -Wall --top-module snn_neuron \
			-GMEMBRANE_BITS=$${m#m} -GBIAS_BITS=$${b#b} $(RTL_VLT) rtl/snn_neuron.v; \
	done
	@set -e; for t in snn_crc32 snn_ram_sdp snn_frame_rx snn_frame_rx_stream snn_frame_tx; do \
		echo "lint $$t"; \
		$(VERILATOR) --lint-only -Wall --top-module $$t $(RTL_VLT) $(RTL_FRAME_SRC); \
	done
	@echo "lint snn_tb_frame (tests/rtl)"
	@$(VERILATOR) --lint-only -Wall --top-module snn_tb_frame $(RTL_VLT) $(RTL_FRAME_SRC) \
		tests/rtl/snn_tb_frame.v
	@echo "rtl-lint: clean"

# ---- synthesis for iCE40 -----------------------------------------------------
# Fails on any latch (looked for after proc, before synth_ice40 turns latches
# into LUT loops), on anything `check -assert` finds, and unless the receive
# buffer is two SB_RAM40_4K. Logs and cell counts in $(RTL_BUILD)/synth/.

RTL_SYNTH := $(RTL_BUILD)/synth
rtl_synth = read_verilog -defer $(1); hierarchy -check -top $(2) $(3); proc; \
	    select -assert-none t:$$dlatch t:$$adlatch t:$$dlatchsr t:$$_DLATCH_*; \
	    synth_ice40 -top $(2); check -assert; tee -q -o $(RTL_SYNTH)/$(4).stat stat

rtl-synth: $(BUILD)/.deps-rtl
	@tools/deps.sh yosys
	@mkdir -p $(RTL_SYNTH)
	@set -e; for s in m24_b24 m20_b16; do \
		m=$${s%_*}; b=$${s#*_}; \
		echo "synth snn_neuron MEMBRANE_BITS=$${m#m} BIAS_BITS=$${b#b}"; \
		$(YOSYS) -q -l $(RTL_SYNTH)/snn_neuron_$$s.log -p '$(call rtl_synth,rtl/snn_neuron.v,snn_neuron,-chparam MEMBRANE_BITS '$${m#m}' -chparam BIAS_BITS '$${b#b}',snn_neuron_'$$s')'; \
	done
	@echo "synth snn_frame_rx"
	@$(YOSYS) -q -l $(RTL_SYNTH)/snn_frame_rx.log \
		-p '$(call rtl_synth,$(RTL_FRAME_SRC),snn_frame_rx,,snn_frame_rx); select -assert-count 2 t:SB_RAM40_4K'
	@echo "synth snn_frame_tx"
	@$(YOSYS) -q -l $(RTL_SYNTH)/snn_frame_tx.log \
		-p '$(call rtl_synth,$(RTL_FRAME_SRC),snn_frame_tx,,snn_frame_tx)'
	@for f in $(RTL_SYNTH)/*.stat; do \
		printf '%s:' "$$(basename $$f .stat)"; \
		awk '/Number of cells:/ {printf " %s cells", $$4} \
		     /SB_(LUT4|CARRY|RAM40_4K|MAC16) / {printf ", %s %s", $$2, $$1} \
		     /SB_DFF/ {ff += $$2} END {printf ", %d SB_DFF*\n", ff}' $$f; \
	done
	@echo "rtl-synth: no latches; the snn_frame_rx buffer is 2 x SB_RAM40_4K"

# ---- Verilated models ----------------------------------------------------------

# The Verilator runtime, compiled once for all the models of a program:
# libverilated.a, and libverilated_trace.a with VCD support.
define rtl_runtime
$(RTL_BUILD)/libverilated$(1).a: $(BUILD)/.deps-rtl rtl/rtl.mk
	@mkdir -p $(RTL_BUILD)/rt$(1)
	@set -e; for f in verilated verilated_threads $(if $(1),verilated_vcd_c); do \
		echo "CXX $$(VERILATOR_ROOT_DIR)/include/$$$$f.cpp"; \
		$(RTL_CXX) -std=gnu++17 -O2 -faligned-new $(call rtl_vm_defs,$(if $(1),1,0)) \
			$$(RTL_VL_INC) -c $$(VERILATOR_ROOT_DIR)/include/$$$$f.cpp -o $(RTL_BUILD)/rt$(1)/$$$$f.o; \
	done
	@rm -f $$@
	$(AR) rcs $$@ $(RTL_BUILD)/rt$(1)/*.o
endef
$(eval $(call rtl_runtime,))
$(eval $(call rtl_runtime,_trace))

# One model per neuron parameter set, in $(RTL_BUILD)/Vsnn_neuron_<set>/.
define rtl_neuron_model
$(RTL_BUILD)/Vsnn_neuron_$(1)/Vsnn_neuron_$(1)__ALL.a: rtl/snn_neuron.v $(RTL_VLT) rtl/rtl.mk \
		$(BUILD)/.deps-rtl
	@rm -rf $$(dir $$@) && mkdir -p $$(dir $$@)
	$(VERILATOR) $(RTL_VFLAGS) --Mdir $$(dir $$@) --prefix Vsnn_neuron_$(1) --top-module snn_neuron \
		-GMEMBRANE_BITS=$(call rtl_m,$(1)) -GBIAS_BITS=$(call rtl_b,$(1)) $(RTL_VLT) rtl/snn_neuron.v
	@$(RTL_MODEL_MAKE) -C $$(dir $$@) -f Vsnn_neuron_$(1).mk Vsnn_neuron_$(1)__ALL.a
endef
$(foreach s,$(RTL_NEURON_SETS),$(eval $(call rtl_neuron_model,$(s))))

$(RTL_BUILD)/Vsnn_crc32/Vsnn_crc32__ALL.a: rtl/snn_crc32.v $(RTL_VLT) rtl/rtl.mk $(BUILD)/.deps-rtl
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(VERILATOR) $(RTL_VFLAGS) --Mdir $(dir $@) --prefix Vsnn_crc32 --top-module snn_crc32 \
		$(RTL_VLT) rtl/snn_crc32.v
	@$(RTL_MODEL_MAKE) -C $(dir $@) -f Vsnn_crc32.mk Vsnn_crc32__ALL.a

$(RTL_TB)/Vsnn_tb_frame__ALL.a: $(RTL_FRAME_SRC) tests/rtl/snn_tb_frame.v $(RTL_VLT) rtl/rtl.mk \
		$(BUILD)/.deps-rtl
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(VERILATOR) $(RTL_VFLAGS) $(if $(rtl_tr),--trace) --Mdir $(dir $@) --prefix Vsnn_tb_frame \
		--top-module snn_tb_frame $(RTL_VLT) $(RTL_FRAME_SRC) tests/rtl/snn_tb_frame.v
	@$(RTL_MODEL_MAKE) -C $(dir $@) -f Vsnn_tb_frame.mk Vsnn_tb_frame__ALL.a

# ---- tests -------------------------------------------------------------------

RTL_NEURON_LIBS := $(foreach s,$(RTL_NEURON_SETS),$(RTL_BUILD)/Vsnn_neuron_$(s)/Vsnn_neuron_$(s)__ALL.a)

# The list of neuron models, generated from RTL_NEURON_SETS so the harness
# and the build cannot disagree.
$(RTL_BUILD)/neuron_models.h: rtl/rtl.mk
	@mkdir -p $(dir $@)
	@{ echo '/* Generated by rtl/rtl.mk: the snn_neuron models test_rtl_neuron checks. */'; \
	  $(foreach s,$(RTL_NEURON_SETS),echo '#include "Vsnn_neuron_$(s).h"';) \
	  printf '#define SNN_RTL_NEURON_MODELS(X)'; \
	  $(foreach s,$(RTL_NEURON_SETS),printf ' X(Vsnn_neuron_$(s), $(call rtl_m,$(s)), $(call rtl_b,$(s)))';) \
	  echo; } > $@

$(BUILD)/tests/rtl/test_rtl_neuron.o: tests/rtl/test_rtl_neuron.cpp $(RTL_BUILD)/neuron_models.h \
		$(RTL_NEURON_LIBS)
	@mkdir -p $(dir $@)
	$(RTL_CXX) $(RTL_CXXFLAGS) $(call rtl_vm_defs,0) -Iinclude -Itests -I$(RTL_BUILD) $(RTL_VL_INC) \
		$(foreach s,$(RTL_NEURON_SETS),-I$(RTL_BUILD)/Vsnn_neuron_$(s)) -MMD -MP -c $< -o $@

$(BUILD)/tests/rtl/test_rtl_neuron: $(BUILD)/tests/rtl/test_rtl_neuron.o $(RTL_NEURON_LIBS) \
		$(RTL_BUILD)/libverilated.a $(BUILD)/tests/harness.o
	$(RTL_CXX) $(LDFLAGS) $^ -pthread -latomic -o $@

# snn_crc32 against zlib's crc32().
$(BUILD)/tests/rtl/test_rtl_crc32.o: tests/rtl/test_rtl_crc32.cpp $(RTL_BUILD)/Vsnn_crc32/Vsnn_crc32__ALL.a
	@mkdir -p $(dir $@)
	$(RTL_CXX) $(RTL_CXXFLAGS) $(call rtl_vm_defs,0) -Itests $(RTL_VL_INC) \
		-I$(RTL_BUILD)/Vsnn_crc32 -MMD -MP -c $< -o $@

$(BUILD)/tests/rtl/test_rtl_crc32: $(BUILD)/tests/rtl/test_rtl_crc32.o \
		$(RTL_BUILD)/Vsnn_crc32/Vsnn_crc32__ALL.a $(RTL_BUILD)/libverilated.a $(BUILD)/tests/harness.o
	$(RTL_CXX) $(LDFLAGS) $^ -lz -pthread -latomic -o $@

$(BUILD)/tests/rtl/test_rtl_frame.o: tests/rtl/test_rtl_frame.cpp $(RTL_TB)/Vsnn_tb_frame__ALL.a \
		$(RTL_BUILD)/trace.cfg
	@mkdir -p $(dir $@)
	$(RTL_CXX) $(RTL_CXXFLAGS) $(call rtl_vm_defs,$(if $(rtl_tr),1,0)) -Iinclude -Itests \
		$(RTL_VL_INC) -I$(RTL_TB) -MMD -MP -c $< -o $@

$(BUILD)/tests/rtl/test_rtl_frame: $(BUILD)/tests/rtl/test_rtl_frame.o $(RTL_TB)/Vsnn_tb_frame__ALL.a \
		$(RTL_BUILD)/libverilated$(rtl_tr).a $(BUILD)/tests/harness.o $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(LDLIBS) -pthread -latomic -o $@

# Rules for the array, its co-simulation and the command layer, one file each.
include $(sort $(wildcard rtl/mk/*.mk))

.DEFAULT_GOAL := $(rtl_saved_goal)
