-- +goose Up
-- Two changes to information reports (issue 17).
--
-- 1. Historic reports graded under 5x5x5 keep their grading as recorded
--    (DOMAIN.md 4.2): grading_scheme says which scheme a report was graded
--    under; for '5x5x5', source_grade holds the source evaluation (A to E),
--    intel_grade the intelligence evaluation (1 to 5) and legacy_handling
--    the handling code (1 to 5). handling_code (P or C) stays what the
--    access policy reads: an imported historic report is handled C, with
--    its recorded handling as the conditions (decision 32).
-- 2. Full-text search over a report's reference, title, text and grading:
--    a generated tsvector with a GIN index, the 'simple' configuration over
--    lower-cased text with accents translated away, as for the register,
--    and hyphens, slashes, angle brackets, ampersands, full stops, at
--    signs, colons and underscores made spaces (as SQLite splits words), so
--    IR-2026-000042 and 2023/24 are words as SQLite's tokenizer makes them
--    (the parser would read "-2026" as a signed number and "2023/24" as a
--    path) and text after a "<" is not taken for an XML tag and dropped.
ALTER TABLE info_report DROP CONSTRAINT info_report_source_grade_check;
ALTER TABLE info_report DROP CONSTRAINT info_report_intel_grade_check;
ALTER TABLE info_report ADD COLUMN grading_scheme text NOT NULL DEFAULT '3x5x2';
ALTER TABLE info_report ADD COLUMN legacy_handling text NOT NULL DEFAULT '';
ALTER TABLE info_report ADD CONSTRAINT info_report_grading_check CHECK (
    (grading_scheme = '3x5x2' AND source_grade IN ('1', '2', '3') AND intel_grade IN ('A', 'B', 'C', 'D', 'E') AND legacy_handling = '')
    OR (grading_scheme = '5x5x5' AND source_grade IN ('A', 'B', 'C', 'D', 'E') AND intel_grade IN ('1', '2', '3', '4', '5')
        AND legacy_handling IN ('1', '2', '3', '4', '5') AND handling_code = 'C'));
ALTER TABLE info_report ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', translate(lower(
    reference || ' ' || title || ' ' || body || ' ' || source_grade || intel_grade || legacy_handling || ' ' || handling_code || ' ' || grading_scheme),
    'àáâãäåāăąçćčďèéêëēėęěğìíîïīįıłñńňòóôõöøōőřśşšţťùúûüūůűųýÿźżž-/<>&.@:_',
    'aaaaaaaaacccdeeeeeeeegiiiiiiilnnnoooooooorsssttuuuuuuuuyyzzz         '))) STORED;
CREATE INDEX info_report_search_tsv ON info_report USING gin (search_tsv);

-- +goose Down
DROP INDEX info_report_search_tsv;
ALTER TABLE info_report DROP COLUMN search_tsv;
ALTER TABLE info_report DROP CONSTRAINT info_report_grading_check;
ALTER TABLE info_report DROP COLUMN legacy_handling;
ALTER TABLE info_report DROP COLUMN grading_scheme;
ALTER TABLE info_report ADD CONSTRAINT info_report_source_grade_check CHECK (source_grade IN ('1', '2', '3'));
ALTER TABLE info_report ADD CONSTRAINT info_report_intel_grade_check CHECK (intel_grade IN ('A', 'B', 'C', 'D', 'E'));
