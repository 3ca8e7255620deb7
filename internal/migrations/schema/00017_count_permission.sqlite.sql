-- +goose Up
-- A fourth permission, "count": the role may count records of the kind in
-- aggregate figures (the dashboard) but not open them. "read" includes it.
-- The board viewer's hold on disruptions was "read" only so that the
-- dashboard could count them, with role names in code keeping the records
-- shut (issue 14, item 7); it becomes "count", and who may open records is
-- read from the permissions. SQLite cannot change a CHECK constraint, so
-- the table is rebuilt, and its rules_version triggers (00016) with it.
CREATE TABLE role_permission_new (
    role_code   text NOT NULL REFERENCES role (code),
    record_kind text NOT NULL,
    action      text NOT NULL CHECK (action IN ('read', 'export', 'write', 'count')),
    PRIMARY KEY (role_code, record_kind, action)
);
INSERT INTO role_permission_new (role_code, record_kind, action)
    SELECT role_code, record_kind, action FROM role_permission;
DROP TABLE role_permission;
ALTER TABLE role_permission_new RENAME TO role_permission;
-- +goose StatementBegin
CREATE TRIGGER role_permission_rules_ai AFTER INSERT ON role_permission BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER role_permission_rules_au AFTER UPDATE ON role_permission BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER role_permission_rules_ad AFTER DELETE ON role_permission BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
UPDATE role_permission SET action = 'count'
    WHERE role_code = 'board_viewer' AND record_kind = 'disruption' AND action = 'read';

-- +goose Down
UPDATE role_permission SET action = 'read'
    WHERE role_code = 'board_viewer' AND record_kind = 'disruption' AND action = 'count';
DELETE FROM role_permission WHERE action = 'count';
CREATE TABLE role_permission_old (
    role_code   text NOT NULL REFERENCES role (code),
    record_kind text NOT NULL,
    action      text NOT NULL CHECK (action IN ('read', 'export', 'write')),
    PRIMARY KEY (role_code, record_kind, action)
);
INSERT INTO role_permission_old (role_code, record_kind, action)
    SELECT role_code, record_kind, action FROM role_permission;
DROP TABLE role_permission;
ALTER TABLE role_permission_old RENAME TO role_permission;
-- +goose StatementBegin
CREATE TRIGGER role_permission_rules_ai AFTER INSERT ON role_permission BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER role_permission_rules_au AFTER UPDATE ON role_permission BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER role_permission_rules_ad AFTER DELETE ON role_permission BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
UPDATE rules_version SET version = version + 1;
