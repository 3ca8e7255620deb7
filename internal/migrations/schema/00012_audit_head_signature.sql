-- +goose Up
-- Each chain's head is signed (Ed25519, the checkpoint key) by every
-- transaction that advances it, so cutting entries off the end of a chain
-- and setting the head back no longer passes verification: the head's
-- signature would not match its new position and hash (decision 0013).
-- Heads written before this migration get no signature here (SQL has no
-- key): the migration run that applies it signs them once afterwards, with
-- the deployment's key (app.SignHeadsAfterUpgrade).
ALTER TABLE audit_head ADD COLUMN key_id text NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN signature text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_head DROP COLUMN signature;
ALTER TABLE audit_head DROP COLUMN key_id;
