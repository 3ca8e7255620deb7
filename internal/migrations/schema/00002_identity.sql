-- +goose Up
-- Identity and access: credentials, second factors, sessions, throttles,
-- sign-in history, reset links, API tokens, role permissions as data, and
-- the marking side tables every protected record uses (handling conditions
-- and need-to-know grants).

ALTER TABLE app_user ADD COLUMN password_hash text;
ALTER TABLE app_user ADD COLUMN password_changed_at {{timestamptz}};
ALTER TABLE app_user ADD COLUMN totp_secret text;
ALTER TABLE app_user ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN second_factor_exempt boolean NOT NULL DEFAULT FALSE;
ALTER TABLE app_user ADD COLUMN oidc_issuer text;
ALTER TABLE app_user ADD COLUMN oidc_subject text;
ALTER TABLE app_user ADD COLUMN service_account boolean NOT NULL DEFAULT FALSE;
ALTER TABLE app_user ADD COLUMN last_sign_in_at {{timestamptz}};
ALTER TABLE app_user ADD COLUMN deactivated_at {{timestamptz}};
CREATE UNIQUE INDEX app_user_oidc ON app_user (oidc_issuer, oidc_subject);

CREATE TABLE recovery_code (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    user_id        {{uuid}} NOT NULL REFERENCES app_user (id),
    code_hash      text NOT NULL,
    used_at        {{timestamptz}}
);
CREATE INDEX recovery_code_user ON recovery_code (user_id);

CREATE TABLE user_session (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    user_id        {{uuid}} NOT NULL REFERENCES app_user (id),
    token_hash     text NOT NULL UNIQUE,
    stage          text NOT NULL CHECK (stage IN ('second_factor', 'full')),
    method         text NOT NULL,
    created_at     {{timestamptz}} NOT NULL,
    last_seen_at   {{timestamptz}} NOT NULL,
    expires_at     {{timestamptz}} NOT NULL,
    revoked_at     {{timestamptz}},
    client_addr    text NOT NULL DEFAULT '',
    user_agent     text NOT NULL DEFAULT ''
);
CREATE INDEX user_session_user ON user_session (user_id, revoked_at);

CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    failures     integer NOT NULL,
    window_start {{timestamptz}} NOT NULL,
    locked_until {{timestamptz}},
    updated_at   {{timestamptz}} NOT NULL
);

CREATE TABLE sign_in_event (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} REFERENCES partnership (id),
    user_id        {{uuid}} REFERENCES app_user (id),
    at             {{timestamptz}} NOT NULL,
    outcome        text NOT NULL,
    method         text NOT NULL,
    client_addr    text NOT NULL DEFAULT ''
);
CREATE INDEX sign_in_event_user ON sign_in_event (user_id, at);
CREATE INDEX sign_in_event_partnership ON sign_in_event (partnership_id, at);

CREATE TABLE password_reset (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    user_id        {{uuid}} NOT NULL REFERENCES app_user (id),
    token_hash     text NOT NULL UNIQUE,
    created_by     {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at     {{timestamptz}} NOT NULL,
    expires_at     {{timestamptz}} NOT NULL,
    used_at        {{timestamptz}}
);

CREATE TABLE api_token (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    user_id        {{uuid}} NOT NULL REFERENCES app_user (id),
    name           text NOT NULL,
    token_hash     text NOT NULL UNIQUE,
    prefix         text NOT NULL,
    scopes         text NOT NULL,
    created_by     {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at     {{timestamptz}} NOT NULL,
    expires_at     {{timestamptz}} NOT NULL,
    revoked_at     {{timestamptz}},
    last_used_at   {{timestamptz}}
);
CREATE INDEX api_token_user ON api_token (user_id);

-- What each role may do to each kind of protected record. Defaults below;
-- administrators may edit them.
CREATE TABLE role_permission (
    role_code   text NOT NULL REFERENCES role (code),
    record_kind text NOT NULL,
    action      text NOT NULL CHECK (action IN ('read', 'export', 'write')),
    PRIMARY KEY (role_code, record_kind, action)
);

-- Handling code C: the agencies and agency types the conditions allow.
CREATE TABLE record_condition (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    record_id      {{uuid}} NOT NULL,
    agency_id      {{uuid}} REFERENCES agency (id),
    agency_type    text REFERENCES agency_type (code),
    CHECK ((agency_id IS NULL) <> (agency_type IS NULL))
);
CREATE INDEX record_condition_record ON record_condition (record_id);

-- Need-to-know: the users and agencies named on a restricted record.
CREATE TABLE record_grant (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    record_id      {{uuid}} NOT NULL,
    user_id        {{uuid}} REFERENCES app_user (id),
    agency_id      {{uuid}} REFERENCES agency (id),
    CHECK ((user_id IS NULL) <> (agency_id IS NULL))
);
CREATE INDEX record_grant_record ON record_grant (record_id);

-- Information reports: what partners and analysts submit into the
-- partnership, graded 3x5x2, with classification, handling and need-to-know.
CREATE TABLE info_report (
    id                  {{uuid}} PRIMARY KEY,
    partnership_id      {{uuid}} NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    title               text NOT NULL,
    body                text NOT NULL,
    source_grade        text NOT NULL CHECK (source_grade IN ('1', '2', '3')),
    intel_grade         text NOT NULL CHECK (intel_grade IN ('A', 'B', 'C', 'D', 'E')),
    handling_code       text NOT NULL CHECK (handling_code IN ('P', 'C')),
    handling_conditions text NOT NULL DEFAULT '',
    classification      text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    restricted          boolean NOT NULL DEFAULT FALSE,
    origin_agency_id    {{uuid}} NOT NULL REFERENCES agency (id),
    area_id             {{uuid}} REFERENCES org_unit (id),
    created_by          {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at          {{timestamptz}} NOT NULL,
    updated_at          {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference)
);
CREATE INDEX info_report_list ON info_report (partnership_id, created_at);
CREATE INDEX info_report_origin ON info_report (partnership_id, origin_agency_id);

INSERT INTO role_permission (role_code, record_kind, action) VALUES
    ('intelligence_analyst', 'info_report', 'read'),
    ('intelligence_analyst', 'info_report', 'export'),
    ('intelligence_analyst', 'info_report', 'write'),
    ('lro', 'info_report', 'read'),
    ('lro', 'info_report', 'export'),
    ('lro', 'info_report', 'write'),
    ('partner_officer', 'info_report', 'read'),
    ('partner_officer', 'info_report', 'write'),
    ('disruption_panel_member', 'info_report', 'read'),
    ('referral_coordinator', 'info_report', 'read'),
    ('referral_coordinator', 'info_report', 'write');

-- +goose Down
DROP TABLE role_permission;
DROP TABLE info_report;
DROP TABLE record_grant;
DROP TABLE record_condition;
DROP TABLE api_token;
DROP TABLE password_reset;
DROP TABLE sign_in_event;
DROP TABLE login_throttle;
DROP TABLE user_session;
DROP TABLE recovery_code;
DROP INDEX app_user_oidc;
ALTER TABLE app_user DROP COLUMN deactivated_at;
ALTER TABLE app_user DROP COLUMN last_sign_in_at;
ALTER TABLE app_user DROP COLUMN service_account;
ALTER TABLE app_user DROP COLUMN oidc_subject;
ALTER TABLE app_user DROP COLUMN oidc_issuer;
ALTER TABLE app_user DROP COLUMN second_factor_exempt;
ALTER TABLE app_user DROP COLUMN totp_last_step;
ALTER TABLE app_user DROP COLUMN totp_secret;
ALTER TABLE app_user DROP COLUMN password_changed_at;
ALTER TABLE app_user DROP COLUMN password_hash;
