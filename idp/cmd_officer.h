/*
 * cmd_officer: `idp officer add|revoke`: the registration officers who
 * enroll citizens at level 2, and their bearer tokens.
 */
#ifndef IDP_CMD_OFFICER_H
#define IDP_CMD_OFFICER_H

int cmd_officer(int argc, char **argv);

#endif
