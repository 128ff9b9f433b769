# Step 3 of docs/rtl.md: the time step as a program over accelerators.
# The accelerators (rtl/snn_line_add.v, snn_sweep.v, snn_spike_scan.v)
# behind rtl/snn_step_io.v; the program (rtl/fw/cmd_layer.c over
# rtl/fw/dev_step.c and rtl/fw/step.c) as cmd_step.flash, which the
# iCEBreaker core's DEVICE = 4 boots as DEVICE = 3 boots cmd_layer.flash;
# the Verilated model ibstep (rtl/mk/uart.mk, build id 2). The device on
# the part: make -C boards/icebreaker DESIGN=step.
# Included by rtl/rtl.mk, after ctrl.mk. See docs/rtl.md, "Step 3's
# accelerators".

RTL_STEP_SRC := rtl/snn_step_io.v rtl/snn_line_add.v rtl/snn_tap_walk.v rtl/snn_route_run.v rtl/snn_sweep.v
RTL_STEP_FLASH := $(RTL_FW_DIR)/cmd_step.flash
# the build id IDENTIFY reports, which a host's image names to reach this
# model beside ibdev (0) and ibhw (1)
RTL_STEP_BUILD_ID := 2

$(RTL_STEP_FLASH): rtl/fw/dev_step.c rtl/fw/step.c rtl/fw/step.h rtl/fw/step_accel.h $(RTL_CMD_FLASH_DEPS) \
		rtl/mk/step.mk
	$(call rtl_cmd_flash,rtl/fw/dev_step.c rtl/fw/step.c,-DFW_BUILD_ID=$(RTL_STEP_BUILD_ID)u)

# ibstep's flash holds it (sim/rtl_device.cpp)
$(BUILD)/sim/rtl_device.o: $(RTL_STEP_FLASH)

# ---- the register block alone, against tests/fw's model ------------------------
# snn_step_io at the iCEBreaker's parameters (boards/icebreaker: LA 14, AA
# 8, membrane 20, bias 16, accumulators 20, 1,024 inputs, NET_LINES =
# SYN_TOTAL / 8 = 14,464), driven through its registers as rtl/fw/step.c
# drives them, beside the C model of the same accelerators that
# test_fw_step runs the program over (tests/fw/step_model.c):
# test_rtl_step_io, in make test (RTL_TEST_BIN).

RTL_STEP_IO_SRC := $(RTL_STEP_SRC) rtl/snn_neuron_pipe.v rtl/snn_rate_encoder.v rtl/snn_ram_sdp.v
RTL_STEP_IO_G := -GLA=14 -GAA=8 -GMEMBRANE_BITS=20 -GBIAS_BITS=16 -GACC_BITS=20 -GINPUT_MAX=1024 \
		 -GNET_LINES=14464
RTL_STEP_IO_LIB := $(RTL_BUILD)/Vsnn_step_io/Vsnn_step_io__ALL.a

$(RTL_STEP_IO_LIB): $(RTL_STEP_IO_SRC) $(RTL_VLT) rtl/mk/step.mk $(BUILD)/.deps-rtl
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(VERILATOR) $(RTL_VFLAGS) --Mdir $(dir $@) --prefix Vsnn_step_io --top-module snn_step_io \
		$(RTL_STEP_IO_G) $(RTL_VLT) $(RTL_STEP_IO_SRC)
	@$(RTL_MODEL_MAKE) -C $(dir $@) -f Vsnn_step_io.mk Vsnn_step_io__ALL.a

RTL_TEST_BIN += $(BUILD)/tests/rtl/test_rtl_step_io

$(BUILD)/tests/rtl/test_rtl_step_io.o: tests/rtl/test_rtl_step_io.cpp $(RTL_STEP_IO_LIB)
	@mkdir -p $(dir $@)
	$(RTL_CXX) $(RTL_CXXFLAGS) $(call rtl_vm_defs,0) -Iinclude -Itests -Itests/fw -Irtl/fw $(RTL_VL_INC) \
		-I$(RTL_BUILD)/Vsnn_step_io -MMD -MP -c $< -o $@

$(BUILD)/tests/rtl/test_rtl_step_io: $(BUILD)/tests/rtl/test_rtl_step_io.o $(RTL_STEP_IO_LIB) \
		$(RTL_BUILD)/libverilated.a $(BUILD)/tests/fw/step_model.o $(BUILD)/tests/harness.o $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(LDLIBS) -pthread -latomic -o $@
