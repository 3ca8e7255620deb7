-- +goose Up
-- Information sharing agreements (ISAs) and the disclosures that rely on
-- them. A disclosure names its ISA, or is an ad hoc disclosure with a
-- justification and the named user who approved it.

CREATE TABLE isa (
    id              {{uuid}} PRIMARY KEY,
    partnership_id  {{uuid}} NOT NULL REFERENCES partnership (id),
    reference       text NOT NULL,
    title           text NOT NULL,
    purposes        text NOT NULL,
    data_categories text NOT NULL,
    gateways        text NOT NULL,
    regime          text NOT NULL CHECK (regime IN ('dpa_part3', 'uk_gdpr', 'both')),
    status          text NOT NULL CHECK (status IN ('draft', 'active', 'suspended', 'withdrawn')),
    starts_on       {{timestamptz}} NOT NULL,
    ends_on         {{timestamptz}},
    review_on       {{timestamptz}} NOT NULL,
    created_at      {{timestamptz}} NOT NULL,
    updated_at      {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference)
);

CREATE TABLE isa_party (
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    isa_id         {{uuid}} NOT NULL REFERENCES isa (id),
    agency_id      {{uuid}} NOT NULL REFERENCES agency (id),
    PRIMARY KEY (isa_id, agency_id)
);
CREATE INDEX isa_party_agency ON isa_party (partnership_id, agency_id);

CREATE TABLE disclosure (
    id             {{uuid}} PRIMARY KEY,
    partnership_id {{uuid}} NOT NULL REFERENCES partnership (id),
    at             {{timestamptz}} NOT NULL,
    actor_id       text NOT NULL,
    agency_id      text NOT NULL,
    record_type    text NOT NULL,
    record_count   integer NOT NULL,
    purpose        text NOT NULL,
    recipients     text NOT NULL,
    isa_id         {{uuid}} REFERENCES isa (id),
    justification  text NOT NULL,
    approved_by    {{uuid}} REFERENCES app_user (id),
    channel        text NOT NULL
);
CREATE INDEX disclosure_partnership ON disclosure (partnership_id, at);

-- A service account's token names the agreement its reads rely on.
ALTER TABLE api_token ADD COLUMN isa_id {{uuid}} REFERENCES isa (id);

-- +goose Down
ALTER TABLE api_token DROP COLUMN isa_id;
DROP TABLE disclosure;
DROP TABLE isa_party;
DROP TABLE isa;
