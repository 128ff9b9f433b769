/* test_fw_step as the iCEBreaker's step program is built: every route one
 * run of the route run, no events one by one, no deconv mode
 * (tests/fw/test_fw_step.c). */
#define STEP_RUN_ONLY 1
#include "test_fw_step.c"
