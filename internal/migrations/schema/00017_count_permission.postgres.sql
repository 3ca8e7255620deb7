-- +goose Up
-- A fourth permission, "count": the role may count records of the kind in
-- aggregate figures (the dashboard) but not open them. "read" includes it.
-- The board viewer's hold on disruptions was "read" only so that the
-- dashboard could count them, with role names in code keeping the records
-- shut (issue 14, item 7); it becomes "count", and who may open records is
-- read from the permissions. (SQLite rebuilds the table instead.)
ALTER TABLE role_permission DROP CONSTRAINT role_permission_action_check;
ALTER TABLE role_permission ADD CONSTRAINT role_permission_action_check
    CHECK (action IN ('read', 'export', 'write', 'count'));
UPDATE role_permission SET action = 'count'
    WHERE role_code = 'board_viewer' AND record_kind = 'disruption' AND action = 'read';

-- +goose Down
UPDATE role_permission SET action = 'read'
    WHERE role_code = 'board_viewer' AND record_kind = 'disruption' AND action = 'count';
DELETE FROM role_permission WHERE action = 'count';
ALTER TABLE role_permission DROP CONSTRAINT role_permission_action_check;
ALTER TABLE role_permission ADD CONSTRAINT role_permission_action_check
    CHECK (action IN ('read', 'export', 'write'));
