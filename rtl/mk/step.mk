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
