/*
 * api_devices: the phone app's JSON API for its devices: binding a device
 * with an activation code (POST /v1/devices), and, signed by a bound
 * device, listing the account's devices, revoking one, and asking for an
 * activation code for a new device. Also the check every device-signed
 * endpoint starts with (api_device_auth).
 */
#ifndef IDP_API_DEVICES_H
#define IDP_API_DEVICES_H

#include <stddef.h>

#include "devices.h"
#include "http.h"
#include "routes.h"

/*
 * The request's device, or -1 after answering 401 JSON
 * {"error":"invalid_device",...} (WWW-Authenticate: Device), or 503/500
 * when the database fails.
 */
int api_device_auth(struct http_req *, struct routes_ctx *,
    struct device *out) WUR;

/* The routes, all under /v1/devices. */
const struct http_route *api_devices_routes(size_t *n);

#endif
