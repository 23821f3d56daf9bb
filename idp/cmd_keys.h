/*
 * cmd_keys: `idp keys rotate`, new ID-token signing keys from the shell.
 */
#ifndef IDP_CMD_KEYS_H
#define IDP_CMD_KEYS_H

int cmd_keys(int argc, char **argv);

#endif
