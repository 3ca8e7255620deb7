-- +goose Up
-- National Referral Mechanism referrals and Duty to Notify reports
-- (issue 18, DOMAIN.md 5): a first responder's record of a potential
-- victim of modern slavery, the competent authority's reasonable grounds
-- (RG) and conclusive grounds (CG) decisions, and the exploitation types.
-- Behind the same firewall as referrals to programmes: referral
-- coordinators and the first responder who made it.
CREATE TABLE nrm_referral (
    id                  {{uuid}} PRIMARY KEY,
    partnership_id      {{uuid}} NOT NULL REFERENCES partnership (id),
    reference           text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('nrm', 'dtn')),
    subject_name        text NOT NULL DEFAULT '',
    age_at_exploitation text NOT NULL CHECK (age_at_exploitation IN ('child', 'adult', 'unknown')),
    gender              text NOT NULL DEFAULT '' CHECK (gender IN ('', 'female', 'male', 'other', 'unknown')),
    nationality         text NOT NULL DEFAULT '',
    county_lines        boolean NOT NULL DEFAULT FALSE,
    competent_authority text NOT NULL CHECK (competent_authority IN ('sca', 'ieca')),
    referred_on         text NOT NULL,
    rg_decision         text NOT NULL DEFAULT 'pending' CHECK (rg_decision IN ('pending', 'positive', 'negative', 'suspended', 'withdrawn')),
    rg_on               text,
    cg_decision         text NOT NULL DEFAULT 'pending' CHECK (cg_decision IN ('pending', 'positive', 'negative', 'suspended', 'withdrawn')),
    cg_on               text,
    reconsideration     boolean NOT NULL DEFAULT FALSE,
    agency_id           {{uuid}} NOT NULL REFERENCES agency (id),
    created_by          {{uuid}} NOT NULL REFERENCES app_user (id),
    created_at          {{timestamptz}} NOT NULL,
    updated_at          {{timestamptz}} NOT NULL,
    UNIQUE (partnership_id, reference)
);
CREATE INDEX nrm_referral_list ON nrm_referral (partnership_id, referred_on);

CREATE TABLE nrm_exploitation (
    nrm_id {{uuid}} NOT NULL REFERENCES nrm_referral (id),
    type   text NOT NULL CHECK (type IN ('labour', 'sexual', 'criminal', 'domestic_servitude', 'organ_harvesting', 'unknown')),
    PRIMARY KEY (nrm_id, type)
);

-- +goose Down
DROP TABLE nrm_exploitation;
DROP TABLE nrm_referral;
