/*
 * card: the card centre. Signs a chip record for a person's current card as
 * a compact JWS (EdDSA, typ eid-chip+jwt) with the card-signing key, and
 * publishes that key's public JWK. The portrait digest stands for the photo
 * the chip holds.
 */
#ifndef IDP_CARD_H
#define IDP_CARD_H

#include <jansson.h>
#include <stdint.h>

#include "base.h"
#include "db.h"
#include "person.h"
#include "seal.h"

#define CARD_JWS_TYP "eid-chip+jwt"
#define CARD_KEY_PURPOSE "card"

/* The chip record for `personal_id` (free()); REG_NOT_FOUND when unknown. */
int card_issue(struct db *, const struct seal *, const char *personal_id,
    int64_t now, char **out) WUR;
/* The card-signing key's public JWK. */
int card_public_jwk(struct db *, const struct seal *, int64_t now,
    json_t **out) WUR;
/* SHA-256 (hex) standing for the portrait on the person's current card. */
void card_portrait_digest(const struct person *, char hex[65]);
/* The chip record's payload for a person: the registry fields and digest. */
json_t *card_payload(const struct person *, int64_t now);

#endif
