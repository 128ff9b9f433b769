# The core array (rtl/snn_array.v): lint per parameter set, Verilated models,
# the C API around them (sim/rtl_model.cpp, sim/rtl.c), the co-simulation
# test, and what snnsim links for --rtl and --cosim. Included by rtl/rtl.mk.

RTL_ARRAY_SRC := rtl/snn_array.v rtl/snn_core.v rtl/snn_route_scan.v rtl/snn_divu.v \
		 rtl/snn_fifo.v rtl/snn_ram_sdp.v rtl/snn_neuron.v

# Parameter sets, name:N_CORES:NEURONS:AXONS:SYN_WORDS:WEIGHT_BITS:
# MEMBRANE_BITS:BIAS_BITS:ROUTES:INPUT_ROUTES:MAX_PHASES.
# small and wide are the two geometries of the random networks
# (tests/sim/random_net.h); sim8 has the arithmetic and per-core sizes of
# the sim profile with 8 cores, enough for every compiled fixture but cnn
# (Verilator simulates every core every cycle: fewer cores run faster).
RTL_ARRAY_SETS := small:16:256:256:8192:8:16:12:8:8:8 \
		  wide:16:256:256:8192:16:31:31:8:8:8 \
		  sim8:8:16384:16384:262144:16:24:24:64:256:32
rtl_set_name = $(word 1,$(subst :, ,$(1)))
rtl_set_arg = $(word $(2),$(subst :, ,$(1)))
RTL_ARRAY_PARAMS := N_CORES NEURONS AXONS SYN_WORDS WEIGHT_BITS MEMBRANE_BITS BIAS_BITS \
		    ROUTES INPUT_ROUTES MAX_PHASES
# -GNAME=value for every parameter of a set
rtl_set_g = $(foreach i,2 3 4 5 6 7 8 9 10 11,-G$(word $(shell expr $(i) - 1),$(RTL_ARRAY_PARAMS))=$(call rtl_set_arg,$(1),$(i)))
RTL_ARRAY_NAMES := $(foreach s,$(RTL_ARRAY_SETS),$(call rtl_set_name,$(s)))

# The time-multiplexed engine (rtl/snn_engine.v) behind the same C API, for
# geometries with shared budgets: name and the 16 geometry fields
# (docs/geometry.md). tm is random_net_small_geo with budgets (every core's
# per-core maxima plus 8 pool bytes a neuron, 8 lanes, 24-bit accumulators)
# and 512 neurons a core, so that a random conv core's accumulators as tap
# lines (up to 16/9 of its 256 neurons, docs/geometry.md) fit; icebreaker
# and ulx3s are the board profiles (lib/geometry.c), so that images compiled
# for the boards co-simulate on the engine they are built as. tmsd is tm
# with its pool 20 % larger (24,576 lines, so the geometry tells it apart)
# and all but its first 64 lines in SDRAM (RTL_ENGINE_SDRAM): the random
# networks' weights and state behind the line port, which sim/rtl_model.cpp
# answers after random delays.
RTL_ENGINE_SRC := rtl/snn_engine.v rtl/snn_counters.v rtl/snn_spram_pool.v rtl/snn_ram_be.v \
		  rtl/snn_ram_sdp.v rtl/snn_divu.v rtl/snn_neuron_pipe.v
RTL_ENGINE_SETS := tm:16:512:256:8192:8:16:12:8:8:8:4096:163840:128:8:8:24 \
		   tmsd:16:512:256:8192:8:16:12:8:8:8:4096:196608:128:8:8:24 \
		   icebreaker:16:2048:1024:115712:8:20:16:8:8:16:8192:115712:64:8:8:20 \
		   ulx3s:32:16384:4096:327680:8:20:16:16:16:32:262144:2097152:256:8:8:24
RTL_ENGINE_NAMES := $(foreach s,$(RTL_ENGINE_SETS),$(call rtl_set_name,$(s)))
# -G for the parameters: the ten per-core fields, the totals, the accumulator;
# the pool as the SPRAM (whose output is undefined after a write)
rtl_engine_g = $(call rtl_set_g,$(1)) -GNEURON_TOTAL=$(call rtl_set_arg,$(1),12) \
	-GSYN_TOTAL=$(call rtl_set_arg,$(1),13) -GROUTE_TOTAL=$(call rtl_set_arg,$(1),14) \
	-GACC_BITS=$(call rtl_set_arg,$(1),17) -GPOOL_SPRAM=1 \
	-GWATCHDOG_BITS=$(if $(filter $(RTL_ENGINE_LONG_STEPS),$(call rtl_set_name,$(1))),$(RTL_ENGINE_LONG_WATCHDOG_BITS),$(RTL_ENGINE_WATCHDOG_BITS)) \
	-GDECONV=$(if $(filter $(RTL_ENGINE_NO_DECONV),$(call rtl_set_name,$(1))),0,1) \
	$(if $(filter $(RTL_ENGINE_NO_DIVIDER),$(call rtl_set_name,$(1))),-GSTRIDE_ANY=0 -GPOOL_ANY=0) \
	-GCHAN_BIAS=$(if $(filter $(RTL_ENGINE_NO_CHAN_BIAS),$(call rtl_set_name,$(1))),0,1) \
	$(patsubst $(call rtl_set_name,$(1)):%,-GPOOL_SDRAM_LINES=%,$(filter $(call rtl_set_name,$(1)):%,$(RTL_ENGINE_SDRAM))) \
	$(patsubst $(call rtl_set_name,$(1)):%,-GPOOL_CPU_LINES=%,$(filter $(call rtl_set_name,$(1)):%,$(RTL_ENGINE_CPU)))
# The models' step watchdog: 2^20 cycles, well above any step of the tests'
# valid networks, so that test_rtl_engine's hostile configurations finish soon.
RTL_ENGINE_WATCHDOG_BITS := 20
# The ulx3s model runs compiled networks whose steps take longer: the
# Fashion-MNIST BN CNN's conv layers about 1.1 million cycles a step.
RTL_ENGINE_LONG_STEPS := ulx3s
RTL_ENGINE_LONG_WATCHDOG_BITS := 24
# Models with pool lines in SDRAM, name:POOL_SDRAM_LINES (snn_engine's line
# port; the others have none)
RTL_ENGINE_SDRAM := tmsd:24512
# The model with the control processor's lines above the pool, as the
# iCEBreaker's DEVICE = 3 builds it (name:POOL_CPU_LINES: its 15 KiB of the
# SPRAM); sim/rtl_model.cpp makes random accesses there, holding the engine
RTL_ENGINE_CPU := icebreaker:1920
# Models built without the deconv mode, as their board (lib/geometry.c's
# profile modes): the iCEBreaker's has no room for it.
RTL_ENGINE_NO_DECONV := icebreaker
# ... and without strides above 1 and pools other than 1 and 2 (no divider;
# lib/geometry.c's SNN_FEAT_STRIDE, SNN_FEAT_POOL)
RTL_ENGINE_NO_DIVIDER := icebreaker
# ... and without channel biases (a bias a neuron for every core:
# lib/geometry.c's SNN_FEAT_CHAN_BIAS, docs/geometry.md "Channel biases")
RTL_ENGINE_NO_CHAN_BIAS := icebreaker

define rtl_engine_model
$(RTL_BUILD)/Vsnn_engine_$(1)/Vsnn_engine_$(1)__ALL.a: $(RTL_ENGINE_SRC) $(RTL_VLT) rtl/mk/array.mk \
		$(BUILD)/.deps-rtl
	@rm -rf $$(dir $$@) && mkdir -p $$(dir $$@)
	$(VERILATOR) $(RTL_VFLAGS) --trace --Mdir $$(dir $$@) --prefix Vsnn_engine_$(1) \
		--top-module snn_engine $(2) $(RTL_VLT) $(RTL_ENGINE_SRC)
	@$(RTL_MODEL_MAKE) -C $$(dir $$@) -f Vsnn_engine_$(1).mk Vsnn_engine_$(1)__ALL.a
endef
$(foreach s,$(RTL_ENGINE_SETS),$(eval $(call rtl_engine_model,$(call rtl_set_name,$(s)),$(call rtl_engine_g,$(s)))))
RTL_ENGINE_LIBS := $(foreach n,$(RTL_ENGINE_NAMES),$(RTL_BUILD)/Vsnn_engine_$(n)/Vsnn_engine_$(n)__ALL.a)

rtl-lint: rtl-lint-snn-engine
.PHONY: rtl-lint-snn-engine
rtl-lint-snn-engine: $(BUILD)/.deps-rtl
	@set -e; $(foreach s,$(RTL_ENGINE_SETS),echo "lint snn_engine $(call rtl_set_name,$(s))"; \
		$(VERILATOR) --lint-only -Wall --top-module snn_engine $(call rtl_engine_g,$(s)) \
			$(RTL_VLT) $(RTL_ENGINE_SRC);)
	@echo "lint snn_engine icebreaker, the pool in block RAM"
	@$(VERILATOR) --lint-only -Wall --top-module snn_engine \
		$(call rtl_engine_g,$(lastword $(RTL_ENGINE_SETS))) -GPOOL_SPRAM=0 $(RTL_VLT) $(RTL_ENGINE_SRC)

rtl-lint: rtl-lint-array
.PHONY: rtl-lint-array
# Lint also covers the up5k profile (8 cores), which is not Verilated.
RTL_LINT_SETS := $(RTL_ARRAY_SETS) up5k:8:256:1024:16384:8:20:16:8:16:8
rtl-lint-array: $(BUILD)/.deps-rtl
	@set -e; $(foreach s,$(RTL_LINT_SETS),echo "lint snn_array $(call rtl_set_name,$(s))"; \
		$(VERILATOR) --lint-only -Wall --top-module snn_array $(call rtl_set_g,$(s)) \
			$(RTL_VLT) $(RTL_ARRAY_SRC);)

# One model per set, with VCD tracing compiled in (dumped only when asked).
define rtl_array_model
$(RTL_BUILD)/Vsnn_array_$(1)/Vsnn_array_$(1)__ALL.a: $(RTL_ARRAY_SRC) $(RTL_VLT) rtl/mk/array.mk \
		$(BUILD)/.deps-rtl
	@rm -rf $$(dir $$@) && mkdir -p $$(dir $$@)
	$(VERILATOR) $(RTL_VFLAGS) --trace --Mdir $$(dir $$@) --prefix Vsnn_array_$(1) \
		--top-module snn_array $(2) $(RTL_VLT) $(RTL_ARRAY_SRC)
	@$(RTL_MODEL_MAKE) -C $$(dir $$@) -f Vsnn_array_$(1).mk Vsnn_array_$(1)__ALL.a
endef
$(foreach s,$(RTL_ARRAY_SETS),$(eval $(call rtl_array_model,$(call rtl_set_name,$(s)),$(call rtl_set_g,$(s)))))

RTL_ARRAY_LIBS := $(foreach n,$(RTL_ARRAY_NAMES),$(RTL_BUILD)/Vsnn_array_$(n)/Vsnn_array_$(n)__ALL.a) \
		  $(RTL_ENGINE_LIBS)

# The list of models for sim/rtl_model.cpp, generated from RTL_ARRAY_SETS.
$(RTL_BUILD)/rtl_models.h: rtl/mk/array.mk
	@mkdir -p $(dir $@)
	@{ echo '/* Generated by rtl/mk/array.mk: the snn_array models built in. */'; \
	  $(foreach n,$(RTL_ARRAY_NAMES),echo '#include "Vsnn_array_$(n).h"';) \
	  $(foreach n,$(RTL_ENGINE_NAMES),echo '#include "Vsnn_engine_$(n).h"';) \
	  printf '#define SNN_RTL_MODELS(X)'; \
	  $(foreach s,$(RTL_ARRAY_SETS),printf ' X(Vsnn_array_$(call rtl_set_name,$(s)), "$(call rtl_set_name,$(s))", $(subst :,$(comma) ,$(patsubst $(call rtl_set_name,$(s)):%,%,$(s))), 0, 0, 0, 0, 0, 0)';) \
	  $(foreach s,$(RTL_ENGINE_SETS),printf ' X(Vsnn_engine_$(call rtl_set_name,$(s)), "engine-$(call rtl_set_name,$(s))", $(subst :,$(comma) ,$(patsubst $(call rtl_set_name,$(s)):%,%,$(s))))';) \
	  echo; } > $@
comma := ,

$(BUILD)/sim/rtl_model.o: sim/rtl_model.cpp sim/rtl_model.h $(RTL_BUILD)/rtl_models.h $(RTL_ARRAY_LIBS)
	@mkdir -p $(dir $@)
	$(RTL_CXX) $(RTL_CXXFLAGS) $(call rtl_vm_defs,1) -Iinclude -Isim -I$(RTL_BUILD) $(RTL_VL_INC) \
		-DSNN_RTL_CPU_MODEL='"engine-$(word 1,$(subst :, ,$(RTL_ENGINE_CPU)))"' \
		-DSNN_RTL_CPU_LINES=$(word 2,$(subst :, ,$(RTL_ENGINE_CPU))) \
		$(foreach n,$(RTL_ARRAY_NAMES),-I$(RTL_BUILD)/Vsnn_array_$(n)) \
		$(foreach n,$(RTL_ENGINE_NAMES),-I$(RTL_BUILD)/Vsnn_engine_$(n)) -MMD -MP -c $< -o $@

$(BUILD)/sim/rtl.o $(BUILD)/sim/cosim.o: CPPFLAGS += -Isim

# Everything a C program adds to link the RTL: link with $(RTL_CXX).
RTL_ARRAY_LINK := $(BUILD)/sim/rtl.o $(BUILD)/sim/cosim.o $(BUILD)/sim/rtl_model.o $(RTL_ARRAY_LIBS) \
		  $(RTL_BUILD)/libverilated_trace.a
RTL_ARRAY_LDLIBS := -pthread -latomic

# The co-simulation test: random networks and compiled fixtures, RTL
# against the golden simulator.
RTL_TEST_BIN += $(BUILD)/tests/rtl/test_rtl_array
$(BUILD)/tests/rtl/test_rtl_array.o: CPPFLAGS += -Isim
$(BUILD)/tests/rtl/test_rtl_array: $(BUILD)/tests/rtl/test_rtl_array.o $(BUILD)/tests/harness.o \
		$(BUILD)/tests/sim/random_net.o $(BUILD)/tests/rtl/cosim_feed.o $(RTL_ARRAY_LINK) $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(LDLIBS) $(RTL_ARRAY_LDLIBS) -o $@
$(BUILD)/sim/engine.o $(BUILD)/sim/snnsim.o: CPPFLAGS += -Isim

# The RTL benchmark (docs/benchmarks.md): cycles, synaptic operations per
# cycle per core, stalls and Verilator's speed on the compiled fixtures.
.PHONY: bench-rtl
bench-rtl: $(BUILD)/bench/rtl_bench $(SNNC)
	bench/rtl_bench.sh $(BUILD) $(or $(IMAGES),5)
$(BUILD)/bench/rtl_bench: $(BUILD)/bench/rtl_bench.o $(RTL_ARRAY_LINK) $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(LDLIBS) $(RTL_ARRAY_LDLIBS) -o $@

# Yosys synth_ice40 of a 2-core array with the up5k profile's arithmetic
# and per-core sizes (about 8 minutes): no latch, memories in EBR.
rtl-synth: rtl-synth-array
.PHONY: rtl-synth-array
RTL_SYNTH_ARRAY_G := -chparam N_CORES 2 -chparam NEURONS 256 -chparam AXONS 1024 \
	-chparam SYN_WORDS 4096 -chparam WEIGHT_BITS 8 -chparam MEMBRANE_BITS 20 \
	-chparam BIAS_BITS 16 -chparam ROUTES 8 -chparam INPUT_ROUTES 16 -chparam MAX_PHASES 8
rtl-synth-array: $(BUILD)/.deps-rtl
	@tools/deps.sh yosys
	@mkdir -p $(RTL_SYNTH)
	@echo "synth snn_array (2 cores, up5k arithmetic)"
	@$(YOSYS) -q -l $(RTL_SYNTH)/snn_array.log \
		-p '$(call rtl_synth,$(RTL_ARRAY_SRC),snn_array,$(RTL_SYNTH_ARRAY_G),snn_array); select -assert-min 1 t:SB_RAM40_4K'
	@awk '/Number of cells:/ {printf "snn_array: %s cells", $$4} \
	     /SB_(LUT4|CARRY|RAM40_4K|MAC16) / {printf ", %s %s", $$2, $$1} \
	     /SB_DFF/ {ff += $$2} END {printf ", %d SB_DFF*\n", ff}' $(RTL_SYNTH)/snn_array.stat

# The engine's co-simulation test: random networks on shared budgets.
RTL_TEST_BIN += $(BUILD)/tests/rtl/test_rtl_engine
$(BUILD)/tests/rtl/test_rtl_engine.o: CPPFLAGS += -Isim
$(BUILD)/tests/rtl/test_rtl_engine: $(BUILD)/tests/rtl/test_rtl_engine.o $(BUILD)/tests/harness.o \
		$(BUILD)/tests/sim/random_net.o $(BUILD)/tests/rtl/cosim_feed.o $(RTL_ARRAY_LINK) $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(LDLIBS) $(RTL_ARRAY_LDLIBS) -o $@

# Yosys synth_ice40 of the engine with the iCEBreaker profile (half a
# minute): how far it is from the UP5K (5,280 logic cells, 30 EBR, 8 DSP,
# 4 SPRAM).
rtl-synth: rtl-synth-engine
.PHONY: rtl-synth-engine
RTL_SYNTH_ENGINE_G := $(subst -G,-chparam ,$(subst =, ,$(call rtl_engine_g,$(lastword $(RTL_ENGINE_SETS)))))
rtl-synth-engine: $(BUILD)/.deps-rtl
	@tools/deps.sh yosys
	@mkdir -p $(RTL_SYNTH)
	@echo "synth snn_engine (icebreaker profile)"
	@$(YOSYS) -q -l $(RTL_SYNTH)/snn_engine.log -p 'read_verilog -lib +/ice40/cells_sim.v; read_verilog $(RTL_ENGINE_SRC); hierarchy -check -top snn_engine $(RTL_SYNTH_ENGINE_G); synth_ice40 -dsp -top snn_engine; tee -q -o $(RTL_SYNTH)/snn_engine.stat stat'
	@awk '/SB_(LUT4|CARRY|RAM40_4K|MAC16|SPRAM256KA) / {printf "%s %s, ", $$2, $$1} \
	     /SB_DFF/ {ff += $$2} END {printf "%d SB_DFF*\n", ff}' $(RTL_SYNTH)/snn_engine.stat
