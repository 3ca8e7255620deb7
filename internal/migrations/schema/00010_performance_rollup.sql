-- +goose Up
-- The performance roll-up: validated disruptions counted into cells by
-- area, threat, month and access scope, at the unit they are reported at and at
-- every unit above it, so that a dashboard for any area and period reads
-- a few thousand cells instead of every disruption and outcome. Cells
-- are kept in the transaction that validates a disruption (validated is
-- final, and a disruption's figures never change after it), and rebuilt
-- for a partnership when its reporting structure changes.
--
-- An access scope is what decides who may count a disruption: its
-- marking, its group's marking and its person's restriction, reduced to
-- the parts that matter (authz.AccessKey), so that disruptions visible to
-- exactly the same people share one. A scope keeps one disruption, group
-- and person of its kind, whose markings (which never change) the access
-- policy is applied to; records with equal keys are visible to the same
-- actors, so the one stands for all.
CREATE TABLE performance_scope (
    id                   {{bigint_identity}} PRIMARY KEY,
    partnership_id       {{uuid}} NOT NULL REFERENCES partnership (id),
    access_key           text NOT NULL,
    disruption_id        {{uuid}} NOT NULL REFERENCES disruption (id),
    classification       text NOT NULL,
    handling_code        text NOT NULL,
    restricted           boolean NOT NULL,
    origin_agency_id     {{uuid}} NOT NULL REFERENCES agency (id),
    ocg_id               {{uuid}} REFERENCES ocg (id),
    ocg_classification   text NOT NULL DEFAULT '',
    ocg_handling_code    text NOT NULL DEFAULT '',
    ocg_restricted       boolean NOT NULL DEFAULT FALSE,
    ocg_origin_agency_id {{uuid}} REFERENCES agency (id),
    entity_id            {{uuid}} REFERENCES entity (id),
    UNIQUE (partnership_id, access_key)
);

ALTER TABLE disruption ADD COLUMN scope_id {{bigint}};

CREATE TABLE performance_count (
    partnership_id {{uuid}} NOT NULL,
    unit_id        {{uuid}} NOT NULL,
    threat_code    text NOT NULL,
    month          text NOT NULL,
    scope_id       {{bigint}} NOT NULL,
    four_p         text NOT NULL,
    impact         text NOT NULL,
    n              integer NOT NULL,
    PRIMARY KEY (partnership_id, unit_id, threat_code, month, scope_id, four_p, impact)
){{without_rowid}};

-- threat_code is '' in the cells that count every disruption once, and a
-- threat's code in those that count the disruptions with that threat (a
-- disruption with two threats is in both, and once in '').
-- seizure_type and agency ('' when the outcome is not a seizure: the
-- agency that seized, or the lead agency).
CREATE TABLE performance_outcome (
    partnership_id {{uuid}} NOT NULL,
    unit_id        {{uuid}} NOT NULL,
    threat_code    text NOT NULL,
    month          text NOT NULL,
    scope_id       {{bigint}} NOT NULL,
    outcome_type   text NOT NULL,
    seizure_type   text NOT NULL,
    agency         text NOT NULL,
    n              integer NOT NULL,
    quantity       bigint NOT NULL,
    months         bigint NOT NULL,
    value_pence    bigint NOT NULL,
    PRIMARY KEY (partnership_id, unit_id, threat_code, month, scope_id, outcome_type, seizure_type, agency)
){{without_rowid}};

-- +goose Down
DROP TABLE performance_outcome;
DROP TABLE performance_count;
ALTER TABLE disruption DROP COLUMN scope_id;
DROP TABLE performance_scope;
