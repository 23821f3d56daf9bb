/*
 * demo: the data of `idp serve --demo`. On an empty database it imports a
 * 10,000-person synthetic registry (fixed seed) and creates the demo
 * clients, keeping their credentials in demo.json (0600) beside the database
 * so that later runs can print them again.
 */
#ifndef IDP_DEMO_H
#define IDP_DEMO_H

#include <stdio.h>

#include "base.h"
#include "cli.h"

#define DEMO_PEOPLE 10000
#define DEMO_SEED 59
#define DEMO_PHONE "+84900000001"	/* the demo citizen's phone (outbox only) */

/* Seeds an empty database; leaves a seeded one alone. -1 on failure. */
int demo_seed(struct cli_res *, const struct config *) WUR;
/* Prints the demo credentials and URLs for a server at `base_url`. */
void demo_print(const struct config *, const char *base_url, FILE *out);

#endif
