-- +goose Up
-- People and other entities are now made searchable by the store rather
-- than by triggers: one function writes an entity's search keys and its
-- full-text documents (its record text and each alias or nickname) in the
-- transaction that writes the entity, or, for a bulk import, queues the
-- entity here so that a background builder writes them in batches after the
-- import commits. An entity is in search_pending exactly while its keys and
-- documents are not yet written. No foreign key: the builder drops rows
-- whose entity no longer exists, and checking one per queued row would cost
-- the import what the queue saves it.
CREATE TABLE search_pending (
    entity_id      text PRIMARY KEY,
    partnership_id text NOT NULL,
    queued_at      timestamp NOT NULL
);
CREATE INDEX search_pending_partnership ON search_pending (partnership_id);

DROP TRIGGER entity_search_ai;
DROP TRIGGER entity_search_au;
DROP TRIGGER entity_alias_search_ai;
DROP TRIGGER entity_alias_search_ad;

-- +goose Down
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
DROP TABLE search_pending;
