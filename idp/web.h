/*
 * web: the static files under the web directory (CSS, scripts, images,
 * translations), read once at start-up and served from memory under
 * /static/. Only files present at start-up exist, so no request path ever
 * reaches the file system.
 */
#ifndef IDP_WEB_H
#define IDP_WEB_H

#include <stddef.h>

#include "base.h"

struct web;

/* Loads DIR/static/ (a missing directory gives an empty set). */
int web_load(const char *dir, struct web **out, char *err, size_t errsz) WUR;
void web_free(struct web *);
/* The file for a request path such as "/static/site.css", or NULL. */
const char *web_find(const struct web *, const char *path, size_t *len,
    const char **ctype);

#endif
