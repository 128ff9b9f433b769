# The device's control as a program (rtl/snn_ctrl.v; docs/rtl.md,
# "snn_ctrl"): its programs in rtl/fw/, compiled with Debian's
# gcc-riscv64-unknown-elf into the hex files its RAM starts with, and lint.
# The board core runs it as DEVICE = 2 (rtl/mk/uart.mk has its Verilated
# models, boards/icebreaker/Makefile its fit: DESIGN=ctrl). Included by
# rtl/rtl.mk, after cpu.mk.

RTL_CTRL_SRC := rtl/snn_cpu.v rtl/snn_ctrl.v
# The RAM's size is the board core's parameter; the linker places the stack
# at its top and refuses a program that does not fit.
RTL_CTRL_RAM_BYTES := $(shell sed -n 's/.*parameter CTRL_RAM_BYTES = \([0-9]*\).*/\1/p' \
	boards/icebreaker/snn_icebreaker_core.v)
RTL_CTRL_CFLAGS := -march=rv32i -mabi=ilp32 -Os -std=c11 -ffreestanding -nostdlib -fno-strict-aliasing \
		   -Wall -Wextra -Werror -Wl,--no-warn-rwx-segments -Iinclude -Irtl/fw \
		   -Wl,--defsym=RAM_BYTES=$(RTL_CTRL_RAM_BYTES)
RTL_FW_DIR := $(RTL_BUILD)/fw
# the link echo (DEVICE = 2), as the RAM's words
RTL_CTRL_ECHO_HEX := $(RTL_FW_DIR)/link_echo.hex

# A program: rtl/fw/<name>.c with the start code, linked from address 0;
# its listing beside it (<name>.lst); the RAM's image padded to its size,
# one 32-bit word a line in hex ($readmemh), by od: the host is
# little-endian, as RV32I is.
$(RTL_FW_DIR)/%.hex: rtl/fw/%.c rtl/fw/start.S rtl/fw/ctrl.ld rtl/fw/snn_ctrl_io.h include/snn/protocol.h \
		boards/icebreaker/snn_icebreaker_core.v $(BUILD)/.deps-cpu
	@mkdir -p $(dir $@)
	$(RTL_CPU_CC) $(RTL_CTRL_CFLAGS) -T rtl/fw/ctrl.ld rtl/fw/start.S $< -o $(@:.hex=.elf)
	@$(RTL_CPU_OBJDUMP) -d $(@:.hex=.elf) > $(@:.hex=.lst)
	$(RTL_CPU_OBJCOPY) -O binary $(@:.hex=.elf) $(@:.hex=.bin)
	@truncate -s $(RTL_CTRL_RAM_BYTES) $(@:.hex=.bin)
	@od -An -v -tx4 -w4 $(@:.hex=.bin) > $@.tmp && mv $@.tmp $@

.PHONY: rtl-ctrl-fw
rtl-ctrl-fw: $(RTL_CTRL_ECHO_HEX)

rtl-lint: rtl-lint-ctrl
.PHONY: rtl-lint-ctrl
rtl-lint-ctrl: $(BUILD)/.deps-rtl
	@echo "lint snn_ctrl, and with a 2 KiB RAM"
	@$(VERILATOR) --lint-only -Wall --top-module snn_ctrl $(RTL_VLT) $(RTL_CTRL_SRC) rtl/snn_ram_sdp_be.v \
		rtl/snn_crc32.v
	@$(VERILATOR) --lint-only -Wall --top-module snn_ctrl -GRAM_BYTES=2048 $(RTL_VLT) $(RTL_CTRL_SRC) \
		rtl/snn_ram_sdp_be.v rtl/snn_crc32.v

# ---- the link echo program at its own speed: test_rtl_ctrl ----
$(RTL_BUILD)/Vsnn_ctrl/Vsnn_ctrl__ALL.a: $(RTL_CTRL_SRC) rtl/snn_ram_sdp_be.v rtl/snn_crc32.v $(RTL_VLT) \
		rtl/mk/ctrl.mk $(RTL_CTRL_ECHO_HEX) $(BUILD)/.deps-rtl
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(VERILATOR) $(RTL_VFLAGS) --Mdir $(dir $@) --prefix Vsnn_ctrl --top-module snn_ctrl \
		-GRAM_BYTES=$(RTL_CTRL_RAM_BYTES) -GFIRMWARE='"$(abspath $(RTL_CTRL_ECHO_HEX))"' $(RTL_VLT) \
		$(RTL_CTRL_SRC) rtl/snn_ram_sdp_be.v rtl/snn_crc32.v
	@$(RTL_MODEL_MAKE) -C $(dir $@) -f Vsnn_ctrl.mk Vsnn_ctrl__ALL.a

RTL_TEST_BIN += $(BUILD)/tests/rtl/test_rtl_ctrl

$(BUILD)/tests/rtl/test_rtl_ctrl.o: tests/rtl/test_rtl_ctrl.cpp $(RTL_BUILD)/Vsnn_ctrl/Vsnn_ctrl__ALL.a
	@mkdir -p $(dir $@)
	$(RTL_CXX) $(RTL_CXXFLAGS) $(call rtl_vm_defs,0) -Iinclude -Itests $(RTL_VL_INC) -I$(RTL_BUILD)/Vsnn_ctrl \
		-MMD -MP -c $< -o $@

$(BUILD)/tests/rtl/test_rtl_ctrl: $(BUILD)/tests/rtl/test_rtl_ctrl.o $(RTL_BUILD)/Vsnn_ctrl/Vsnn_ctrl__ALL.a \
		$(RTL_BUILD)/libverilated.a $(BUILD)/tests/harness.o $(LIB)
	$(RTL_CXX) $(LDFLAGS) $^ $(LDLIBS) -pthread -latomic -o $@
