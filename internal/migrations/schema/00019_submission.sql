-- +goose Up
-- What partners see and the public report arrives as a submission: raw,
-- unassessed information waiting in the intelligence unit's triage queue.
-- It is OFFICIAL-SENSITIVE from the moment it arrives and carries the same
-- marking columns as every record, so the one access policy filters it.
-- A public report has no submitter, no agency and nothing that identifies
-- the reporter but what they chose to write in contact.
CREATE TABLE submission (
    id               {{uuid}} PRIMARY KEY,
    partnership_id   {{uuid}} NOT NULL REFERENCES partnership (id),
    reference        text NOT NULL,
    source           text NOT NULL CHECK (source IN ('partner', 'public')),
    what             text NOT NULL,
    where_text       text NOT NULL DEFAULT '',
    when_text        text NOT NULL DEFAULT '',
    who_text         text NOT NULL DEFAULT '',
    contact          text NOT NULL DEFAULT '',
    ocg_id           {{uuid}} REFERENCES ocg (id),
    unit_id          {{uuid}} REFERENCES org_unit (id),
    priority         text NOT NULL CHECK (priority IN ('threat_to_life', 'child_at_risk', 'time_critical', 'routine')),
    status           text NOT NULL CHECK (status IN ('new', 'question', 'graded', 'closed')),
    question         text NOT NULL DEFAULT '',
    answer           text NOT NULL DEFAULT '',
    decision_reason  text NOT NULL DEFAULT '',
    report_id        {{uuid}} REFERENCES info_report (id),
    classification   text NOT NULL CHECK (classification IN ('OFFICIAL', 'OFFICIAL-SENSITIVE')),
    handling_code    text NOT NULL CHECK (handling_code IN ('P', 'C')),
    restricted       boolean NOT NULL DEFAULT FALSE,
    origin_agency_id {{uuid}} REFERENCES agency (id),
    submitted_by     {{uuid}} REFERENCES app_user (id),
    decided_by       {{uuid}} REFERENCES app_user (id),
    decided_at       {{timestamptz}},
    created_at       {{timestamptz}} NOT NULL,
    updated_at       {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference)
);
CREATE INDEX submission_triage ON submission (partnership_id, status, priority, created_at);
CREATE INDEX submission_submitter ON submission (partnership_id, submitted_by, created_at);

-- The partnership's target for triage, in hours, by priority.
CREATE TABLE triage_target (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    priority       text NOT NULL CHECK (priority IN ('threat_to_life', 'child_at_risk', 'time_critical', 'routine')),
    hours          integer NOT NULL CHECK (hours > 0),
    PRIMARY KEY (partnership_id, priority)
);

INSERT INTO role_permission (role_code, record_kind, action) VALUES
    ('intelligence_analyst', 'submission', 'read'),
    ('intelligence_analyst', 'submission', 'write'),
    ('partner_officer', 'submission', 'read'),
    ('partner_officer', 'submission', 'write'),
    ('lro', 'submission', 'write'),
    ('referral_coordinator', 'submission', 'write');

-- +goose Down
DELETE FROM role_permission WHERE record_kind = 'submission';
DROP TABLE triage_target;
DROP TABLE submission;
