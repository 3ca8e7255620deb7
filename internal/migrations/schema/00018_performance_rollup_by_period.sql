-- +goose Up
-- The performance roll-up keyed by what the dashboard reads (decision
-- 0026). The cells of 00010 were one per unit, threat, month, scope,
-- category and impact (and per outcome type, seizure type and agency), at
-- every unit from the ward up: 4.5 cells per disruption, and a regional
-- year's breakdown by area read 86,513 of them. The new cells:
--
--   performance_month: per unit, month and scope, the disruptions and, as
--     columns, how many of them fall in each 4P category and each impact
--     (the dashboard shows the two separately, never crossed);
--   performance_quarter: per unit, financial quarter (keyed by its first
--     month), threat ('' for every disruption) and scope, the disruptions:
--     the breakdown by area and by threat;
--   performance_outcome: per unit, quarter and scope, the outcomes by type,
--     seizure type and agency.
--
-- Disruptions are counted at the units above their reporting unit that
-- are not wards (and at their own when it is not a ward): a ward's
-- figures, and the breakdown of a district by ward, are counted from the
-- disruptions themselves, a few dozen a year. The threat and agency
-- filters are counted from the disruptions too.
--
-- The scopes stay. Every validated disruption loses its scope here, so
-- that the migration run's BuildRollup gives it one again and counts every
-- partnership into the new cells from its rows.
DROP TABLE performance_outcome;
DROP TABLE performance_count;

CREATE TABLE performance_month (
    partnership_id {{uuid}} NOT NULL,
    unit_id        {{uuid}} NOT NULL,
    month          text NOT NULL,
    scope_id       {{bigint}} NOT NULL,
    n              integer NOT NULL,
    pursue         integer NOT NULL,
    prevent        integer NOT NULL,
    protect        integer NOT NULL,
    prepare        integer NOT NULL,
    major          integer NOT NULL,
    moderate       integer NOT NULL,
    minor          integer NOT NULL,
    no_impact      integer NOT NULL,
    negative       integer NOT NULL,
    PRIMARY KEY (partnership_id, unit_id, month, scope_id)
){{without_rowid}};

CREATE TABLE performance_quarter (
    partnership_id {{uuid}} NOT NULL,
    unit_id        {{uuid}} NOT NULL,
    quarter        text NOT NULL,
    threat_code    text NOT NULL,
    scope_id       {{bigint}} NOT NULL,
    n              integer NOT NULL,
    PRIMARY KEY (partnership_id, unit_id, threat_code, quarter, scope_id)
){{without_rowid}};

CREATE TABLE performance_outcome (
    partnership_id {{uuid}} NOT NULL,
    unit_id        {{uuid}} NOT NULL,
    quarter        text NOT NULL,
    scope_id       {{bigint}} NOT NULL,
    outcome_type   text NOT NULL,
    seizure_type   text NOT NULL,
    agency         text NOT NULL,
    n              integer NOT NULL,
    quantity       {{bigint}} NOT NULL,
    months         {{bigint}} NOT NULL,
    value_pence    {{bigint}} NOT NULL,
    PRIMARY KEY (partnership_id, unit_id, quarter, scope_id, outcome_type, seizure_type, agency)
){{without_rowid}};

UPDATE disruption SET scope_id = NULL WHERE scope_id IS NOT NULL;

-- +goose Down
DROP TABLE performance_outcome;
DROP TABLE performance_quarter;
DROP TABLE performance_month;
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
UPDATE disruption SET scope_id = NULL WHERE scope_id IS NOT NULL;
