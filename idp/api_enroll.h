/*
 * api_enroll: the officer's desk API: POST /v1/enrollments with the
 * officer's bearer token and the chip record, biometric digest and phone
 * read at the desk; answers 201 with the activation code, 422 naming why a
 * card is refused, 401 for a missing, unknown or revoked officer token.
 */
#ifndef IDP_API_ENROLL_H
#define IDP_API_ENROLL_H

#include <stddef.h>

#include "http.h"

/* The enrollment routes, under /v1/. */
const struct http_route *api_enroll_routes(size_t *n);

#endif
