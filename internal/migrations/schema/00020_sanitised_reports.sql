-- +goose Up
-- Partners read police intelligence only through sanitised products: a
-- sanitised version is an information report of its own, written by the
-- intelligence unit from an original (sanitised_from), handled C, and
-- disseminated to named agencies or agency types under an information
-- sharing agreement. Each dissemination adds the recipients to the
-- version's handling conditions (record_condition), so the one policy lets
-- them read it, and is recorded here and as a disclosure.
ALTER TABLE info_report ADD COLUMN sanitised_from {{uuid}} REFERENCES info_report (id);
CREATE INDEX info_report_sanitised ON info_report (sanitised_from);

CREATE TABLE dissemination (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    report_id      {{uuid}} NOT NULL REFERENCES info_report (id),
    agency_id      {{uuid}} REFERENCES agency (id),
    agency_type    text,
    isa_id         {{uuid}} NOT NULL REFERENCES isa (id),
    purpose        text NOT NULL,
    actor_id       {{uuid}} NOT NULL REFERENCES app_user (id),
    at             {{timestamptz}} NOT NULL,
    CHECK ((agency_id IS NULL) <> (agency_type IS NULL))
);
CREATE INDEX dissemination_report ON dissemination (report_id, at);

-- +goose Down
DROP TABLE dissemination;
DROP INDEX info_report_sanitised;
ALTER TABLE info_report DROP COLUMN sanitised_from;
