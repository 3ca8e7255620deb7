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
ALTER TABLE ocg DROP CONSTRAINT ocg_partnership_id_reference_key;
CREATE INDEX ocg_reference ON ocg (partnership_id, reference);
CREATE UNIQUE INDEX ocg_agency_reference ON ocg (partnership_id, origin_agency_id, reference) WHERE NOT restricted;
ALTER TABLE entity DROP CONSTRAINT entity_partnership_id_reference_key;
CREATE INDEX entity_reference ON entity (partnership_id, reference);
CREATE UNIQUE INDEX entity_agency_reference ON entity (partnership_id, origin_agency_id, reference) WHERE NOT restricted;

ALTER TABLE link ADD COLUMN end_reason text NOT NULL DEFAULT ''
    CHECK (end_reason IN ('', 'left', 'imprisoned', 'deceased', 'safeguarded', 'moved_away', 'added_in_error', 'other'));
ALTER TABLE link ADD COLUMN end_note text NOT NULL DEFAULT '';
ALTER TABLE link ADD COLUMN updated_at timestamp;

-- +goose Down
ALTER TABLE link DROP COLUMN updated_at;
ALTER TABLE link DROP COLUMN end_note;
ALTER TABLE link DROP COLUMN end_reason;
DROP INDEX entity_agency_reference;
DROP INDEX entity_reference;
ALTER TABLE entity ADD CONSTRAINT entity_partnership_id_reference_key UNIQUE (partnership_id, reference);
DROP INDEX ocg_agency_reference;
DROP INDEX ocg_reference;
ALTER TABLE ocg ADD CONSTRAINT ocg_partnership_id_reference_key UNIQUE (partnership_id, reference);
