-- +goose Up
-- The version of the rules held as data: roles, what each role may do
-- (role_permission) and the reference data (regions, agency types, access
-- purposes, threats, person flags, tactics, outcome and seizure types).
-- Every app server keeps the access policy it builds from them in memory
-- and, before each use, reads this one row: when the number has moved it
-- builds the policy again. Triggers bump it in the same transaction as any
-- change to those tables, whoever makes it (a migration, an administrator's
-- page, an operator's SQL), so a change made through one server, or by
-- hand, is seen by every server at its next use (decision 0019).
CREATE TABLE rules_version (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
);
INSERT INTO rules_version (id, version) VALUES (1, 1);
-- +goose StatementBegin
CREATE TRIGGER region_rules_ai AFTER INSERT ON region BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER region_rules_au AFTER UPDATE ON region BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER region_rules_ad AFTER DELETE ON region BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agency_type_rules_ai AFTER INSERT ON agency_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agency_type_rules_au AFTER UPDATE ON agency_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER agency_type_rules_ad AFTER DELETE ON agency_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER role_rules_ai AFTER INSERT ON role BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER role_rules_au AFTER UPDATE ON role BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER role_rules_ad AFTER DELETE ON role BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
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
-- +goose StatementBegin
CREATE TRIGGER access_purpose_rules_ai AFTER INSERT ON access_purpose BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER access_purpose_rules_au AFTER UPDATE ON access_purpose BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER access_purpose_rules_ad AFTER DELETE ON access_purpose BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER threat_rules_ai AFTER INSERT ON threat BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER threat_rules_au AFTER UPDATE ON threat BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER threat_rules_ad AFTER DELETE ON threat BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER person_flag_type_rules_ai AFTER INSERT ON person_flag_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER person_flag_type_rules_au AFTER UPDATE ON person_flag_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER person_flag_type_rules_ad AFTER DELETE ON person_flag_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tactic_rules_ai AFTER INSERT ON tactic BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tactic_rules_au AFTER UPDATE ON tactic BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tactic_rules_ad AFTER DELETE ON tactic BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER outcome_type_rules_ai AFTER INSERT ON outcome_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER outcome_type_rules_au AFTER UPDATE ON outcome_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER outcome_type_rules_ad AFTER DELETE ON outcome_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER seizure_type_rules_ai AFTER INSERT ON seizure_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER seizure_type_rules_au AFTER UPDATE ON seizure_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER seizure_type_rules_ad AFTER DELETE ON seizure_type BEGIN
    UPDATE rules_version SET version = version + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER region_rules_ai;
DROP TRIGGER region_rules_au;
DROP TRIGGER region_rules_ad;
DROP TRIGGER agency_type_rules_ai;
DROP TRIGGER agency_type_rules_au;
DROP TRIGGER agency_type_rules_ad;
DROP TRIGGER role_rules_ai;
DROP TRIGGER role_rules_au;
DROP TRIGGER role_rules_ad;
DROP TRIGGER role_permission_rules_ai;
DROP TRIGGER role_permission_rules_au;
DROP TRIGGER role_permission_rules_ad;
DROP TRIGGER access_purpose_rules_ai;
DROP TRIGGER access_purpose_rules_au;
DROP TRIGGER access_purpose_rules_ad;
DROP TRIGGER threat_rules_ai;
DROP TRIGGER threat_rules_au;
DROP TRIGGER threat_rules_ad;
DROP TRIGGER person_flag_type_rules_ai;
DROP TRIGGER person_flag_type_rules_au;
DROP TRIGGER person_flag_type_rules_ad;
DROP TRIGGER tactic_rules_ai;
DROP TRIGGER tactic_rules_au;
DROP TRIGGER tactic_rules_ad;
DROP TRIGGER outcome_type_rules_ai;
DROP TRIGGER outcome_type_rules_au;
DROP TRIGGER outcome_type_rules_ad;
DROP TRIGGER seizure_type_rules_ai;
DROP TRIGGER seizure_type_rules_au;
DROP TRIGGER seizure_type_rules_ad;
DROP TABLE rules_version;
