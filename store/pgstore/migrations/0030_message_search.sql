-- deskgate schema version 30: full-text search of message bodies (the
-- console's and the API's search, GET /conversations?q=). The 'simple'
-- configuration lowercases words and neither stems nor drops stop words,
-- so a search finds what the bbolt backend's scan finds.
CREATE INDEX messages_body_fts ON messages USING gin (to_tsvector('simple', coalesce(data->>'body', '')));
