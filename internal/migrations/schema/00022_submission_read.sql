-- +goose Up
-- LROs and referral coordinators may submit to triage (00019); they must
-- also read back what they sent: its status and the analyst's question.
-- The service shows non-analysts their own submissions only.
INSERT INTO role_permission (role_code, record_kind, action) VALUES
    ('lro', 'submission', 'read'),
    ('referral_coordinator', 'submission', 'read');

-- +goose Down
DELETE FROM role_permission WHERE record_kind = 'submission' AND action = 'read' AND role_code IN ('lro', 'referral_coordinator');
