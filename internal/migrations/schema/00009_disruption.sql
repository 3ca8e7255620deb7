-- +goose Up
-- Disruptions and performance (APMIS-style recording). Reference data
-- (tactics, outcome types, seizure types) is editable data. An activity is
-- an operation or intervention, opened and closed; a disruption is one
-- recorded effect on an OCG, an individual or a theme or place, with
-- exactly one 4P category, a proposed impact with its rationale, and the
-- panel's validated category and impact. Only validated disruptions count
-- in performance. Money is whole pence; sentences are months per person.
-- Days are ISO text 'YYYY-MM-DD' as in the register.

CREATE TABLE tactic (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    partner     boolean NOT NULL DEFAULT FALSE,
    sort_order  integer NOT NULL,
    active      boolean NOT NULL DEFAULT TRUE
);
INSERT INTO tactic (code, name, partner, sort_order) VALUES
    ('arrest', 'Arrest', FALSE, 10),
    ('charge', 'Charge', FALSE, 20),
    ('warrant', 'Warrant executed', FALSE, 30),
    ('search', 'Search', FALSE, 40),
    ('seizure', 'Seizure', FALSE, 50),
    ('poca_order', 'POCA order or confiscation', FALSE, 60),
    ('safeguarding_visit', 'Safeguarding visit', FALSE, 70),
    ('nrm_referral', 'NRM referral', FALSE, 80),
    ('education_input', 'Education or prevention input', FALSE, 90),
    ('closure_order', 'Closure order', TRUE, 100),
    ('licence_review', 'Licence review', TRUE, 110),
    ('tenancy_enforcement', 'Tenancy enforcement', TRUE, 120),
    ('tax_action', 'Tax action (HMRC)', TRUE, 130),
    ('benefit_action', 'Benefit action (DWP)', TRUE, 140),
    ('immigration_action', 'Immigration enforcement', TRUE, 150),
    ('vehicle_action', 'Vehicle action (DVLA, seizure, licensing)', TRUE, 160),
    ('trading_standards', 'Trading standards action', TRUE, 170),
    ('civil_order', 'Civil order (SCPO, injunction, CBO)', TRUE, 180);

-- measure says which fields of an outcome row carry its figure: count (a
-- number), seizure (count and value, with a seizure type), drugs (class,
-- quantity in grams and value), sentence (months of custody for one
-- person).
CREATE TABLE outcome_type (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    measure    text NOT NULL CHECK (measure IN ('count', 'seizure', 'drugs', 'sentence')),
    sort_order integer NOT NULL,
    active     boolean NOT NULL DEFAULT TRUE
);
INSERT INTO outcome_type (code, name, measure, sort_order) VALUES
    ('arrests', 'Arrests', 'count', 10),
    ('charges', 'Charges', 'count', 20),
    ('warrants', 'Warrants', 'count', 30),
    ('searches', 'Searches', 'count', 40),
    ('adults_safeguarded', 'Adults safeguarded', 'count', 50),
    ('children_safeguarded', 'Children safeguarded', 'count', 60),
    ('firearms', 'Firearms seized', 'count', 70),
    ('ammunition', 'Rounds of ammunition seized', 'count', 80),
    ('drugs', 'Drugs seized', 'drugs', 90),
    ('seizure', 'Cash and other seizures', 'seizure', 100),
    ('convictions', 'Convictions', 'count', 110),
    ('custodial_sentence', 'Custodial sentence', 'sentence', 120),
    ('civil_orders', 'Civil orders', 'count', 130),
    ('nrm_referrals', 'NRM referrals', 'count', 140);

-- Seizure types, with the APMIS labels the seed dashboard shows.
CREATE TABLE seizure_type (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    cash       boolean NOT NULL,
    sort_order integer NOT NULL,
    active     boolean NOT NULL DEFAULT TRUE
);
INSERT INTO seizure_type (code, name, cash, sort_order) VALUES
    ('cash_poca', 'Cash Seizure (POCA)', TRUE, 10),
    ('cash_non_poca', 'Cash Seizure (Non-POCA)', TRUE, 20),
    ('cash_pace', 'Other Seizures – Cash (PACE)', TRUE, 30),
    ('vehicle', 'Other Seizures – Vehicle', FALSE, 40),
    ('property', 'Other Seizures – Property or goods', FALSE, 50),
    ('crypto', 'Other Seizures – Cryptoassets', FALSE, 60);

CREATE TABLE activity (
    id                  {{uuid}} PRIMARY KEY,
    partnership_id      {{uuid}} NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    title               text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('operation', 'intervention')),
    ocg_id              {{uuid}} REFERENCES ocg (id),
    lead_agency_id      {{uuid}} NOT NULL REFERENCES agency (id),
    apmis_ref           text NOT NULL DEFAULT '',
    opened_on           text NOT NULL,
    closed_on           text,
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    {{uuid}} NOT NULL REFERENCES agency (id),
    created_by          {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at          {{timestamptz}} NOT NULL,
    updated_at          {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference),
    CHECK (closed_on IS NULL OR closed_on >= opened_on)
);
CREATE INDEX activity_open ON activity (partnership_id, opened_on, closed_on);

-- unit_id is the lowest unit the disruption is reported at: its ward when
-- known, else a district or the force. fiscal_year and month are derived
-- from disrupted_on when the row is written, for grouping.
CREATE TABLE disruption (
    id                  {{uuid}} PRIMARY KEY,
    partnership_id      {{uuid}} NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    activity_id         {{uuid}} REFERENCES activity (id),
    subject_kind        text NOT NULL CHECK (subject_kind IN ('ocg', 'individual', 'theme')),
    ocg_id              {{uuid}} REFERENCES ocg (id),
    entity_id           {{uuid}} REFERENCES entity (id),
    theme               text NOT NULL DEFAULT '',
    four_p              text NOT NULL CHECK (four_p IN ('pursue', 'prevent', 'protect', 'prepare')),
    impact              text NOT NULL CHECK (impact IN ('major', 'moderate', 'minor', 'none', 'negative')),
    rationale           text NOT NULL CHECK (rationale <> ''),
    validated_four_p    text CHECK (validated_four_p IN ('pursue', 'prevent', 'protect', 'prepare')),
    validated_impact    text CHECK (validated_impact IN ('major', 'moderate', 'minor', 'none', 'negative')),
    disrupted_on        text NOT NULL,
    fiscal_year         integer NOT NULL,
    month               text NOT NULL,
    unit_id             {{uuid}} NOT NULL REFERENCES org_unit (id),
    lead_agency_id      {{uuid}} NOT NULL REFERENCES agency (id),
    narrative           text NOT NULL DEFAULT '',
    status              text NOT NULL CHECK (status IN ('draft', 'submitted', 'validated', 'returned', 'withdrawn')),
    apmis_ref           text NOT NULL DEFAULT '',
    apmis_status        text NOT NULL DEFAULT 'not_submitted' CHECK (apmis_status IN ('not_submitted', 'submitted', 'accepted', 'returned')),
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    {{uuid}} NOT NULL REFERENCES agency (id),
    created_by          {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at          {{timestamptz}} NOT NULL,
    updated_at          {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference),
    CHECK ((status = 'validated') = (validated_four_p IS NOT NULL AND validated_impact IS NOT NULL)),
    CHECK (subject_kind <> 'ocg' OR ocg_id IS NOT NULL),
    CHECK (subject_kind <> 'individual' OR entity_id IS NOT NULL),
    CHECK (subject_kind <> 'theme' OR theme <> '')
);
CREATE INDEX disruption_period ON disruption (partnership_id, status, fiscal_year, unit_id);
CREATE INDEX disruption_ocg ON disruption (ocg_id, disrupted_on);
CREATE INDEX disruption_activity ON disruption (activity_id);

CREATE TABLE disruption_agency (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    disruption_id  {{uuid}} NOT NULL REFERENCES disruption (id),
    agency_id      {{uuid}} NOT NULL REFERENCES agency (id),
    PRIMARY KEY (disruption_id, agency_id)
);
CREATE INDEX disruption_agency_agency ON disruption_agency (agency_id);

CREATE TABLE disruption_tactic (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    disruption_id  {{uuid}} NOT NULL REFERENCES disruption (id),
    tactic_code    text NOT NULL REFERENCES tactic (code),
    PRIMARY KEY (disruption_id, tactic_code)
);

CREATE TABLE disruption_threat (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    disruption_id  {{uuid}} NOT NULL REFERENCES disruption (id),
    threat_code    text NOT NULL REFERENCES threat (code),
    PRIMARY KEY (disruption_id, threat_code)
);
CREATE INDEX disruption_threat_code ON disruption_threat (threat_code, disruption_id);

-- One outcome: a count, a seizure (type, count, value, and the agency that
-- seized), drugs (class, grams, value) or one person's custodial sentence
-- in months.
CREATE TABLE disruption_outcome (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    disruption_id  {{uuid}} NOT NULL REFERENCES disruption (id),
    outcome_type   text NOT NULL REFERENCES outcome_type (code),
    seizure_type   text REFERENCES seizure_type (code),
    drug_class     text CHECK (drug_class IN ('A', 'B', 'C', 'psychoactive')),
    agency_id      {{uuid}} REFERENCES agency (id),
    quantity       integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    grams          integer NOT NULL DEFAULT 0 CHECK (grams >= 0),
    value_pence    {{bigint}} NOT NULL DEFAULT 0 CHECK (value_pence >= 0),
    months         integer NOT NULL DEFAULT 0 CHECK (months >= 0),
    note           text NOT NULL DEFAULT ''
);
CREATE INDEX disruption_outcome_disruption ON disruption_outcome (disruption_id, outcome_type);

-- Every step of the workflow, with who, when and why: submitted, validated
-- (with the category and impact the panel settled on), returned, withdrawn.
CREATE TABLE disruption_decision (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    disruption_id  {{uuid}} NOT NULL REFERENCES disruption (id),
    from_status    text NOT NULL,
    to_status      text NOT NULL,
    four_p         text NOT NULL DEFAULT '',
    impact         text NOT NULL DEFAULT '',
    reason         text NOT NULL DEFAULT '',
    actor_id       {{uuid}} NOT NULL REFERENCES app_user (id),
    at             {{timestamptz}} NOT NULL
);
CREATE INDEX disruption_decision_disruption ON disruption_decision (disruption_id, at);

INSERT INTO role_permission (role_code, record_kind, action) VALUES
    ('intelligence_analyst', 'disruption', 'read'),
    ('intelligence_analyst', 'disruption', 'export'),
    ('intelligence_analyst', 'disruption', 'write'),
    ('lro', 'disruption', 'read'),
    ('lro', 'disruption', 'write'),
    ('partner_officer', 'disruption', 'read'),
    ('partner_officer', 'disruption', 'write'),
    ('disruption_panel_member', 'disruption', 'read'),
    ('disruption_panel_member', 'disruption', 'export'),
    ('board_viewer', 'disruption', 'read');

-- +goose Down
DELETE FROM role_permission WHERE record_kind = 'disruption';
DROP TABLE disruption_decision;
DROP TABLE disruption_outcome;
DROP TABLE disruption_threat;
DROP TABLE disruption_tactic;
DROP TABLE disruption_agency;
DROP TABLE disruption;
DROP TABLE activity;
DROP TABLE seizure_type;
DROP TABLE outcome_type;
DROP TABLE tactic;
