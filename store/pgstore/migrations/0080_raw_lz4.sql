-- Raw messages (the mail log's and the outbound queue's) are compressed
-- with lz4 instead of pglz. A 2 KB raw message is over the TOAST
-- threshold, so every one is compressed as it is written: with pglz that
-- was 6% of the database's CPU while 100,000 overdue notifications fired
-- (each writes its raw message twice: log and queue); lz4 compresses
-- about five times faster, to much the same size. Rows written before
-- keep their pglz values (both read back the same).
--
-- A server built without lz4 refuses SET COMPRESSION lz4; there the
-- columns keep pglz and the migration still applies.
DO $$
BEGIN
	ALTER TABLE maillog ALTER COLUMN raw SET COMPRESSION lz4;
	ALTER TABLE outbound ALTER COLUMN raw SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	RAISE NOTICE 'lz4 is not supported by this server: raw messages stay compressed with pglz';
END $$;
