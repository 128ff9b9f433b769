# The control processor (rtl/snn_cpu.v; docs/rtl.md, "snn_cpu"): lint, its
# Verilated model, the programs test_rtl_cpu runs on it (compiled with
# Debian's gcc-riscv64-unknown-elf; what each must print made by the same C
# compiled for the host), and rtl-fit-cpu, its fit and Fmax on the UP5K
# (not in `make test`). Included by rtl/rtl.mk.

RTL_CPU_CC := riscv64-unknown-elf-gcc
RTL_CPU_OBJCOPY := riscv64-unknown-elf-objcopy
RTL_CPU_OBJDUMP := riscv64-unknown-elf-objdump
RTL_CPU_CFLAGS := -march=rv32i -mabi=ilp32 -O2 -ffreestanding -nostdlib -fno-strict-aliasing \
		  -Wall -Wextra -Werror -Wl,--no-warn-rwx-segments
# tests/rtl/cpu/<name>.c, each run by test_rtl_cpu
RTL_CPU_PROGRAMS := cpu_check
RTL_CPU_DIR := $(RTL_BUILD)/cpu
RTL_CPU_RUN := $(foreach p,$(RTL_CPU_PROGRAMS),$(RTL_CPU_DIR)/$(p).bin $(RTL_CPU_DIR)/$(p).txt)

$(BUILD)/.deps-cpu: tools/deps.sh
	@mkdir -p $(BUILD)
	@tools/deps.sh gcc-riscv64-unknown-elf
	@touch $@

rtl-lint: rtl-lint-cpu
.PHONY: rtl-lint-cpu
rtl-lint-cpu: $(BUILD)/.deps-rtl
	@echo "lint snn_cpu"
	@$(VERILATOR) --lint-only -Wall --top-module snn_cpu $(RTL_VLT) rtl/snn_cpu.v
	@echo "lint snn_fit_cpu (the rtl-fit-cpu top)"
	@$(VERILATOR) --lint-only -Wall --top-module snn_fit_cpu $(RTL_VLT) rtl/snn_cpu.v rtl/snn_ram_sdp_be.v \
		tests/rtl/snn_fit_cpu.v

# A program as the processor runs it: code and data from address 0.
$(RTL_CPU_DIR)/%.bin: tests/rtl/cpu/%.c tests/rtl/cpu/cpu_start.S tests/rtl/cpu/cpu.ld $(BUILD)/.deps-cpu
	@mkdir -p $(dir $@)
	$(RTL_CPU_CC) $(RTL_CPU_CFLAGS) -T tests/rtl/cpu/cpu.ld tests/rtl/cpu/cpu_start.S $< -lgcc -o $(@:.bin=.elf)
	$(RTL_CPU_OBJCOPY) -O binary $(@:.bin=.elf) $@

# What it must print: the same C on the host.
$(RTL_CPU_DIR)/%.txt: tests/rtl/cpu/%.c tests/rtl/cpu/cpu_host.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -fno-strict-aliasing -Wall -Wextra -Werror $^ -o $(@:.txt=.host)
	$(@:.txt=.host) > $@.tmp && mv $@.tmp $@

$(RTL_BUILD)/Vsnn_cpu/Vsnn_cpu__ALL.a: rtl/snn_cpu.v $(RTL_VLT) rtl/mk/cpu.mk $(BUILD)/.deps-rtl
	@rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(VERILATOR) $(RTL_VFLAGS) --Mdir $(dir $@) --prefix Vsnn_cpu --top-module snn_cpu $(RTL_VLT) rtl/snn_cpu.v
	@$(RTL_MODEL_MAKE) -C $(dir $@) -f Vsnn_cpu.mk Vsnn_cpu__ALL.a

RTL_TEST_BIN += $(BUILD)/tests/rtl/test_rtl_cpu

$(BUILD)/tests/rtl/test_rtl_cpu.o: tests/rtl/test_rtl_cpu.cpp $(RTL_BUILD)/Vsnn_cpu/Vsnn_cpu__ALL.a
	@mkdir -p $(dir $@)
	$(RTL_CXX) $(RTL_CXXFLAGS) $(call rtl_vm_defs,0) -Itests $(RTL_VL_INC) -I$(RTL_BUILD)/Vsnn_cpu \
		-MMD -MP -c $< -o $@

# The programs are prerequisites, so that the test finds them in
# $(BUILD)/rtl/cpu when it runs.
$(BUILD)/tests/rtl/test_rtl_cpu: $(BUILD)/tests/rtl/test_rtl_cpu.o $(RTL_BUILD)/Vsnn_cpu/Vsnn_cpu__ALL.a \
		$(RTL_BUILD)/libverilated.a $(BUILD)/tests/harness.o | $(RTL_CPU_RUN)
	$(RTL_CXX) $(LDFLAGS) $(filter-out $(RTL_CPU_RUN),$^) -pthread -latomic -o $@

# ---- fit and timing on the UP5K -------------------------------------------------
# The processor with 2 KiB of block RAM (tests/rtl/snn_fit_cpu.v) through
# Yosys and nextpnr-ice40 at 48 MHz (rtl_fit_pnr, rtl/mk/engine.mk); fails
# if it misses it. The processor alone is synthesised too, for its own cell
# counts.
.PHONY: rtl-fit-cpu
rtl-fit-cpu: $(BUILD)/.deps-rtl
	@tools/deps.sh yosys nextpnr-ice40
	@mkdir -p $(RTL_FIT)
	@echo "fit snn_cpu (alone, and with 2 KiB of block RAM: tests/rtl/snn_fit_cpu.v)"
	@$(YOSYS) -q -l $(RTL_FIT)/cpu-alone.log -p 'read_verilog rtl/snn_cpu.v; hierarchy -top snn_cpu; proc; select -assert-none t:$$dlatch t:$$adlatch t:$$dlatchsr; synth_ice40 -dsp -top snn_cpu; check -assert; select -assert-none t:SB_MAC16; select -assert-count 2 t:SB_RAM40_4K; tee -q -o $(RTL_FIT)/cpu.stat stat'
	@awk '/SB_(LUT4|CARRY|RAM40_4K) / {printf "  alone (Yosys): %s %s\n", $$2, $$1} /SB_DFF/ {ff += $$2} END {printf "  alone (Yosys): %d flip-flops\n", ff}' $(RTL_FIT)/cpu.stat
	@$(YOSYS) -q -l $(RTL_FIT)/cpu-synth.log -p 'read_verilog rtl/snn_cpu.v rtl/snn_ram_sdp_be.v tests/rtl/snn_fit_cpu.v; hierarchy -top snn_fit_cpu; synth_ice40 -dsp -top snn_fit_cpu -json $(RTL_FIT)/cpu.json'
	$(call rtl_fit_pnr,cpu,rtl-fit-cpu)
