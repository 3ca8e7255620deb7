-- +goose Up
-- Prevention programmes (issue 18): Operation Choice, Operation Divan,
-- Stepping Up and a partnership's own, each with its eligibility rules and
-- routes as JSON (package eligibility, decision 33), checked when saved.
-- A programme holds no personal data: every signed-in user of the
-- partnership may read it; administrators write it.
CREATE TABLE programme (
    id              {{uuid}} PRIMARY KEY,
    partnership_id  {{uuid}} NOT NULL REFERENCES partnership (id),
    name            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('drugs_diversion', 'knife_intervention', 'mentoring', 'education', 'other')),
    owner_agency_id {{uuid}} NOT NULL REFERENCES agency (id),
    min_age         integer NOT NULL CHECK (min_age >= 0),
    max_age         integer NOT NULL CHECK (max_age <= 120),
    rules           text NOT NULL,
    active          boolean NOT NULL DEFAULT TRUE,
    created_by      {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at      {{timestamptz}} NOT NULL,
    updated_at      {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, name),
    CHECK (min_age <= max_age)
);

-- +goose Down
DROP TABLE programme;
