-- +goose Up
-- Per-partnership counters for human references (IR-2026-000042). A writer
-- advances the row with UPDATE … RETURNING, which serialises writers of one
-- partnership on both engines, so two app servers never hand out one number.
CREATE TABLE record_counter (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    kind           text NOT NULL,
    next           bigint NOT NULL,
    PRIMARY KEY (partnership_id, kind)
);
INSERT INTO record_counter (partnership_id, kind, next)
    SELECT partnership_id, 'info_report', count(*) FROM info_report GROUP BY partnership_id;

-- +goose Down
DROP TABLE record_counter;
