-- +goose NO TRANSACTION
-- +goose Up
-- Two changes to information reports (issue 17).
--
-- 1. Historic reports graded under 5x5x5 keep their grading as recorded
--    (DOMAIN.md 4.2): grading_scheme says which scheme a report was graded
--    under; for '5x5x5', source_grade holds the source evaluation (A to E),
--    intel_grade the intelligence evaluation (1 to 5) and legacy_handling
--    the handling code (1 to 5). handling_code (P or C) stays what the
--    access policy reads: an imported historic report is handled C, with
--    its recorded handling as the conditions (decision 32).
-- 2. Full-text search over a report's reference, title, text and grading:
--    an FTS5 index (report_fts) without a copy of the text, whose rowid is
--    the report's doc_id, kept by triggers.
--
-- SQLite cannot change a CHECK constraint, so info_report is rebuilt the
-- documented way (sqlite.org/lang_altertable.html, section 7), as in 00013.
-- doc_id becomes the rowid (INTEGER PRIMARY KEY), so it never changes on
-- VACUUM; id stays unique and is what every other table refers to.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE info_report_new (
    doc_id              INTEGER PRIMARY KEY,
    id                  text NOT NULL UNIQUE,
    partnership_id      text NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    title               text NOT NULL,
    body                text NOT NULL,
    source_grade        text NOT NULL,
    intel_grade         text NOT NULL,
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    text NOT NULL REFERENCES agency (id),
    area_id             text REFERENCES org_unit (id),
    created_by          text NOT NULL REFERENCES app_user (id),
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL,
    sanitised_from      text REFERENCES info_report (id),
    grading_scheme      text NOT NULL DEFAULT '3x5x2',
    legacy_handling     text NOT NULL DEFAULT '',
    UNIQUE (partnership_id, reference),
    CHECK ((grading_scheme = '3x5x2' AND source_grade IN ('1', '2', '3') AND intel_grade IN ('A', 'B', 'C', 'D', 'E') AND legacy_handling = '')
        OR (grading_scheme = '5x5x5' AND source_grade IN ('A', 'B', 'C', 'D', 'E') AND intel_grade IN ('1', '2', '3', '4', '5')
            AND legacy_handling IN ('1', '2', '3', '4', '5') AND handling_code = 'C'))
);
INSERT INTO info_report_new (id, partnership_id, reference, title, body, source_grade, intel_grade, handling_code,
        handling_conditions, classification, restricted, origin_agency_id, area_id, created_by, created_at, updated_at, sanitised_from)
    SELECT id, partnership_id, reference, title, body, source_grade, intel_grade, handling_code,
        handling_conditions, classification, restricted, origin_agency_id, area_id, created_by, created_at, updated_at, sanitised_from
    FROM info_report ORDER BY created_at, id;
DROP TABLE info_report;
ALTER TABLE info_report_new RENAME TO info_report;
CREATE INDEX info_report_list ON info_report (partnership_id, created_at);
CREATE INDEX info_report_origin ON info_report (partnership_id, origin_agency_id);
CREATE INDEX info_report_sanitised ON info_report (sanitised_from);
CREATE VIRTUAL TABLE report_fts USING fts5(doc, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
INSERT INTO report_fts (rowid, doc)
    SELECT doc_id, reference || ' ' || title || ' ' || body || ' ' || source_grade || intel_grade || legacy_handling || ' ' || handling_code || ' ' || grading_scheme
    FROM info_report;
-- +goose StatementBegin
CREATE TRIGGER info_report_fts_ai AFTER INSERT ON info_report BEGIN
    INSERT INTO report_fts (rowid, doc) VALUES (new.doc_id,
        new.reference || ' ' || new.title || ' ' || new.body || ' ' || new.source_grade || new.intel_grade || new.legacy_handling || ' ' || new.handling_code || ' ' || new.grading_scheme);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER info_report_fts_ad AFTER DELETE ON info_report BEGIN
    DELETE FROM report_fts WHERE rowid = old.doc_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER info_report_fts_au AFTER UPDATE ON info_report BEGIN
    DELETE FROM report_fts WHERE rowid = old.doc_id;
    INSERT INTO report_fts (rowid, doc) VALUES (new.doc_id,
        new.reference || ' ' || new.title || ' ' || new.body || ' ' || new.source_grade || new.intel_grade || new.legacy_handling || ' ' || new.handling_code || ' ' || new.grading_scheme);
END;
-- +goose StatementEnd
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DROP TABLE report_fts;
CREATE TABLE info_report_old (
    id                  text PRIMARY KEY,
    partnership_id      text NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    title               text NOT NULL,
    body                text NOT NULL,
    source_grade        text NOT NULL CHECK (source_grade IN ('1', '2', '3')),
    intel_grade         text NOT NULL CHECK (intel_grade IN ('A', 'B', 'C', 'D', 'E')),
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    text NOT NULL REFERENCES agency (id),
    area_id             text REFERENCES org_unit (id),
    created_by          text NOT NULL REFERENCES app_user (id),
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL,
    sanitised_from      text REFERENCES info_report (id),
    UNIQUE (partnership_id, reference)
);
INSERT INTO info_report_old SELECT id, partnership_id, reference, title, body, source_grade, intel_grade, handling_code,
        handling_conditions, classification, restricted, origin_agency_id, area_id, created_by, created_at, updated_at, sanitised_from
    FROM info_report;
DROP TABLE info_report;
ALTER TABLE info_report_old RENAME TO info_report;
CREATE INDEX info_report_list ON info_report (partnership_id, created_at);
CREATE INDEX info_report_origin ON info_report (partnership_id, origin_agency_id);
CREATE INDEX info_report_sanitised ON info_report (sanitised_from);
COMMIT;
PRAGMA foreign_keys = ON;
