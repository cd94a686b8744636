/*
 * confirmation: what `racedet explore --confirm` learnt of a finding. The
 * command puts it in the finding's details as
 *   "explore": {"confirmed": true|false, "runs": N, "seed": S, "run": R,
 *               "replay": "racedet explore ..."}
 * (seed, run and replay only when confirmed): a lock_order_cycle it made
 * happen as a real deadlock, and the deadlock that did. The text, html and
 * SARIF renderers say it in words with this function. Single-threaded.
 */
#ifndef RD_REPORT_CONFIRMATION_H
#define RD_REPORT_CONFIRMATION_H

#include "model.h"

/* "confirmed: ..." or "not confirmed ...: still a potential deadlock" for
 * a finding racedet explore looked at, else NULL. Fresh string. */
char *rd_confirmation_text(const struct rd_finding *f);

#endif
