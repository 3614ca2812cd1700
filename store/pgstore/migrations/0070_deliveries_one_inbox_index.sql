-- One index for a recipient's deliveries instead of two. deliveries_unseen
-- had deliveries_inbox's columns (WHERE NOT seen), and every new delivery
-- is unseen, so each went into three indexes (the key, both of these): a
-- post to 1,000 followers wrote 3,000 index entries, a firing batch of
-- 256 up to 768. The inbox index now carries seen, so the unseen reads
-- (an unseen inbox, a count, a firing batch's unseen deliveries) filter
-- in the index and count without visiting the table once it is vacuumed.
-- The price: counting one recipient's unseen deliveries walks all of
-- theirs, not only the unseen ones.
--
-- The fill factor stays 100: with 90 (room for a changed row on its page,
-- a HOT update with no index entry) the table took 9% more pages, and a
-- firing batch's email status updates were HOT about as often either way
-- (the space of rows already updated once is reclaimed on the page).
CREATE INDEX deliveries_recipient ON deliveries (rtype, rid, conversation_id, message_id) INCLUDE (seen);
DROP INDEX deliveries_inbox;
DROP INDEX deliveries_unseen;
ALTER INDEX deliveries_recipient RENAME TO deliveries_inbox;
