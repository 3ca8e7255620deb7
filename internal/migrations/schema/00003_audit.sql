-- +goose Up
-- The DPA 2018 s.62 log: append-only, one hash chain per partnership, with
-- signed checkpoints. audit_head holds each chain's last position and hash;
-- writers advance it in the same transaction as the entry, which serialises
-- the chain without locks the two engines do not share.

CREATE TABLE audit_head (
    partnership_id {{uuid}} PRIMARY KEY REFERENCES partnership (id),
    seq            bigint NOT NULL,
    hash           text NOT NULL
);

CREATE TABLE audit_event (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    seq            bigint NOT NULL,
    at             {{timestamptz}} NOT NULL,
    at_us          bigint NOT NULL,
    actor_id       text NOT NULL,
    actor_name     text NOT NULL,
    agency_id      text NOT NULL,
    agency_name    text NOT NULL,
    operation      text NOT NULL CHECK (operation IN ('collection', 'alteration', 'consultation', 'disclosure', 'combination', 'erasure')),
    record_type    text NOT NULL,
    record_ids     text NOT NULL,
    record_label   text NOT NULL,
    fields         text NOT NULL,
    justification  text NOT NULL,
    recipients     text NOT NULL,
    isa_id         text NOT NULL,
    request_id     text NOT NULL,
    client_addr    text NOT NULL,
    prev_hash      text NOT NULL,
    hash           text NOT NULL,
    UNIQUE (partnership_id, seq)
);
CREATE INDEX audit_event_actor ON audit_event (partnership_id, actor_id, at);
CREATE INDEX audit_event_agency ON audit_event (partnership_id, agency_id, at);
CREATE INDEX audit_event_at ON audit_event (partnership_id, at);

-- One row for every record an entry names, so "who has seen this record" is
-- an index look-up. Derived from audit_event; verify checks it matches.
CREATE TABLE audit_subject (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    record_id      text NOT NULL,
    seq            bigint NOT NULL
);
CREATE INDEX audit_subject_record ON audit_subject (partnership_id, record_id, seq);

CREATE TABLE audit_checkpoint (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    seq            bigint NOT NULL,
    hash           text NOT NULL,
    at             {{timestamptz}} NOT NULL,
    key_id         text NOT NULL,
    signature      text NOT NULL,
    PRIMARY KEY (partnership_id, seq)
);

-- Purposes a user chooses from when they open a record that holds personal
-- data they are not working on (reference data, editable).
CREATE TABLE access_purpose (
    code       text PRIMARY KEY,
    name       text NOT NULL,
    sort_order integer NOT NULL
);
INSERT INTO access_purpose (code, name, sort_order) VALUES
    ('tasking', 'Tasking or briefing', 10),
    ('investigation', 'Investigation or enquiry', 20),
    ('safeguarding', 'Safeguarding a person', 30),
    ('ocg_management', 'OCG management meeting or 4P plan', 40),
    ('disruption_panel', 'Disruption panel', 50),
    ('data_quality', 'Data quality, review or retention', 60),
    ('other', 'Other (explain below)', 70);

-- A purpose given for a record, remembered for the rest of the session so
-- nobody is asked twice.
CREATE TABLE session_purpose (
    session_id   {{uuid}} NOT NULL REFERENCES user_session (id),
    record_id    {{uuid}} NOT NULL,
    purpose      text NOT NULL REFERENCES access_purpose (code),
    detail       text NOT NULL,
    at           {{timestamptz}} NOT NULL,
    PRIMARY KEY (session_id, record_id)
);

-- +goose Down
DROP TABLE session_purpose;
DROP TABLE access_purpose;
DROP TABLE audit_checkpoint;
DROP TABLE audit_subject;
DROP TABLE audit_event;
DROP TABLE audit_head;
