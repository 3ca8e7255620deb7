-- +goose Up
-- Referrals of young people to prevention programmes (issue 18). A
-- referral holds a child's personal data and is not intelligence: it is
-- read only by the partnership's referral coordinators, the worker it is
-- allocated to and the person who made it (the firewall, decision 33),
-- never through the record policy that opens intelligence. Only referrals
-- that meet the programme's rules are stored: one that fails is refused
-- with the rule, never stored half made.
CREATE TABLE referral (
    id               {{uuid}} PRIMARY KEY,
    partnership_id   {{uuid}} NOT NULL REFERENCES partnership (id),
    reference        text NOT NULL,
    programme_id     {{uuid}} NOT NULL REFERENCES programme (id),
    subject_name     text NOT NULL,
    subject_dob      text NOT NULL,
    subject_gender   text NOT NULL DEFAULT '' CHECK (subject_gender IN ('', 'female', 'male', 'other', 'unknown')),
    age_at_referral  integer NOT NULL,
    source           text NOT NULL,
    incident_ref     text NOT NULL DEFAULT '',
    incident_on      text NOT NULL,
    referred_on      text NOT NULL,
    facts            text NOT NULL,
    route            text NOT NULL DEFAULT '',
    consent_young_on text,
    consent_parent_on text,
    status           text NOT NULL CHECK (status IN ('received', 'accepted', 'allocated', 'engaged', 'declined', 'completed', 'closed')),
    outcome          text NOT NULL DEFAULT '' CHECK (outcome IN ('', 'completed', 'partially_completed', 'did_not_engage', 'escalated')),
    worker_user_id   {{uuid}} REFERENCES app_user (id),
    agency_id        {{uuid}} NOT NULL REFERENCES agency (id),
    created_by       {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at       {{timestamptz}} NOT NULL,
    updated_at       {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference)
);
CREATE INDEX referral_caseload ON referral (partnership_id, programme_id, status, referred_on);
CREATE INDEX referral_worker ON referral (worker_user_id, status);
CREATE INDEX referral_creator ON referral (created_by, created_at);

CREATE TABLE referral_session (
    id          {{uuid}} PRIMARY KEY,
    referral_id {{uuid}} NOT NULL REFERENCES referral (id),
    held_on     text NOT NULL,
    attended    boolean NOT NULL,
    note        text NOT NULL DEFAULT '',
    created_by  {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at  {{timestamptz}} NOT NULL
);
CREATE INDEX referral_session_referral ON referral_session (referral_id, held_on);

-- +goose Down
DROP TABLE referral_session;
DROP TABLE referral;
