package domain

import "time"

// AuditOperation is a kind of processing DPA 2018 s.62(1) requires
// logging (collection, alteration, consultation, disclosure, combination,
// erasure); package audit names them.
type AuditOperation string

// AuditEvent is one stored entry of the audit log: who did what to which
// records, when, from where and why, with its place in its partnership's
// hash chain (Seq, PrevHash, Hash). Package audit writes, hashes and
// verifies entries (as audit.Event); the store reads and writes their rows.
// It names records and fields, never their protected values.
type AuditEvent struct {
	ID            string
	PartnershipID string
	Seq           int64
	At            time.Time
	ActorID       string
	ActorName     string
	AgencyID      string
	AgencyName    string
	Operation     AuditOperation
	RecordType    string
	RecordIDs     []string
	Label         string
	Fields        []string
	Justification string
	Recipients    string
	ISAID         string
	RequestID     string
	ClientAddr    string
	PrevHash      string
	Hash          string
}
