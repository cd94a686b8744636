/*
 * cmd_report: `racedet report [OPTIONS] FILE...`
 *
 * Renders, merges and re-renders: every FILE is a racedet JSON document or a
 * record file (any mix); findings are deduplicated by id across all of them.
 * A bad file is said in one line and skipped; the others are still rendered.
 * `--from-records FILE` names a record file (the shim, run without `racedet
 * run`, calls `racedet report --from-records FILE` at exit).
 */
#include <string.h>

#include "cli.h"
#include "input.h"
#include "suppressions.h"

void cli_print_report_usage(FILE *f)
{
    fprintf(f,
            "usage: racedet report [OPTIONS] FILE...\n"
            "Renders racedet JSON reports and record files (any mix, merged, each finding\n"
            "once) as text on stderr, or in another --format on stdout or to -o FILE:\n"
            "json (the report document), sarif (SARIF 2.1.0, for code scanning), dot or svg\n"
            "(the lock-order graph; svg needs Graphviz), html (one self-contained page).\n"
            "--suppressions FILE takes out the findings its KIND:PATTERN lines match.\n"
            "Exit status: the exitcode option (default 66; 0: findings do not change the\n"
            "status) if anything was found; 2 if an input file could not be read (the\n"
            "others are still rendered) or for usage errors; else 0.\n"
            "Options (also RACEDET_OPTIONS=\"key=value ...\"; flags win):\n");
    rd_options_print_help(f, REPORT, false);
    fprintf(f, "  -o FILE                    same as --output FILE\n"
               "  --from-records FILE        a record file written by the shim\n");
}

int cmd_report(int argc, char **argv)
{
    struct rd_options o;
    struct cli_args a;
    struct rd_model *m = NULL;
    struct rd_suppressions *supp = NULL;
    bool bad = false;
    int rc = RD_EXIT_USAGE;
    size_t i, good = 0;

    if (cli_parse(&o, &a, CLI_REPORT, argc, argv, 1) < 0)
        goto out;
    if (a.help) {
        cli_print_report_usage(stdout);
        rc = 0;
        goto out;
    }
    if (a.noperands == 0) {
        fprintf(stderr, "racedet: report: no input file (racedet report [OPTIONS] FILE...)\n");
        goto out;
    }
    if (cli_check_report_options(&o) < 0 || cli_load_suppressions(&o, &supp) < 0)
        goto out;
    m = rd_model_new();
    for (i = 0; i < a.noperands; i++) {
        if (o.verbose)
            fprintf(stderr, "racedet: reading %s\n", a.operands[i]);
        if (rd_input_read(m, a.operands[i], stderr) < 0)
            bad = true;
        else
            good++;
    }
    if (good == 0)
        goto out; /* every file was bad and said so: there is nothing to render */
    rd_model_sort_processes(m);
    if (cli_deliver(m, &o, supp) < 0)
        rc = RD_EXIT_USAGE;
    else if (m->nfindings > 0 && o.exitcode != 0)
        rc = (int)o.exitcode;
    else
        rc = bad ? RD_EXIT_USAGE : 0;

out:
    rd_model_free(m);
    rd_suppressions_free(supp);
    cli_args_free(&a);
    return rc;
}
