/*
 * api_airport: POST /v1/airport/verify, the online verifier an airport
 * client calls with HTTP Basic (client_secret_basic, RFC 6749 2.3.1) and
 * {"presentation": "..."}: 200 {"result":"accepted",...} or 422
 * {"result":"rejected","reason":R} (DESIGN section 7); 401 for wrong client
 * credentials, 403 for a client that is not an airport.
 */
#ifndef IDP_API_AIRPORT_H
#define IDP_API_AIRPORT_H

#include <stddef.h>

#include "http.h"

const struct http_route *api_airport_routes(size_t *n);

#endif
