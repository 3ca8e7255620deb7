-- +goose Up
-- The OCG register: threats (reference data), organised crime groups with
-- their lifecycle, the people, businesses, locations, vehicles and phones
-- around them, typed and dated links between any two, versioned scoring
-- models and assessments, 4P plans, and the search keys that make names
-- findable despite spelling. Dates that are days (date of birth, due dates,
-- decision dates) are ISO text 'YYYY-MM-DD' on both engines, so they compare
-- and group the same way everywhere.

-- SOC threats: the national categories (2018 SOC Strategy) and local themes.
-- picture_group gathers threats the OCG picture reports together
-- ("drugs or county lines").
CREATE TABLE threat (
    code          text PRIMARY KEY,
    name          text NOT NULL,
    picture_group text NOT NULL,
    national      boolean NOT NULL,
    sort_order    integer NOT NULL,
    active        boolean NOT NULL DEFAULT TRUE
);
INSERT INTO threat (code, name, picture_group, national, sort_order) VALUES
    ('drugs', 'Illegal drugs', 'Drugs or county lines', TRUE, 10),
    ('county_lines', 'County lines', 'Drugs or county lines', FALSE, 20),
    ('firearms', 'Illegal firearms', 'Illegal firearms', TRUE, 30),
    ('modern_slavery', 'Modern slavery and human trafficking', 'Modern slavery and human trafficking', TRUE, 40),
    ('child_sexual_abuse', 'Child sexual abuse', 'Child sexual abuse and exploitation', TRUE, 50),
    ('cse', 'Child sexual exploitation', 'Child sexual abuse and exploitation', FALSE, 60),
    ('immigration_crime', 'Organised immigration crime', 'Organised immigration crime', TRUE, 70),
    ('acquisitive_crime', 'Organised acquisitive crime', 'Organised acquisitive crime', TRUE, 80),
    ('burglary', 'Burglary', 'Burglary', FALSE, 90),
    ('cyber_crime', 'Cyber crime', 'Cyber crime', TRUE, 100),
    ('fraud', 'Fraud', 'Fraud', TRUE, 110),
    ('money_laundering', 'Money laundering', 'Money laundering', TRUE, 120),
    ('bribery_corruption', 'Bribery, corruption and sanctions evasion', 'Bribery, corruption and sanctions evasion', TRUE, 130),
    ('gangs_violence', 'Gangs and serious violence', 'Gangs and serious violence', FALSE, 140);

-- Flags that may be put on a person ("vulnerable", "exploited child").
CREATE TABLE person_flag_type (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    sort_order integer NOT NULL
);
INSERT INTO person_flag_type (code, name, sort_order) VALUES
    ('vulnerable', 'Vulnerable', 10),
    ('exploited_child', 'Exploited child', 20),
    ('cuckooing_victim', 'Cuckooing victim', 30),
    ('weapons', 'Weapons', 40),
    ('violence', 'Violence', 50),
    ('drugs_supply', 'Drugs supply', 60),
    ('mental_health', 'Mental health', 70),
    ('missing_person', 'Missing person', 80);

-- Organised crime groups. The marking columns (origin_agency_id,
-- classification, handling_code, restricted) are what the access policy
-- reads. score, band and scored_on mirror the latest OCGM assessment so the
-- ranked list needs no join.
CREATE TABLE ocg (
    id                  {{uuid}} PRIMARY KEY,
    partnership_id      {{uuid}} NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    name                text NOT NULL,
    operation_name      text NOT NULL DEFAULT '',
    summary             text NOT NULL DEFAULT '',
    status              text NOT NULL CHECK (status IN ('proposed', 'under_assessment', 'mapped', 'adopted', 'managed', 'archived')),
    ownership_level     text NOT NULL CHECK (ownership_level IN ('local', 'regional', 'national')),
    primary_threat      text NOT NULL REFERENCES threat (code),
    home_unit_id        {{uuid}} REFERENCES org_unit (id),
    lead_agency_id      {{uuid}} REFERENCES agency (id),
    lro_user_id         {{uuid}} REFERENCES app_user (id),
    sro_user_id         {{uuid}} REFERENCES app_user (id),
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
    origin_agency_id    {{uuid}} NOT NULL REFERENCES agency (id),
    created_by          {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at          {{timestamptz}} NOT NULL,
    updated_at          {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference)
);
CREATE INDEX ocg_status ON ocg (partnership_id, status);
CREATE INDEX ocg_score ON ocg (partnership_id, score);

CREATE TABLE ocg_threat (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    ocg_id         {{uuid}} NOT NULL REFERENCES ocg (id),
    threat_code    text NOT NULL REFERENCES threat (code),
    PRIMARY KEY (ocg_id, threat_code)
);

-- Areas of operation: wards (or districts) where the group operates.
CREATE TABLE ocg_area (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    ocg_id         {{uuid}} NOT NULL REFERENCES ocg (id),
    unit_id        {{uuid}} NOT NULL REFERENCES org_unit (id),
    PRIMARY KEY (ocg_id, unit_id)
);

-- Every lifecycle step: who, when, and the meeting or decision behind it.
CREATE TABLE ocg_transition (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    ocg_id         {{uuid}} NOT NULL REFERENCES ocg (id),
    from_status    text NOT NULL,
    to_status      text NOT NULL,
    decided_on     text NOT NULL,
    decision       text NOT NULL DEFAULT '',
    note           text NOT NULL DEFAULT '',
    actor_id       {{uuid}} NOT NULL REFERENCES app_user (id),
    at             {{timestamptz}} NOT NULL
);
CREATE INDEX ocg_transition_ocg ON ocg_transition (ocg_id, decided_on);
CREATE INDEX ocg_transition_picture ON ocg_transition (partnership_id, decided_on);

-- People, businesses, locations, vehicles and phones: the nodes of the
-- partnership's network besides the groups. name is what a person is
-- called, a business's name, an address, a registration or a number;
-- identifier its normalised key (registration, number, company number,
-- postcode).
CREATE TABLE entity (
    id                  {{uuid}} PRIMARY KEY,
    partnership_id      {{uuid}} NOT NULL REFERENCES partnership (id),
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
    origin_agency_id    {{uuid}} NOT NULL REFERENCES agency (id),
    created_by          {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at          {{timestamptz}} NOT NULL,
    updated_at          {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference)
);
CREATE INDEX entity_kind ON entity (partnership_id, kind, name);
CREATE INDEX entity_dob ON entity (partnership_id, dob);
CREATE INDEX entity_identifier ON entity (partnership_id, identifier);

-- A person's other names: aliases and nicknames.
CREATE TABLE entity_alias (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    entity_id      {{uuid}} NOT NULL REFERENCES entity (id),
    kind           text NOT NULL CHECK (kind IN ('alias', 'nickname')),
    value          text NOT NULL,
    PRIMARY KEY (entity_id, kind, value)
);

CREATE TABLE entity_flag (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    entity_id      {{uuid}} NOT NULL REFERENCES entity (id),
    flag           text NOT NULL REFERENCES person_flag_type (code),
    PRIMARY KEY (entity_id, flag)
);

-- Typed, dated links between any two nodes (an entity or a group). A
-- membership is a 'member_of' link from a person to a group with a role.
-- The whole network of a partnership is one scan of this table.
CREATE TABLE link (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    from_kind      text NOT NULL CHECK (from_kind IN ('entity', 'ocg')),
    from_id        {{uuid}} NOT NULL,
    to_kind        text NOT NULL CHECK (to_kind IN ('entity', 'ocg')),
    to_id          {{uuid}} NOT NULL,
    type           text NOT NULL CHECK (type IN ('member_of', 'associate', 'family', 'lives_at', 'uses', 'owns', 'controls')),
    role           text NOT NULL DEFAULT '' CHECK (role IN ('', 'principal', 'significant', 'peripheral')),
    valid_from     text,
    valid_to       text,
    source_ref     text NOT NULL DEFAULT '',
    confidence     text NOT NULL CHECK (confidence IN ('high', 'medium', 'low')),
    note           text NOT NULL DEFAULT '',
    created_by     {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at     {{timestamptz}} NOT NULL,
    CHECK ((type = 'member_of') = (role <> ''))
);
CREATE INDEX link_from ON link (from_id, type);
CREATE INDEX link_to ON link (to_id, type);
CREATE INDEX link_partnership ON link (partnership_id);

-- Search keys: normalised name tokens, Double Metaphone codes, dates of
-- birth, references and identifiers, one row per key per record. Candidate
-- lookup is an index range on (partnership_id, key); ranking is in Go.
-- Keys are derived data, written and deleted only with their record by the
-- store, so they carry no foreign key: checking one per key row was more
-- than a third of a PostgreSQL import's time.
CREATE TABLE search_key (
    partnership_id {{uuid}} NOT NULL,
    key            text NOT NULL,
    record_kind    text NOT NULL CHECK (record_kind IN ('entity', 'ocg')),
    record_id      {{uuid}} NOT NULL,
    PRIMARY KEY (partnership_id, key, record_id)
);
CREATE INDEX search_key_record ON search_key (record_id);

-- Scoring models as versioned data. definition is the model (attributes,
-- weights, bands, scales) as JSON; a version is never changed once used,
-- an edit makes the next version.
CREATE TABLE scoring_model (
    id          {{uuid}} PRIMARY KEY,
    method      text NOT NULL CHECK (method IN ('ocgm', 'morile')),
    version     integer NOT NULL,
    name        text NOT NULL,
    definition  text NOT NULL,
    is_default  boolean NOT NULL DEFAULT FALSE,
    current     boolean NOT NULL DEFAULT TRUE,
    created_by  {{uuid}} REFERENCES app_user (id),
    created_at  {{timestamptz}} NOT NULL,
    UNIQUE (method, version)
);

-- One scoring of one group by one method: the model version, the inputs and
-- the result as recorded, so any past score can be reproduced.
CREATE TABLE ocg_assessment (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    ocg_id         {{uuid}} NOT NULL REFERENCES ocg (id),
    method         text NOT NULL CHECK (method IN ('ocgm', 'morile')),
    model_id       {{uuid}} NOT NULL REFERENCES scoring_model (id),
    assessed_on    text NOT NULL,
    inputs         text NOT NULL,
    result         text NOT NULL,
    score          double precision NOT NULL,
    band           text NOT NULL DEFAULT '',
    priority       text NOT NULL DEFAULT '',
    confidence     integer NOT NULL CHECK (confidence IN (1, 2, 3)),
    rationale      text NOT NULL DEFAULT '',
    needs_review   boolean NOT NULL DEFAULT FALSE,
    review_note    text NOT NULL DEFAULT '',
    assessed_by    {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at     {{timestamptz}} NOT NULL
);
CREATE INDEX ocg_assessment_ocg ON ocg_assessment (ocg_id, assessed_on);

-- 4P plans: one current plan per group (earlier versions kept), with a
-- review date, and actions under Pursue, Prevent, Protect and Prepare.
CREATE TABLE plan (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    ocg_id         {{uuid}} NOT NULL REFERENCES ocg (id),
    version        integer NOT NULL,
    status         text NOT NULL CHECK (status IN ('draft', 'active', 'under_review', 'closed')),
    objectives     text NOT NULL DEFAULT '',
    review_due     text NOT NULL,
    created_by     {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at     {{timestamptz}} NOT NULL,
    updated_at     {{timestamptz}} NOT NULL,
    UNIQUE (ocg_id, version)
);

CREATE TABLE plan_action (
    id              {{uuid}} PRIMARY KEY,
    partnership_id  {{uuid}} NOT NULL REFERENCES partnership (id),
    plan_id         {{uuid}} NOT NULL REFERENCES plan (id),
    strand          text NOT NULL CHECK (strand IN ('pursue', 'prevent', 'protect', 'prepare')),
    description     text NOT NULL,
    owner_agency_id {{uuid}} NOT NULL REFERENCES agency (id),
    owner_name      text NOT NULL,
    due_on          text NOT NULL,
    status          text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done', 'cancelled')),
    outcome         text NOT NULL DEFAULT '',
    created_at      {{timestamptz}} NOT NULL,
    updated_at      {{timestamptz}} NOT NULL
);
CREATE INDEX plan_action_plan ON plan_action (plan_id);

INSERT INTO role_permission (role_code, record_kind, action) VALUES
    ('intelligence_analyst', 'ocg', 'read'),
    ('intelligence_analyst', 'ocg', 'export'),
    ('intelligence_analyst', 'ocg', 'write'),
    ('intelligence_analyst', 'entity', 'read'),
    ('intelligence_analyst', 'entity', 'export'),
    ('intelligence_analyst', 'entity', 'write'),
    ('lro', 'ocg', 'read'),
    ('lro', 'ocg', 'write'),
    ('lro', 'entity', 'read'),
    ('lro', 'entity', 'write'),
    ('partner_officer', 'ocg', 'read'),
    ('partner_officer', 'entity', 'read'),
    ('disruption_panel_member', 'ocg', 'read'),
    ('board_viewer', 'ocg', 'read');

-- +goose Down
DELETE FROM role_permission WHERE record_kind IN ('ocg', 'entity');
DROP TABLE plan_action;
DROP TABLE plan;
DROP TABLE ocg_assessment;
DROP TABLE scoring_model;
DROP TABLE search_key;
DROP TABLE link;
DROP TABLE entity_flag;
DROP TABLE entity_alias;
DROP TABLE entity;
DROP TABLE ocg_transition;
DROP TABLE ocg_area;
DROP TABLE ocg_threat;
DROP TABLE ocg;
DROP TABLE person_flag_type;
DROP TABLE threat;
