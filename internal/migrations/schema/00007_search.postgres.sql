-- +goose Up
-- Full-text search over the OCG register's names: a generated tsvector on
-- each record (a person's, business's, vehicle's or phone's reference, name
-- and identifier; a group's reference, name and operation name) and on each
-- alias or nickname, with GIN indexes. The 'simple' configuration (no
-- stemming: these are names) over lower-cased text with common accents
-- translated away, as SQLite's FTS5 tokenizer removes them. Spelling-
-- tolerant lookup is by search_key; this serves word and prefix search.
ALTER TABLE entity ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', translate(lower(reference || ' ' || name || ' ' || identifier),
    'àáâãäåāăąçćčďèéêëēėęěğìíîïīįıłñńňòóôõöøōőřśşšţťùúûüūůűųýÿźżž',
    'aaaaaaaaacccdeeeeeeeegiiiiiiilnnnoooooooorsssttuuuuuuuuyyzzz'))) STORED;
CREATE INDEX entity_search_tsv ON entity USING gin (search_tsv);
ALTER TABLE entity_alias ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', translate(lower(value),
    'àáâãäåāăąçćčďèéêëēėęěğìíîïīįıłñńňòóôõöøōőřśşšţťùúûüūůűųýÿźżž',
    'aaaaaaaaacccdeeeeeeeegiiiiiiilnnnoooooooorsssttuuuuuuuuyyzzz'))) STORED;
CREATE INDEX entity_alias_search_tsv ON entity_alias USING gin (search_tsv);
ALTER TABLE ocg ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', translate(lower(reference || ' ' || name || ' ' || operation_name),
    'àáâãäåāăąçćčďèéêëēėęěğìíîïīįıłñńňòóôõöøōőřśşšţťùúûüūůűųýÿźżž',
    'aaaaaaaaacccdeeeeeeeegiiiiiiilnnnoooooooorsssttuuuuuuuuyyzzz'))) STORED;
CREATE INDEX ocg_search_tsv ON ocg USING gin (search_tsv);

-- +goose Down
DROP INDEX ocg_search_tsv;
ALTER TABLE ocg DROP COLUMN search_tsv;
DROP INDEX entity_alias_search_tsv;
ALTER TABLE entity_alias DROP COLUMN search_tsv;
DROP INDEX entity_search_tsv;
ALTER TABLE entity DROP COLUMN search_tsv;
