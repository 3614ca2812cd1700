-- How each API token was minted (issue 20): a password change or reset
-- ends the tokens minted from a session of the user ('session'), while
-- those an admin issued stay. '' for tokens issued before this.
ALTER TABLE tokens ADD COLUMN minted text NOT NULL DEFAULT '';
