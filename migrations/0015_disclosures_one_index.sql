-- One index serves the account page's disclosure listing: a citizen's rows
-- by time (disclosures_account). Filtering them by service scans that one
-- citizen's rows, so the second index cost every disclosure a write and
-- served no query on its own.
DROP INDEX disclosures_client;
