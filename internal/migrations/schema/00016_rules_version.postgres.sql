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
CREATE FUNCTION bump_rules_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rules_version SET version = version + 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER region_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON region FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER agency_type_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agency_type FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER role_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER role_permission_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_permission FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER access_purpose_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON access_purpose FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER threat_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON threat FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER person_flag_type_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON person_flag_type FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER tactic_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tactic FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER outcome_type_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON outcome_type FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();
CREATE TRIGGER seizure_type_rules AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON seizure_type FOR EACH STATEMENT EXECUTE FUNCTION bump_rules_version();

-- +goose Down
DROP TRIGGER region_rules ON region;
DROP TRIGGER agency_type_rules ON agency_type;
DROP TRIGGER role_rules ON role;
DROP TRIGGER role_permission_rules ON role_permission;
DROP TRIGGER access_purpose_rules ON access_purpose;
DROP TRIGGER threat_rules ON threat;
DROP TRIGGER person_flag_type_rules ON person_flag_type;
DROP TRIGGER tactic_rules ON tactic;
DROP TRIGGER outcome_type_rules ON outcome_type;
DROP TRIGGER seizure_type_rules ON seizure_type;
DROP FUNCTION bump_rules_version();
DROP TABLE rules_version;
