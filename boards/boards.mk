# Board flows, included by the top-level Makefile. Target: rtl-fit, the
# iCEBreaker design through place and route with its fit and timing report;
# it fails when the design does not fit the UP5K or misses its clock.
# Settings (FREQ, BAUD, CLKS_PER_BIT, SEED) pass through to
# boards/icebreaker/Makefile. See docs/boards.md.

# Including this file must not change the Makefile's default goal.
boards_saved_goal := $(.DEFAULT_GOAL)

.PHONY: rtl-fit
rtl-fit:
	@$(MAKE) --no-print-directory -C boards/icebreaker BUILD=$(abspath $(BUILD))

.DEFAULT_GOAL := $(boards_saved_goal)
