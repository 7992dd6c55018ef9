-- Account administration and sessions for native apps. Same rules as 0001:
-- only types and syntax both SQLite and PostgreSQL accept.

-- When an operator disabled the account (Unix seconds); NULL while it is
-- enabled. A disabled account cannot log in and has no live sessions.
ALTER TABLE accounts ADD COLUMN disabled_at BIGINT;

-- How the client holds the session: `cookie` (browsers: HttpOnly cookie,
-- cross-site checks) or `bearer` (native apps: Authorization header). A token
-- is accepted only the way it was issued.
ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'cookie'
    CONSTRAINT sessions_kind_known CHECK (kind IN ('cookie', 'bearer'));
