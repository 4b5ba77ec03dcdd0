/* fuzz_pipeline - a WHOLE message through the public sans-I/O API:
 * envelope, message bytes and every DNS answer (text or wire, any status
 * and DNSSEC state, in any order, some never given) come from the input.
 * The layout and every invariant checked live in
 * tests/stress/pipeline_driver.c, shared with the Criterion replay test
 * (tests/stress/test_pipeline.c) so a finding replays exactly.
 * Invariants: the question loop ends within AS_QTAB_MAX_QUESTIONS,
 * outstanding counts agree, nothing is outstanding after result, every
 * getter stays inside its enum or returns NULL / a terminated string,
 * SPF lookup limits (RFC 7208 4.6.4), the DKIM signature cap, DMARC pass
 * only with an aligned pass, bogus DNSSEC never used as data, and results
 * that do not depend on the order the answers arrive in. */
#include <stdint.h>
#include <stdio.h>

#include "pipeline_driver.h"
#include "fuzz_check.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Build both contexts once, outside the measured inputs. */
    if (!pd_context(0) || !pd_context(1))
        __builtin_trap();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pd_stats st;
    if (pd_run(data, size, &st) != 0) {
        fprintf(stderr, "fuzz_pipeline: invariant failed at pipeline_driver.c:%d: %s\n%s\n",
                st.line, st.violation, st.detail ? st.detail : "");
        CHECK(0);
    }
    return 0;
}
