/*
 * cmd_audit: `idp audit verify|checkpoint|export`, the audit trail from the
 * shell.
 */
#ifndef IDP_CMD_AUDIT_H
#define IDP_CMD_AUDIT_H

int cmd_audit(int argc, char **argv);

#endif
