-- +goose Up
-- Long work (a web import) runs as a job that outlives the request and the
-- process that took it: any app server claims a queued job, or a running
-- one whose lease has expired (its server died), with a conditional UPDATE,
-- and renews the lease while it works. job_input holds the uploaded file,
-- so another server can run the job; it is deleted when the job ends.
CREATE TABLE job (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    kind           text NOT NULL,
    owner_id       {{uuid}} NOT NULL REFERENCES app_user (id),
    status         text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    params         text NOT NULL DEFAULT '{}',
    progress       text NOT NULL DEFAULT '',
    result         text NOT NULL DEFAULT '',
    error          text NOT NULL DEFAULT '',
    attempts       integer NOT NULL DEFAULT 0,
    lease_owner    text,
    lease_expires  timestamp,
    created_at     timestamp NOT NULL,
    updated_at     timestamp NOT NULL,
    finished_at    timestamp
);
CREATE INDEX job_claim ON job (status, created_at);
CREATE INDEX job_owner ON job (partnership_id, owner_id, created_at);

CREATE TABLE job_input (
    job_id {{uuid}} PRIMARY KEY REFERENCES job (id) ON DELETE CASCADE,
    body   {{bytea}} NOT NULL
);

-- +goose Down
DROP TABLE job_input;
DROP TABLE job;
