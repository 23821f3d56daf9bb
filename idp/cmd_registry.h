/*
 * cmd_registry: the `idp registry` subcommands (import, generate,
 * issue-card, card-key, event).
 */
#ifndef IDP_CMD_REGISTRY_H
#define IDP_CMD_REGISTRY_H

int cmd_registry(int argc, char **argv);

#endif
