/*
 * cmd_serve: `idp serve`, the HTTP service: opens and migrates the
 * database, seeds the demo when asked, listens, and stops cleanly on
 * SIGINT or SIGTERM.
 */
#ifndef IDP_CMD_SERVE_H
#define IDP_CMD_SERVE_H

int cmd_serve(int argc, char **argv);

#endif
