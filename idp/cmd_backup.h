/*
 * cmd_backup: `idp backup FILE`, an online copy of the database.
 */
#ifndef IDP_CMD_BACKUP_H
#define IDP_CMD_BACKUP_H

int cmd_backup(int argc, char **argv);

#endif
