-- +goose Up
-- Reference model: regions, partnerships (tenants), agency types, agencies,
-- the reporting structure (org units), roles and users. Every tenant-owned
-- table carries partnership_id. IDs are UUIDv7 made in Go; times are UTC.

CREATE TABLE app_meta (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at {{timestamptz}} NOT NULL
);

CREATE TABLE region (
    code text PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE partnership (
    id          {{uuid}} PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    programme   text NOT NULL DEFAULT '',
    region_code text REFERENCES region (code),
    created_at  {{timestamptz}} NOT NULL
);

CREATE TABLE agency_type (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    sort_order integer NOT NULL
);

CREATE TABLE agency (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    name           text NOT NULL,
    short_name     text NOT NULL DEFAULT '',
    agency_type    text NOT NULL REFERENCES agency_type (code),
    created_at     {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, name)
);
CREATE INDEX agency_partnership ON agency (partnership_id, agency_type);

CREATE TABLE org_unit (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    parent_id      {{uuid}} REFERENCES org_unit (id),
    level          text NOT NULL CHECK (level IN ('region', 'force', 'district', 'ward')),
    code           text NOT NULL,
    name           text NOT NULL,
    population     {{bigint}},
    boundary       text,
    created_at     {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, code)
);
CREATE INDEX org_unit_parent ON org_unit (partnership_id, parent_id);
CREATE INDEX org_unit_level ON org_unit (partnership_id, level, name);

CREATE TABLE role (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL,
    sort_order  integer NOT NULL
);

CREATE TABLE app_user (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    agency_id      {{uuid}} NOT NULL REFERENCES agency (id),
    email          text NOT NULL UNIQUE,
    display_name   text NOT NULL,
    active         boolean NOT NULL DEFAULT TRUE,
    created_at     {{timestamptz}} NOT NULL
);
CREATE INDEX app_user_partnership ON app_user (partnership_id, active, agency_id);
CREATE INDEX app_user_agency ON app_user (agency_id);

CREATE TABLE user_role (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    user_id        {{uuid}} NOT NULL REFERENCES app_user (id),
    role_code      text NOT NULL REFERENCES role (code),
    PRIMARY KEY (user_id, role_code)
);
CREATE INDEX user_role_partnership ON user_role (partnership_id, role_code, user_id);

INSERT INTO region (code, name) VALUES
    ('E12000001', 'North East'),
    ('E12000002', 'North West'),
    ('E12000003', 'Yorkshire and The Humber'),
    ('E12000004', 'East Midlands'),
    ('E12000005', 'West Midlands'),
    ('E12000006', 'East of England'),
    ('E12000007', 'London'),
    ('E12000008', 'South East'),
    ('E12000009', 'South West'),
    ('W92000004', 'Wales');

INSERT INTO agency_type (code, name, sort_order) VALUES
    ('police', 'Police', 10),
    ('rocu', 'Regional organised crime unit', 20),
    ('nca', 'National Crime Agency', 30),
    ('local_authority', 'Local authority', 40),
    ('fire_rescue', 'Fire and rescue', 50),
    ('health', 'Health', 60),
    ('hmrc', 'HM Revenue and Customs', 70),
    ('dwp', 'Department for Work and Pensions', 80),
    ('probation', 'Probation', 90),
    ('housing', 'Housing', 100),
    ('education', 'Education', 110),
    ('community_safety_partnership', 'Community safety partnership', 120),
    ('charity', 'Charity or voluntary sector', 130),
    ('other', 'Other', 140);

INSERT INTO role (code, name, description, sort_order) VALUES
    ('administrator', 'Administrator', 'Administers partnerships, agencies, users and reference data. Does not thereby see intelligence.', 10),
    ('intelligence_analyst', 'Intelligence analyst', 'Keeps the OCG register and scores, grades and links intelligence, produces profiles and board packs.', 20),
    ('lro', 'Lead responsible officer', 'Owns an OCG''s 4P plan, tasks partners and records outcomes.', 30),
    ('partner_officer', 'Partner officer', 'Sees what the sharing rules allow, submits information and records their agency''s disruptions.', 40),
    ('disruption_panel_member', 'Disruption panel member', 'Validates the 4P category and impact of submitted disruptions.', 50),
    ('board_viewer', 'Board viewer', 'Sees performance at a glance for the SOC Board.', 60),
    ('referral_coordinator', 'Referral coordinator', 'Manages prevention, safeguarding and NRM referrals.', 70),
    ('auditor', 'Auditor (data protection officer)', 'Reads the audit log, sharing agreements and disclosures.', 80);

-- +goose Down
DROP TABLE user_role;
DROP TABLE app_user;
DROP TABLE role;
DROP TABLE org_unit;
DROP TABLE agency;
DROP TABLE agency_type;
DROP TABLE partnership;
DROP TABLE region;
DROP TABLE app_meta;
