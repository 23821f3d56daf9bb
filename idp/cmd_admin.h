/*
 * cmd_admin: operator subcommands: `idp migrate` and `idp client add|list`.
 */
#ifndef IDP_CMD_ADMIN_H
#define IDP_CMD_ADMIN_H

int cmd_migrate(int argc, char **argv);
int cmd_client(int argc, char **argv);

#endif
