-- +goose Up
-- What an information report concerns: the groups and register entities
-- (people, businesses, addresses, vehicles, phones) an analyst linked it to.
-- A link shows only where the viewer may see both ends.
CREATE TABLE report_link (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    report_id      {{uuid}} NOT NULL REFERENCES info_report (id),
    node_kind      text NOT NULL CHECK (node_kind IN ('ocg', 'entity')),
    node_id        {{uuid}} NOT NULL,
    created_by     {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at     {{timestamptz}} NOT NULL,
    PRIMARY KEY (report_id, node_kind, node_id)
);
CREATE INDEX report_link_node ON report_link (node_id, report_id);

-- +goose Down
DROP TABLE report_link;
