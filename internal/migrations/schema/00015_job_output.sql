-- +goose Up
-- A job's output (a register export's file), kept in the database so that
-- its owner can download it from whichever app server answers, until it
-- expires. It is written in the transaction that ends the job and records
-- the disclosure, so a file never exists without its audit entry; the job
-- runner deletes it once expires_at has passed.
CREATE TABLE job_output (
    job_id       {{uuid}} PRIMARY KEY REFERENCES job (id) ON DELETE CASCADE,
    file_name    text NOT NULL,
    content_type text NOT NULL,
    body         {{bytea}} NOT NULL,
    expires_at   timestamp NOT NULL
);
CREATE INDEX job_output_expiry ON job_output (expires_at);

-- +goose Down
DROP TABLE job_output;
