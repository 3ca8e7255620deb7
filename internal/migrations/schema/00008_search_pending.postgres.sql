-- +goose Up
-- People and other entities are now made searchable by the store: one
-- function writes an entity's search keys and its full-text documents (its
-- record text and each alias or nickname, in search_doc as on SQLite) in
-- the transaction that writes the entity, or, for a bulk import, queues the
-- entity in search_pending so that a background builder writes them in
-- batches after the import commits. The documents move out of entity and
-- entity_alias into search_doc, whose generated tsvector is what the GIN
-- index reads, so that an import no longer computes and indexes a tsvector
-- per row while it holds its transaction. Groups keep their own column.
CREATE TABLE search_pending (
    entity_id      uuid PRIMARY KEY,
    partnership_id uuid NOT NULL,
    queued_at      timestamp NOT NULL
);
CREATE INDEX search_pending_partnership ON search_pending (partnership_id);

CREATE TABLE search_doc (
    partnership_id uuid NOT NULL,
    record_kind    text NOT NULL CHECK (record_kind = 'entity'),
    record_id      uuid NOT NULL,
    source         text NOT NULL,
    body           text NOT NULL,
    search_tsv     tsvector GENERATED ALWAYS AS (to_tsvector('simple', translate(lower(body),
        'àáâãäåāăąçćčďèéêëēėęěğìíîïīįıłñńňòóôõöøōőřśşšţťùúûüūůűųýÿźżž',
        'aaaaaaaaacccdeeeeeeeegiiiiiiilnnnoooooooorsssttuuuuuuuuyyzzz'))) STORED,
    PRIMARY KEY (record_id, source)
);
INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    SELECT partnership_id, 'entity', id, 'record', reference || ' ' || name || ' ' || identifier FROM entity;
INSERT INTO search_doc (partnership_id, record_kind, record_id, source, body)
    SELECT partnership_id, 'entity', entity_id, kind || ':' || value, value FROM entity_alias;
CREATE INDEX search_doc_tsv ON search_doc USING gin (search_tsv);

DROP INDEX entity_search_tsv;
ALTER TABLE entity DROP COLUMN search_tsv;
DROP INDEX entity_alias_search_tsv;
ALTER TABLE entity_alias DROP COLUMN search_tsv;

-- +goose Down
ALTER TABLE entity ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', translate(lower(reference || ' ' || name || ' ' || identifier),
    'àáâãäåāăąçćčďèéêëēėęěğìíîïīįıłñńňòóôõöøōőřśşšţťùúûüūůűųýÿźżž',
    'aaaaaaaaacccdeeeeeeeegiiiiiiilnnnoooooooorsssttuuuuuuuuyyzzz'))) STORED;
CREATE INDEX entity_search_tsv ON entity USING gin (search_tsv);
ALTER TABLE entity_alias ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', translate(lower(value),
    'àáâãäåāăąçćčďèéêëēėęěğìíîïīįıłñńňòóôõöøōőřśşšţťùúûüūůűųýÿźżž',
    'aaaaaaaaacccdeeeeeeeegiiiiiiilnnnoooooooorsssttuuuuuuuuyyzzz'))) STORED;
CREATE INDEX entity_alias_search_tsv ON entity_alias USING gin (search_tsv);
DROP TABLE search_doc;
DROP TABLE search_pending;
