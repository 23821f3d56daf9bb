/*
 * cmd_sms: `idp sms list [--phone P]`, the SMS outbox of the default
 * gateway from the shell.
 */
#ifndef IDP_CMD_SMS_H
#define IDP_CMD_SMS_H

int cmd_sms(int argc, char **argv);

#endif
