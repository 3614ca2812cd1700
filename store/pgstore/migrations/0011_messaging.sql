-- The messaging center (SPEC §9): stored email templates by name and
-- admins' automations. Automation 1 is built in, so stored ones start at 2.
CREATE TABLE templates (name text PRIMARY KEY, data jsonb NOT NULL);
CREATE TABLE automations (id bigserial PRIMARY KEY, data jsonb NOT NULL);
ALTER SEQUENCE automations_id_seq RESTART WITH 2;
