-- Card numbers are looked up when a card is reissued (one holder a card).
CREATE INDEX registry_people_card ON registry_people (card_number);
