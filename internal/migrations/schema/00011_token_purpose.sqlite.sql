-- +goose Up
-- An API token carries the purpose its reads of records are for, logged as
-- the justification of each consultation (DPA 2018 s.62). A request may
-- give its own in the X-Alliance-Purpose header instead; a read of a
-- record with neither is refused. Existing tokens of people have no
-- purpose: they keep working only with the header. A partner system's
-- token reads under its sharing agreement, so it takes the purposes that
-- agreement records, on one line and at most 500 characters like every
-- purpose.
ALTER TABLE api_token ADD COLUMN purpose text NOT NULL DEFAULT '';
UPDATE api_token SET purpose = (
    SELECT trim(substr(replace(replace(replace('Under ' || isa.reference || ': ' || isa.purposes, char(13), ' '), char(10), ' '), char(9), ' '), 1, 500))
    FROM isa WHERE isa.id = api_token.isa_id)
WHERE isa_id IS NOT NULL;

-- +goose Down
ALTER TABLE api_token DROP COLUMN purpose;
