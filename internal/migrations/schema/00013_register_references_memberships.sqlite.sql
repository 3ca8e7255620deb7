-- +goose NO TRANSACTION
-- +goose Up
-- Two changes to the OCG register.
--
-- 1. A reference a file brings (another system's reference) is unique per
--    originating agency among records that are not restricted, rather than
--    across the partnership: a record an importer may not see never makes a
--    reference "taken" (decision 17). Alliance's own references
--    (OCG-2026-0042, P-000123) stay unique in the partnership because one
--    counter numbers them.
-- 2. A membership can be ended with a date (valid_to, as before) and a
--    reason from a list, with a note, and corrected; when it was last
--    changed is kept.
--
-- SQLite cannot drop a table's UNIQUE constraint, so ocg and entity are
-- rebuilt the documented way (sqlite.org/lang_altertable.html, section 7):
-- foreign keys off outside a transaction, copy, drop, rename, indexes and
-- triggers again, foreign keys on. Hence NO TRANSACTION, with our own.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE ocg_new (
    id                  text PRIMARY KEY,
    partnership_id      text NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    name                text NOT NULL,
    operation_name      text NOT NULL DEFAULT '',
    summary             text NOT NULL DEFAULT '',
    status              text NOT NULL CHECK (status IN ('proposed', 'under_assessment', 'mapped', 'adopted', 'managed', 'archived')),
    ownership_level     text NOT NULL CHECK (ownership_level IN ('local', 'regional', 'national')),
    primary_threat      text NOT NULL REFERENCES threat (code),
    home_unit_id        text REFERENCES org_unit (id),
    lead_agency_id      text REFERENCES agency (id),
    lro_user_id         text REFERENCES app_user (id),
    sro_user_id         text REFERENCES app_user (id),
    review_due          text,
    adopted_on          text,
    archived_on         text,
    archive_reason      text CHECK (archive_reason IN ('dismantled', 'inactive', 'merged', 'transferred', 'not_an_ocg')),
    archive_rationale   text NOT NULL DEFAULT '',
    archive_decision    text NOT NULL DEFAULT '',
    score               double precision,
    band                text NOT NULL DEFAULT '',
    priority            text NOT NULL DEFAULT '',
    scored_on           text,
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    text NOT NULL REFERENCES agency (id),
    created_by          text NOT NULL REFERENCES app_user (id),
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL
);
INSERT INTO ocg_new SELECT * FROM ocg;
DROP TABLE ocg;
ALTER TABLE ocg_new RENAME TO ocg;
CREATE INDEX ocg_status ON ocg (partnership_id, status);
CREATE INDEX ocg_score ON ocg (partnership_id, score);
CREATE INDEX ocg_reference ON ocg (partnership_id, reference);
CREATE UNIQUE INDEX ocg_agency_reference ON ocg (partnership_id, origin_agency_id, reference) WHERE NOT restricted;
-- +goose StatementBegin
CREATE TRIGGER ocg_search_ai AFTER INSERT ON ocg BEGIN
    INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    VALUES (new.partnership_id, 'ocg', new.id, 'record', new.reference || ' ' || new.name || ' ' || new.operation_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ocg_search_au AFTER UPDATE OF reference, name, operation_name ON ocg BEGIN
    UPDATE search_doc SET body = new.reference || ' ' || new.name || ' ' || new.operation_name WHERE record_id = new.id AND source = 'record';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ocg_search_ad AFTER DELETE ON ocg BEGIN
    DELETE FROM search_doc WHERE record_id = old.id;
END;
-- +goose StatementEnd

CREATE TABLE entity_new (
    id                  text PRIMARY KEY,
    partnership_id      text NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('person', 'business', 'location', 'vehicle', 'phone')),
    name                text NOT NULL,
    identifier          text NOT NULL DEFAULT '',
    dob                 text,
    gender              text NOT NULL DEFAULT '' CHECK (gender IN ('', 'female', 'male', 'other', 'unknown')),
    detail              text NOT NULL DEFAULT '',
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    text NOT NULL REFERENCES agency (id),
    created_by          text NOT NULL REFERENCES app_user (id),
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL
);
INSERT INTO entity_new SELECT * FROM entity;
DROP TABLE entity;
ALTER TABLE entity_new RENAME TO entity;
CREATE INDEX entity_kind ON entity (partnership_id, kind, name);
CREATE INDEX entity_dob ON entity (partnership_id, dob);
CREATE INDEX entity_identifier ON entity (partnership_id, identifier);
CREATE INDEX entity_reference ON entity (partnership_id, reference);
CREATE UNIQUE INDEX entity_agency_reference ON entity (partnership_id, origin_agency_id, reference) WHERE NOT restricted;
-- +goose StatementBegin
CREATE TRIGGER entity_search_ad AFTER DELETE ON entity BEGIN
    DELETE FROM search_doc WHERE record_id = old.id;
END;
-- +goose StatementEnd
ALTER TABLE link ADD COLUMN end_reason text NOT NULL DEFAULT ''
    CHECK (end_reason IN ('', 'left', 'imprisoned', 'deceased', 'safeguarded', 'moved_away', 'added_in_error', 'other'));
ALTER TABLE link ADD COLUMN end_note text NOT NULL DEFAULT '';
ALTER TABLE link ADD COLUMN updated_at timestamp;
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
ALTER TABLE link DROP COLUMN updated_at;
ALTER TABLE link DROP COLUMN end_note;
ALTER TABLE link DROP COLUMN end_reason;
CREATE TABLE ocg_new (
    id                  text PRIMARY KEY,
    partnership_id      text NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    name                text NOT NULL,
    operation_name      text NOT NULL DEFAULT '',
    summary             text NOT NULL DEFAULT '',
    status              text NOT NULL CHECK (status IN ('proposed', 'under_assessment', 'mapped', 'adopted', 'managed', 'archived')),
    ownership_level     text NOT NULL CHECK (ownership_level IN ('local', 'regional', 'national')),
    primary_threat      text NOT NULL REFERENCES threat (code),
    home_unit_id        text REFERENCES org_unit (id),
    lead_agency_id      text REFERENCES agency (id),
    lro_user_id         text REFERENCES app_user (id),
    sro_user_id         text REFERENCES app_user (id),
    review_due          text,
    adopted_on          text,
    archived_on         text,
    archive_reason      text CHECK (archive_reason IN ('dismantled', 'inactive', 'merged', 'transferred', 'not_an_ocg')),
    archive_rationale   text NOT NULL DEFAULT '',
    archive_decision    text NOT NULL DEFAULT '',
    score               double precision,
    band                text NOT NULL DEFAULT '',
    priority            text NOT NULL DEFAULT '',
    scored_on           text,
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    text NOT NULL REFERENCES agency (id),
    created_by          text NOT NULL REFERENCES app_user (id),
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL,
    UNIQUE (partnership_id, reference)
);
INSERT INTO ocg_new SELECT * FROM ocg;
DROP TABLE ocg;
ALTER TABLE ocg_new RENAME TO ocg;
CREATE INDEX ocg_status ON ocg (partnership_id, status);
CREATE INDEX ocg_score ON ocg (partnership_id, score);
-- +goose StatementBegin
CREATE TRIGGER ocg_search_ai AFTER INSERT ON ocg BEGIN
    INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    VALUES (new.partnership_id, 'ocg', new.id, 'record', new.reference || ' ' || new.name || ' ' || new.operation_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ocg_search_au AFTER UPDATE OF reference, name, operation_name ON ocg BEGIN
    UPDATE search_doc SET body = new.reference || ' ' || new.name || ' ' || new.operation_name WHERE record_id = new.id AND source = 'record';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ocg_search_ad AFTER DELETE ON ocg BEGIN
    DELETE FROM search_doc WHERE record_id = old.id;
END;
-- +goose StatementEnd

CREATE TABLE entity_new (
    id                  text PRIMARY KEY,
    partnership_id      text NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('person', 'business', 'location', 'vehicle', 'phone')),
    name                text NOT NULL,
    identifier          text NOT NULL DEFAULT '',
    dob                 text,
    gender              text NOT NULL DEFAULT '' CHECK (gender IN ('', 'female', 'male', 'other', 'unknown')),
    detail              text NOT NULL DEFAULT '',
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    text NOT NULL REFERENCES agency (id),
    created_by          text NOT NULL REFERENCES app_user (id),
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL,
    UNIQUE (partnership_id, reference)
);
INSERT INTO entity_new SELECT * FROM entity;
DROP TABLE entity;
ALTER TABLE entity_new RENAME TO entity;
CREATE INDEX entity_kind ON entity (partnership_id, kind, name);
CREATE INDEX entity_dob ON entity (partnership_id, dob);
CREATE INDEX entity_identifier ON entity (partnership_id, identifier);
-- +goose StatementBegin
CREATE TRIGGER entity_search_ad AFTER DELETE ON entity BEGIN
    DELETE FROM search_doc WHERE record_id = old.id;
END;
-- +goose StatementEnd
COMMIT;
PRAGMA foreign_keys = ON;
