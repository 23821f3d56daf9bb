-- The population registry: one row a person, the cards that were replaced,
-- the imports that wrote rows, and the change events applied (idempotent by
-- event_id).
CREATE TABLE registry_imports (
	id INTEGER PRIMARY KEY,
	source TEXT NOT NULL,
	rows_inserted INTEGER NOT NULL DEFAULT 0,
	rows_updated INTEGER NOT NULL DEFAULT 0,
	rows_unchanged INTEGER NOT NULL DEFAULT 0,
	imported_at INTEGER NOT NULL
);

CREATE TABLE registry_people (
	personal_id TEXT PRIMARY KEY,
	full_name TEXT NOT NULL,
	birth_date TEXT NOT NULL,
	sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
	nationality TEXT NOT NULL,
	place_of_origin TEXT NOT NULL,
	residence TEXT NOT NULL,
	card_number TEXT NOT NULL,
	card_issued_on TEXT NOT NULL,
	card_expires_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('living', 'deceased')),
	date_of_death TEXT,
	import_id INTEGER REFERENCES registry_imports (id),
	updated_at INTEGER NOT NULL
);

CREATE TABLE registry_superseded_cards (
	card_number TEXT PRIMARY KEY,
	personal_id TEXT NOT NULL REFERENCES registry_people (personal_id),
	superseded_at INTEGER NOT NULL
);

CREATE TABLE registry_events (
	event_id TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	personal_id TEXT NOT NULL,
	data TEXT NOT NULL,
	source TEXT NOT NULL,
	applied_at INTEGER NOT NULL
);
