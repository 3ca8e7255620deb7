package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"alliance/internal/domain"
)

// Jobs live in the job table (their input in job_input) so that any app
// server can run one and its owner can follow it whichever server answers.
// A server takes a job by claiming its lease with a conditional UPDATE that
// succeeds for one claimant only, on both engines (no SKIP LOCKED, which
// SQLite lacks): the job must still be queued, or running under a lease
// that has expired because the server holding it stopped renewing it. A
// job's end is written only by the lease's holder, so a server that lost
// its lease cannot overwrite the work of the one that took over.

const jobCols = `CAST(id AS text), CAST(partnership_id AS text), kind, CAST(owner_id AS text), status, params, progress, result, error,
	attempts, created_at, updated_at, finished_at`

func scanJob(r interface{ Scan(...any) error }) (domain.Job, error) {
	var j domain.Job
	var kind, status string
	var finished sql.NullTime
	err := r.Scan(&j.ID, &j.PartnershipID, &kind, &j.OwnerID, &status, &j.Params, &j.Progress, &j.Result, &j.Error,
		&j.Attempts, &j.CreatedAt, &j.UpdatedAt, &finished)
	j.Kind, j.Status = domain.JobKind(kind), domain.JobStatus(status)
	if finished.Valid {
		t := finished.Time.UTC()
		j.FinishedAt = &t
	}
	j.CreatedAt, j.UpdatedAt = j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	return j, err
}

// InsertJob stores a new queued job and its input inside tx, filling its
// ID and times.
func (s *Store) InsertJob(ctx context.Context, tx *sql.Tx, j *domain.Job, input []byte) error {
	if j.ID == "" {
		j.ID = s.NewID()
	}
	j.Status = domain.JobQueued
	j.CreatedAt = s.Now()
	j.UpdatedAt = j.CreatedAt
	if j.Params == "" {
		j.Params = "{}"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO job (id, partnership_id, kind, owner_id, status, params, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, j.ID, j.PartnershipID, string(j.Kind), j.OwnerID, string(j.Status), j.Params,
		j.CreatedAt, j.UpdatedAt); err != nil {
		return fmt.Errorf("store: insert job: %w", err)
	}
	if input == nil {
		input = []byte{}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO job_input (job_id, body) VALUES ($1, $2)`, j.ID, input); err != nil {
		return fmt.Errorf("store: insert job input: %w", err)
	}
	return nil
}

// OwnJob returns the job id of partnershipID that ownerID asked for. Any
// other job, or a malformed id, is not found: a job page is its owner's.
func (s *Store) OwnJob(ctx context.Context, partnershipID, ownerID, id string) (domain.Job, error) {
	if _, err := uuid.Parse(id); err != nil {
		return domain.Job{}, domain.NotFound("job", id)
	}
	j, err := scanJob(s.rdb.QueryRowContext(ctx, `SELECT `+jobCols+` FROM job WHERE id = $1 AND partnership_id = $2 AND owner_id = $3`,
		id, partnershipID, ownerID))
	if err := one(err, "job", domain.NotFound("job", id)); err != nil {
		return domain.Job{}, err
	}
	return j, nil
}

// JobInput returns the input stored with job id.
func (s *Store) JobInput(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := s.rdb.QueryRowContext(ctx, `SELECT body FROM job_input WHERE job_id = $1`, id).Scan(&b)
	if err := one(err, "job input", domain.NotFound("job input", id)); err != nil {
		return nil, err
	}
	return b, nil
}

// jobIDs returns the IDs of the jobs a query finds, read through the read
// pool: the job runner looks often, and a look that finds nothing must not
// take SQLite's one writer.
func (s *Store) jobIDs(ctx context.Context, what, query string, args ...any) ([]string, error) {
	return collect(ctx, s.rdb, what, query, args, func(r *sql.Rows) (string, error) { var id string; err := r.Scan(&id); return id, err })
}

// FailAbandonedJobs ends, as failed with reason, every running job whose
// lease expired (its server stopped) after it had been started maxAttempts
// times, so a job that kills its server is not run for ever; its input is
// deleted. It returns how many it ended.
func (s *Store) FailAbandonedJobs(ctx context.Context, maxAttempts int, reason string) (int, error) {
	ids, err := s.jobIDs(ctx, "abandoned jobs", `SELECT CAST(id AS text) FROM job WHERE status = 'running' AND lease_expires < $1 AND attempts >= $2`,
		s.Now(), maxAttempts)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	n := 0
	err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := s.Now()
		n = 0
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE job SET status = 'failed', error = $2, lease_owner = NULL, lease_expires = NULL,
				updated_at = $3, finished_at = $3 WHERE id = $1 AND status = 'running' AND lease_expires < $3 AND attempts >= $4`, id, reason, now, maxAttempts)
			if err != nil {
				return fmt.Errorf("store: fail abandoned job: %w", err)
			}
			if k, _ := res.RowsAffected(); k == 1 {
				n++
				if _, err := tx.ExecContext(ctx, `DELETE FROM job_input WHERE job_id = $1`, id); err != nil {
					return fmt.Errorf("store: delete job input: %w", err)
				}
			}
		}
		return nil
	})
	return n, err
}

// ClaimJob takes the oldest job that is queued, or running under an
// expired lease, for owner until now+lease, counting an attempt, and
// returns it. It returns a not-found error when there is none to take.
// Two servers claiming at once never take the same job: the UPDATE
// re-checks the job's state and only one of them changes the row.
func (s *Store) ClaimJob(ctx context.Context, owner string, lease time.Duration) (domain.Job, error) {
	ids, err := s.jobIDs(ctx, "claimable jobs", `SELECT CAST(id AS text) FROM job
		WHERE status = 'queued' OR (status = 'running' AND lease_expires < $1) ORDER BY created_at, id LIMIT 8`, s.Now())
	if err != nil {
		return domain.Job{}, err
	}
	for _, id := range ids {
		var j domain.Job
		claimed := false
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			now := s.Now()
			res, err := tx.ExecContext(ctx, `UPDATE job SET status = 'running', lease_owner = $2, lease_expires = $3, attempts = attempts + 1,
				progress = '', updated_at = $4 WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND lease_expires < $4))`,
				id, owner, now.Add(lease), now)
			if err != nil {
				return fmt.Errorf("store: claim job: %w", err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				claimed = false // another server took it first
				return nil
			}
			claimed = true
			j, err = scanJob(tx.QueryRowContext(ctx, `SELECT `+jobCols+` FROM job WHERE id = $1`, id))
			return one(err, "claimed job", domain.NotFound("job", id))
		})
		if err != nil {
			return domain.Job{}, err
		}
		if claimed {
			return j, nil
		}
	}
	return domain.Job{}, domain.NotFound("job", "claimable")
}

// errLeaseLost is what a lease holder's write gets when the job is no
// longer its own.
var errLeaseLost = errors.New("the job's lease was lost to another server")

// ErrLeaseLost reports whether err says a job's lease is no longer held.
func ErrLeaseLost(err error) bool { return errors.Is(err, errLeaseLost) }

// RenewJobLease extends owner's lease on job id to now+lease and records
// progress, failing with a lease-lost error when owner no longer holds it.
func (s *Store) RenewJobLease(ctx context.Context, id, owner string, lease time.Duration, progress string) error {
	return s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		now := s.Now()
		res, err := tx.ExecContext(ctx, `UPDATE job SET lease_expires = $3, progress = $4, updated_at = $5
			WHERE id = $1 AND lease_owner = $2 AND status = 'running'`, id, owner, now.Add(lease), progress, now)
		if err != nil {
			return fmt.Errorf("store: renew job lease: %w", err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return errLeaseLost
		}
		return nil
	})
}

// FinishJob ends job id inside tx as succeeded or failed with its result
// and error message, and deletes its input, provided owner still holds its
// lease; otherwise it fails with a lease-lost error and the caller's
// transaction must roll back. Writing the end in the work's own
// transaction makes the work and its record one: a job whose work
// committed is never run again.
func (s *Store) FinishJob(ctx context.Context, tx *sql.Tx, id, owner string, status domain.JobStatus, result, message string) error {
	if !status.Done() {
		return fmt.Errorf("store: finish job: %q is not an end", status)
	}
	now := s.Now()
	res, err := tx.ExecContext(ctx, `UPDATE job SET status = $3, result = $4, error = $5, progress = '', lease_owner = NULL, lease_expires = NULL,
		updated_at = $6, finished_at = $6 WHERE id = $1 AND lease_owner = $2 AND status = 'running'`, id, owner, string(status), result, message, now)
	if err != nil {
		return fmt.Errorf("store: finish job: %w", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return errLeaseLost
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM job_input WHERE job_id = $1`, id); err != nil {
		return fmt.Errorf("store: delete job input: %w", err)
	}
	return nil
}

// ReleaseJob gives owner's lease on job id back, queueing the job again
// for any server and not counting the attempt: a server that stops before
// its job ends releases it so that another runs it from the start.
func (s *Store) ReleaseJob(ctx context.Context, id, owner string) error {
	return s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE job SET status = 'queued', lease_owner = NULL, lease_expires = NULL, progress = '',
			attempts = attempts - 1, updated_at = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'running'`, id, owner, s.Now())
		if err != nil {
			return fmt.Errorf("store: release job: %w", err)
		}
		return nil
	})
}

// JobOutput is a file a job produced for its owner to download (a register
// export), kept until ExpiresAt.
type JobOutput struct {
	JobID       string
	FileName    string
	ContentType string
	Body        []byte
	ExpiresAt   time.Time
}

// InsertJobOutput stores job id's output inside tx, to be deleted after
// ExpiresAt. Call it in the transaction that ends the job (FinishJob), so
// a job stores its file once, however often it is run.
func (s *Store) InsertJobOutput(ctx context.Context, tx *sql.Tx, o JobOutput) error {
	if o.Body == nil {
		o.Body = []byte{}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO job_output (job_id, file_name, content_type, body, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		o.JobID, o.FileName, o.ContentType, o.Body, o.ExpiresAt.UTC()); err != nil {
		return fmt.Errorf("store: insert job output: %w", err)
	}
	return nil
}

// OwnJobOutput returns the output of job id of partnershipID that ownerID
// asked for, while it has not expired. Anyone else's job, a job without
// output and an expired output are all not found.
func (s *Store) OwnJobOutput(ctx context.Context, partnershipID, ownerID, id string) (JobOutput, error) {
	if _, err := uuid.Parse(id); err != nil {
		return JobOutput{}, domain.NotFound("job output", id)
	}
	o := JobOutput{JobID: id}
	err := s.rdb.QueryRowContext(ctx, `SELECT o.file_name, o.content_type, o.body, o.expires_at FROM job_output o JOIN job j ON j.id = o.job_id
		WHERE o.job_id = $1 AND j.partnership_id = $2 AND j.owner_id = $3 AND o.expires_at > $4`, id, partnershipID, ownerID, s.Now()).
		Scan(&o.FileName, &o.ContentType, &o.Body, &o.ExpiresAt)
	if err := one(err, "job output", domain.NotFound("job output", id)); err != nil {
		return JobOutput{}, err
	}
	o.ExpiresAt = o.ExpiresAt.UTC()
	return o, nil
}

// JobOutputKept reports whether job id has an output that has not
// expired, without reading it.
func (s *Store) JobOutputKept(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM job_output WHERE job_id = $1 AND expires_at > $2`, id, s.Now()).Scan(&n); err != nil {
		return false, fmt.Errorf("store: job output kept: %w", err)
	}
	return n > 0, nil
}

// DeleteExpiredJobOutputs deletes every job output whose time has passed
// and returns how many it deleted. It looks through the read pool first,
// so a sweep that finds nothing does not take SQLite's one writer.
func (s *Store) DeleteExpiredJobOutputs(ctx context.Context) (int, error) {
	ids, err := s.jobIDs(ctx, "expired job outputs", `SELECT CAST(job_id AS text) FROM job_output WHERE expires_at <= $1`, s.Now())
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	var n int64
	err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM job_output WHERE expires_at <= $1`, s.Now())
		if err != nil {
			return fmt.Errorf("store: delete expired job outputs: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
