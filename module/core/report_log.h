/* report_log.h - the DMARC report row of a finished message, appended to
 * the report log (option report.log; docs/dmarc-reports.md). */
#ifndef AS_CORE_REPORT_LOG_H
#define AS_CORE_REPORT_LOG_H

#include "core/internal.h"

/* Largest row written; a longer one is not written (and logged once). */
#define AS_REPORT_ROW_MAX (256u << 10)

/* Append m's row when the context has a report log and the policy has a
 * rua (or report.all is set).  Phase: DONE, not refused.  Never fails the
 * message: a row that cannot be written is told once per process through
 * the log callback (docs/architecture.md, "Fail closed"). */
void as_report_log_write(const authscore_msg *m);

#endif
