-- IMAP mailboxes (SPEC §11): settings, checkpoint, status and lease in one
-- JSON document per mailbox, changed in the transaction of the message a
-- fetch stores.
CREATE TABLE mailboxes (id bigserial PRIMARY KEY, data jsonb NOT NULL);
