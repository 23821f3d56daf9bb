-- The SMS outbox: what the default gateway "sends" (DESIGN section 5). A
-- code's message is written in the same transaction as the code itself.
CREATE TABLE sms_outbox (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL,          -- E.164, +84 and 9 digits
    body TEXT NOT NULL,
    purpose TEXT NOT NULL,        -- what the message is for (registration, login, ...)
    created_at INTEGER NOT NULL   -- unix seconds
);

-- Per-phone history and the "codes per phone per hour" count.
CREATE INDEX sms_outbox_phone_time ON sms_outbox (phone, created_at);
