/*
 * pages_data: the account page's sections on personal data: the services
 * the citizen allowed (portal, scopes in plain words, since when, and a
 * withdraw button each: POST /account/consents/revoke ends the consent and
 * that portal's grants) and the disclosure log (newest first, DATA_PAGE_ROWS
 * a page by ?page=N, one service by ?service=CLIENT_ID).
 */
#ifndef IDP_PAGES_DATA_H
#define IDP_PAGES_DATA_H

#include <stddef.h>

#include "http.h"
#include "pages_auth.h"

#define DATA_PAGE_ROWS 20

/* Both sections for `account_id` into pg->h: a DB_ code. */
int pages_data_render(struct page *, const char *account_id) WUR;

/* The routes of these pages. */
const struct http_route *pages_data_routes(size_t *n);

#endif
