/*
 * render_sarif: SARIF 2.1.0 (OASIS), the format code-scanning services read
 * (GitHub's upload-sarif among them). Validated against the official schema
 * by tests/e2e/report.sh (tests/sarif/).
 *
 * One run; tool.driver.rules has one rule per finding kind (kinds.c: short
 * and full description, help, default level), results one per finding:
 *   ruleId/ruleIndex  the kind
 *   level             error for data_race, deadlock, lock_order_cycle and
 *                     self_deadlock; warning for the others
 *   message           the summary
 *   locations         the user frame (user_frame.h) of the first stack that
 *                     has one; else the module and address of the first frame
 *   relatedLocations  the user frame of every other stack, message = role
 *   codeFlows         one codeFlow, one threadFlow per stack (outermost call
 *                     first, as SARIF orders them), message = role
 *   partialFingerprints {"racedetFindingId/v1": the stable finding id}
 * Source files under the current directory are written relative to it with
 * uriBaseId %SRCROOT% (run.originalUriBaseIds says where that was); others
 * as absolute file:// URIs.
 *
 * Called through the renderer table (render.c). Single-threaded.
 */
#ifndef RD_REPORT_RENDER_SARIF_H
#define RD_REPORT_RENDER_SARIF_H

#include <jansson.h>

#include "render.h"

int rd_render_sarif(const struct rd_model *m, FILE *out, const struct rd_render_opts *o);

/* The SARIF log as a jansson value (new reference); cwd may be NULL. */
json_t *rd_report_to_sarif(const struct rd_model *m, const char *cwd);

#endif
