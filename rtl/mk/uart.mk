# The UART host link (rtl/snn_uart_rx.v, snn_uart_tx.v, snn_uart_link.v),
# the link-only device (rtl/snn_link_echo.v) and the iCEBreaker design below
# its PLL (boards/icebreaker/snn_icebreaker_core.v): lint, and the bit-level
# test test_rtl_uart on Verilated models of that core. Included by
# rtl/rtl.mk. The board flow itself is boards/icebreaker/Makefile (make
# rtl-fit). See docs/boards.md.

RTL_UART_SRC := rtl/snn_uart_rx.v rtl/snn_uart_tx.v rtl/snn_uart_link.v
RTL_ECHO_SRC := $(RTL_FRAME_SRC) rtl/snn_link_echo.v
# with the echo and the control processor (DEVICE = 0, 2; rtl/mk/ctrl.mk)
RTL_IB_CORE_SRC := $(RTL_ECHO_SRC) $(RTL_CTRL_SRC) $(RTL_UART_SRC) rtl/snn_led_stretch.v \
		   boards/icebreaker/snn_icebreaker_core.v
# with the engine device (DEVICE=1): snn_top's sources too (rtl/mk/cmd.mk);
# with its command layer as a program (DEVICE=3) the engine's I/O registers
RTL_IB_ENGINE_SRC = $(RTL_IB_CORE_SRC) $(filter-out $(RTL_IB_CORE_SRC),$(RTL_TOP_SRC)) rtl/snn_engine_io.v
# with no engine but step 3's accelerators (DEVICE = 4, rtl/mk/step.mk)
RTL_IB_STEP_SRC = $(RTL_IB_ENGINE_SRC) $(RTL_STEP_SRC)

# The board flow (boards/icebreaker/Makefile) takes its source lists from
# here, so that a module added to the device is built on the board too.
.PHONY: rtl-src-icebreaker rtl-src-icebreaker-engine rtl-src-icebreaker-step
rtl-src-icebreaker: ; @echo $(RTL_IB_CORE_SRC)
rtl-src-icebreaker-engine: ; @echo $(RTL_IB_ENGINE_SRC)
rtl-src-icebreaker-step: ; @echo $(RTL_IB_STEP_SRC)

# Core models, name:CLKS_PER_BIT:RX_FIFO_DEPTH:LED_BITS:DEVICE. c16 is the
# board's default (3 Mbaud at 48 MHz), c10 3 Mbaud at 30 MHz, c4 the
# smallest bit time the UART takes, with a 16-byte queue so it can overrun:
# all three with the hardware echo (DEVICE = 0). c16ctrl is c16 with the
# echo as a program on the control processor (DEVICE = 2, rtl/fw/link_echo.c),
# c16ctrlq the same with a 16-byte queue (lock step, and the overrun case).
# LEDs stay on 256 cycles instead of 2^22 so the test sees them go out.
RTL_UART_SETS := c10:10:2048:8:0 c16:16:2048:8:0 c4:4:16:8:0 c16ctrl:16:2048:8:2 c16ctrlq:16:16:8:2
rtl_uart_name = $(word 1,$(subst :, ,$(1)))
rtl_uart_vals = $(wordlist 2,4,$(subst :, ,$(1)))
rtl_uart_ctrl = $(filter 2,$(word 5,$(subst :, ,$(1))))
# the -G settings of a set; the program's path is absolute, as the model
# reads it when it starts, wherever the test runs
rtl_uart_g = $(join -GCLKS_PER_BIT= -GRX_FIFO_DEPTH= -GLED_BITS= -GDEVICE=,$(wordlist 2,5,$(subst :, ,$(1)))) \
	$(if $(call rtl_uart_ctrl,$(1)),-GCTRL_FIRMWARE='"$(abspath $(RTL_CTRL_ECHO_HEX))"')
RTL_UART_NAMES := $(foreach s,$(RTL_UART_SETS),$(call rtl_uart_name,$(s)))

# ---- lint: each module alone at several bit times, the core at every set ----

rtl-lint: rtl-lint-uart
.PHONY: rtl-lint-uart
rtl-lint-uart: $(BUILD)/.deps-rtl
	@set -e; for c in 4 5 16 17; do \
		for t in snn_uart_rx snn_uart_tx; do \
			echo "lint $$t CLKS_PER_BIT=$$c"; \
			$(VERILATOR) --lint-only -Wall --top-module $$t -GCLKS_PER_BIT=$$c $(RTL_VLT) rtl/$$t.v; \
		done; \
	done
	@echo "lint snn_uart_link, and with RX_FIFO_DEPTH=2"
	@$(VERILATOR) --lint-only -Wall --top-module snn_uart_link $(RTL_VLT) $(RTL_UART_SRC) rtl/snn_ram_sdp.v
	@$(VERILATOR) --lint-only -Wall --top-module snn_uart_link -GRX_FIFO_DEPTH=2 $(RTL_VLT) \
		$(RTL_UART_SRC) rtl/snn_ram_sdp.v
	@echo "lint snn_link_echo"
	@$(VERILATOR) --lint-only -Wall --top-module snn_link_echo $(RTL_VLT) $(RTL_ECHO_SRC)
	@set -e; echo "lint snn_icebreaker_core (defaults)"; \
	$(VERILATOR) --lint-only -Wall --top-module snn_icebreaker_core $(RTL_VLT) $(RTL_IB_CORE_SRC); \
	echo "lint snn_icebreaker_core DEVICE=1 (the engine device)"; \
	$(VERILATOR) --lint-only -Wall --top-module snn_icebreaker_core -GDEVICE=1 $(RTL_VLT) \
		$(RTL_IB_ENGINE_SRC); \
	echo "lint snn_icebreaker_core DEVICE=3 (the engine device, its command layer a program)"; \
	$(VERILATOR) --lint-only -Wall --top-module snn_icebreaker_core -GDEVICE=3 $(RTL_VLT) \
		$(RTL_IB_ENGINE_SRC); \
	echo "lint snn_icebreaker_core DEVICE=4 (the step as a program over step 3's accelerators)"; \
	$(VERILATOR) --lint-only -Wall --top-module snn_icebreaker_core -GDEVICE=4 $(RTL_VLT) \
		$(RTL_IB_STEP_SRC); \
	$(foreach s,$(RTL_UART_SETS),echo "lint snn_icebreaker_core $(call rtl_uart_name,$(s))"; \
		$(VERILATOR) --lint-only -Wall --top-module snn_icebreaker_core $(call rtl_uart_g,$(s)) \
			$(RTL_VLT) $(RTL_IB_CORE_SRC);)

# ---- Verilated models of the core, one per set ----

# $(call rtl_uart_model,name,-G settings,the program it runs if any)
define rtl_uart_model
$(RTL_BUILD)/Vsnn_uart_$(1)/Vsnn_uart_$(1)__ALL.a: $(RTL_IB_CORE_SRC) $(RTL_VLT) rtl/mk/uart.mk \
		$(BUILD)/.deps-rtl $(3)
	@rm -rf $$(dir $$@) && mkdir -p $$(dir $$@)
	$(VERILATOR) $(RTL_VFLAGS) --Mdir $$(dir $$@) --prefix Vsnn_uart_$(1) \
		--top-module snn_icebreaker_core $(2) $(RTL_VLT) $(RTL_IB_CORE_SRC)
	@$(RTL_MODEL_MAKE) -C $$(dir $$@) -f Vsnn_uart_$(1).mk Vsnn_uart_$(1)__ALL.a
endef
$(foreach s,$(RTL_UART_SETS),$(eval $(call rtl_uart_model,$(call rtl_uart_name,$(s)),$(call rtl_uart_g,$(s)),$(if $(call rtl_uart_ctrl,$(s)),$(RTL_CTRL_ECHO_HEX)))))

RTL_UART_LIBS := $(foreach n,$(RTL_UART_NAMES),$(RTL_BUILD)/Vsnn_uart_$(n)/Vsnn_uart_$(n)__ALL.a)

# The list of models for the test, generated from RTL_UART_SETS.
$(RTL_BUILD)/uart_models.h: rtl/mk/uart.mk
	@mkdir -p $(dir $@)
	@{ echo '/* Generated by rtl/mk/uart.mk: the snn_icebreaker_core models test_rtl_uart runs. */'; \
	  $(foreach n,$(RTL_UART_NAMES),echo '#include "Vsnn_uart_$(n).h"';) \
	  printf '#define SNN_UART_MODELS(X)'; \
	  $(foreach s,$(RTL_UART_SETS),printf ' X(Vsnn_uart_$(call rtl_uart_name,$(s)), "$(call rtl_uart_name,$(s))", $(subst $(rtl_uart_space),$(rtl_uart_comma) ,$(call rtl_uart_vals,$(s))))';) \
	  echo; } > $@
rtl_uart_comma := ,
rtl_uart_space := $() $()

# ---- the test ----

RTL_TEST_BIN += $(BUILD)/tests/rtl/test_rtl_uart

$(BUILD)/tests/rtl/test_rtl_uart.o: tests/rtl/test_rtl_uart.cpp $(RTL_BUILD)/uart_models.h $(RTL_UART_LIBS)
	@mkdir -p $(dir $@)
	$(RTL_CXX) $(RTL_CXXFLAGS) $(call rtl_vm_defs,0) -Iinclude -Itests -I$(RTL_BUILD) $(RTL_VL_INC) \
		$(foreach n,$(RTL_UART_NAMES),-I$(RTL_BUILD)/Vsnn_uart_$(n)) -MMD -MP -c $< -o $@

$(BUILD)/tests/rtl/test_rtl_uart: $(BUILD)/tests/rtl/test_rtl_uart.o $(RTL_UART_LIBS) \
		$(RTL_BUILD)/libverilated.a $(BUILD)/tests/harness.o $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(LDLIBS) -pthread -latomic -o $@

# ---- the boards' engine devices behind their UARTs, for sim/rtl_device.cpp ----
# Each board's design below its PLL with DEVICE=1, at the board's clocks a
# bit and its profile (the core's defaults), build id 0 (what a host asks
# for by default): what snn_rtldev_open_uart() runs and a host reaches as
# --device sim:uart, the one whose geometry the image has.
#   Vsnn_ibdev: boards/icebreaker/snn_icebreaker_core.v, 16 clocks a bit
#     (3 Mbaud at 48 MHz), the icebreaker profile;
#   Vsnn_ulxdev: boards/ulx3s/snn_ulx3s_core.v, 10 clocks a bit (3 Mbaud
#     at 30 MHz), the ulx3s profile (deconv mode built in).
# name:CLKS_PER_BIT:the 16 geometry fields (docs/geometry.md)
RTL_UARTDEV_SETS := \
	ibdev:16:16:2048:1024:115712:8:20:16:8:8:16:8192:115712:64:8:8:20 \
	ulxdev:10:32:16384:4096:327680:8:20:16:16:16:32:262144:2097152:256:8:8:24
RTL_UARTDEV_BUILD_ID := 0
# ... and ibhw: the iCEBreaker core with the hardware command layer
# (DEVICE = 1), build id 1, what test_rtl_cmd_fw holds the program (ibdev,
# DEVICE = 3) to; a host reaches it with an image of build id 1.
RTL_UARTDEV_SETS += $(patsubst ibdev:%,ibhw:%,$(filter ibdev:%,$(RTL_UARTDEV_SETS)))
# ... and ibstep: the iCEBreaker core without the engine (DEVICE = 4), the
# step as a program over step 3's accelerators (rtl/mk/step.mk), build id
# 2 (RTL_STEP_BUILD_ID).
RTL_UARTDEV_SETS += $(patsubst ibdev:%,ibstep:%,$(filter ibdev:%,$(RTL_UARTDEV_SETS)))
rtl_uartdev_bid = $(if $(filter ibhw,$(call rtl_uartdev_name,$(1))),1,$(if $(filter ibstep,\
	$(call rtl_uartdev_name,$(1))),$(RTL_STEP_BUILD_ID),$(RTL_UARTDEV_BUILD_ID)))
RTL_ULX_ENGINE_SRC = $(filter-out boards/icebreaker/%,$(RTL_IB_ENGINE_SRC)) rtl/snn_sdram.v \
		     boards/ulx3s/snn_ulx3s_core.v
rtl_uartdev_name = $(word 1,$(subst :, ,$(1)))
rtl_uartdev_cpb = $(word 2,$(subst :, ,$(1)))
rtl_uartdev_geo = $(wordlist 3,18,$(subst :, ,$(1)))

# $(call rtl_uartdev_model,name,top module,sources (lint waivers first),extra -G)
# at the set's clocks a bit, so the model and uartdev_models.h cannot disagree
define rtl_uartdev_model
$(RTL_BUILD)/Vsnn_$(1)/Vsnn_$(1)__ALL.a: $(3) $(RTL_VLT) rtl/mk/uart.mk $(BUILD)/.deps-rtl
	@rm -rf $$(dir $$@) && mkdir -p $$(dir $$@)
	$(VERILATOR) $(RTL_VFLAGS) --Mdir $$(dir $$@) --prefix Vsnn_$(1) --top-module $(2) \
		-GCLKS_PER_BIT=$(call rtl_uartdev_cpb,$(filter $(1):%,$(RTL_UARTDEV_SETS))) -GLED_BITS=8 $(4) \
		$(RTL_VLT) $(3)
	@$(RTL_MODEL_MAKE) -C $$(dir $$@) -f Vsnn_$(1).mk Vsnn_$(1)__ALL.a
endef
$(eval $(call rtl_uartdev_model,ibdev,snn_icebreaker_core,$(RTL_IB_ENGINE_SRC),-GDEVICE=3 -GBOOT_FIRMWARE='"$(abspath $(RTL_BOOT_HEX))"' -GBUILD_ID=$(RTL_UARTDEV_BUILD_ID)))
$(RTL_BUILD)/Vsnn_ibdev/Vsnn_ibdev__ALL.a: $(RTL_BOOT_HEX)
$(eval $(call rtl_uartdev_model,ibhw,snn_icebreaker_core,$(RTL_IB_ENGINE_SRC),-GDEVICE=1 -GBUILD_ID=1))
$(eval $(call rtl_uartdev_model,ibstep,snn_icebreaker_core,$(RTL_IB_STEP_SRC),-GDEVICE=4 -GBOOT_FIRMWARE='"$(abspath $(RTL_BOOT_HEX))"'))
$(RTL_BUILD)/Vsnn_ibstep/Vsnn_ibstep__ALL.a: $(RTL_BOOT_HEX)
$(eval $(call rtl_uartdev_model,ulxdev,snn_ulx3s_core,boards/ulx3s/ulx3s.vlt $(RTL_ULX_ENGINE_SRC),-GDEVICE=1))

$(RTL_BUILD)/uartdev_models.h: rtl/mk/uart.mk
	@mkdir -p $(dir $@)
	@{ echo '/* Generated by rtl/mk/uart.mk: the board cores behind a UART built in. */'; \
	  $(foreach s,$(RTL_UARTDEV_SETS),echo '#include "Vsnn_$(call rtl_uartdev_name,$(s)).h"';) \
	  printf '#define SNN_UARTDEV_MODELS(X)'; \
	  $(foreach s,$(RTL_UARTDEV_SETS),printf ' X(Vsnn_$(call rtl_uartdev_name,$(s)), $(call rtl_uartdev_cpb,$(s)), $(subst $(rtl_uart_space),$(rtl_uart_comma) ,$(addsuffix u,$(call rtl_uartdev_geo,$(s)))), $(call rtl_uartdev_bid,$(s))u)';) \
	  echo; } > $@
