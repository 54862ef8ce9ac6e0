-- Browser tracking (issue 13). A campaign's clicks flagged bot (crawlers, link previews, headless
-- browsers, HEAD requests) are never credited unless credit_bot_clicks; client_origins are the
-- origins (scheme://host[:port]) allowed to call the edge from tracklane.js, empty: the landing
-- page's origin. A program's cookie_domain is the Domain of the edge's click cookie (null: host-only).
ALTER TABLE campaigns ADD COLUMN credit_bot_clicks boolean NOT NULL DEFAULT false;
ALTER TABLE campaigns ADD COLUMN client_origins text[] NOT NULL DEFAULT '{}';
ALTER TABLE programs ADD COLUMN cookie_domain text;
