-- +goose Up
-- Full-text search over the OCG register's names: one document per record
-- (a person's, business's, vehicle's or phone's reference, name and
-- identifier; a group's reference, name and operation name) and one per
-- alias or nickname, kept by triggers, indexed by an FTS5 table that reads
-- its text from search_doc (external content). Accents are removed by the
-- tokenizer. doc_id is an INTEGER PRIMARY KEY so the FTS rowids survive
-- VACUUM. Spelling-tolerant lookup is by search_key; this serves word and
-- prefix search ("moha*", "castle st*").
CREATE TABLE search_doc (
    doc_id         integer PRIMARY KEY,
    partnership_id text NOT NULL,
    record_kind    text NOT NULL CHECK (record_kind IN ('entity', 'ocg')),
    record_id      text NOT NULL,
    source         text NOT NULL,
    body           text NOT NULL,
    UNIQUE (record_id, source)
);

CREATE VIRTUAL TABLE search_fts USING fts5(body, content='search_doc', content_rowid='doc_id', tokenize='unicode61 remove_diacritics 2');

-- +goose StatementBegin
CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN
    INSERT INTO search_fts (rowid, body) VALUES (new.doc_id, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN
    INSERT INTO search_fts (search_fts, rowid, body) VALUES ('delete', old.doc_id, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN
    INSERT INTO search_fts (search_fts, rowid, body) VALUES ('delete', old.doc_id, old.body);
    INSERT INTO search_fts (rowid, body) VALUES (new.doc_id, new.body);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER entity_search_ai AFTER INSERT ON entity BEGIN
    INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    VALUES (new.partnership_id, 'entity', new.id, 'record', new.reference || ' ' || new.name || ' ' || new.identifier);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_search_au AFTER UPDATE OF reference, name, identifier ON entity BEGIN
    UPDATE search_doc SET body = new.reference || ' ' || new.name || ' ' || new.identifier WHERE record_id = new.id AND source = 'record';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_search_ad AFTER DELETE ON entity BEGIN
    DELETE FROM search_doc WHERE record_id = old.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_alias_search_ai AFTER INSERT ON entity_alias BEGIN
    INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    VALUES (new.partnership_id, 'entity', new.entity_id, new.kind || ':' || new.value, new.value);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER entity_alias_search_ad AFTER DELETE ON entity_alias BEGIN
    DELETE FROM search_doc WHERE record_id = old.entity_id AND source = old.kind || ':' || old.value;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ocg_search_ai AFTER INSERT ON ocg BEGIN
    INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    VALUES (new.partnership_id, 'ocg', new.id, 'record', new.reference || ' ' || new.name || ' ' || new.operation_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ocg_search_au AFTER UPDATE OF reference, name, operation_name ON ocg BEGIN
    UPDATE search_doc SET body = new.reference || ' ' || new.name || ' ' || new.operation_name WHERE record_id = new.id AND source = 'record';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ocg_search_ad AFTER DELETE ON ocg BEGIN
    DELETE FROM search_doc WHERE record_id = old.id;
END;
-- +goose StatementEnd

INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    SELECT partnership_id, 'entity', id, 'record', reference || ' ' || name || ' ' || identifier FROM entity;
INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    SELECT partnership_id, 'entity', entity_id, kind || ':' || value, value FROM entity_alias;
INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    SELECT partnership_id, 'ocg', id, 'record', reference || ' ' || name || ' ' || operation_name FROM ocg;

-- +goose Down
DROP TRIGGER ocg_search_ad;
DROP TRIGGER ocg_search_au;
DROP TRIGGER ocg_search_ai;
DROP TRIGGER entity_alias_search_ad;
DROP TRIGGER entity_alias_search_ai;
DROP TRIGGER entity_search_ad;
DROP TRIGGER entity_search_au;
DROP TRIGGER entity_search_ai;
DROP TRIGGER search_doc_au;
DROP TRIGGER search_doc_ad;
DROP TRIGGER search_doc_ai;
DROP TABLE search_fts;
DROP TABLE search_doc;
