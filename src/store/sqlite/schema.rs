//! The embedded store's schema and its versioned migrations.
//!
//! The version lives in SQLite's `user_version`. Each migration runs once,
//! in its own transaction, so a later release can upgrade an older file;
//! a file newer than this binary is refused rather than misread.

use rusqlite::Connection;

use super::StoreError;

/// Migrations in order; migration `i` takes the file to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sites (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    api_key_hash BLOB NOT NULL,
    settings     TEXT NOT NULL DEFAULT '{}',
    created_ms   INTEGER NOT NULL
);
CREATE TABLE site_domains (
    site_id TEXT NOT NULL REFERENCES sites(id),
    domain  TEXT NOT NULL,
    PRIMARY KEY (site_id, domain)
);
CREATE TABLE admin_keys (
    key_hash   BLOB PRIMARY KEY,
    created_ms INTEGER NOT NULL
);
CREATE TABLE links (
    code        TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites(id),
    target_url  TEXT NOT NULL,
    share_token TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER,
    max_clicks  INTEGER,
    clicks      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE shares (
    token          TEXT PRIMARY KEY,
    site_id        TEXT NOT NULL,
    content_url    TEXT,
    channel        TEXT,
    channel_origin TEXT NOT NULL,
    -- What previews, in-app browsers and referrers of the share's clicks
    -- named, kept apart from the declared channel (a `native` share learns
    -- its app this way).
    inferred_channel TEXT,
    parent_token   TEXT,
    visitor_id     INTEGER,
    origin         TEXT NOT NULL,
    created_ms     INTEGER NOT NULL
);
CREATE TABLE contents (
    site_id TEXT NOT NULL,
    url     TEXT NOT NULL,
    title   TEXT,
    topics  TEXT,
    PRIMARY KEY (site_id, url)
);
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    site_id       TEXT,
    kind          TEXT NOT NULL,
    ts_ms         INTEGER NOT NULL,
    class         TEXT NOT NULL,
    channel       TEXT,
    rule          TEXT NOT NULL,
    method        TEXT,
    agent_id      INTEGER,
    referrer_host TEXT,
    medium        TEXT,
    source        TEXT,
    url           TEXT,
    home          INTEGER,
    pageview      INTEGER NOT NULL DEFAULT 0,
    link_code     TEXT,
    share_token   TEXT,
    visitor_id    INTEGER,
    status        INTEGER,
    value         REAL,
    is_click      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE user_agents (
    id            INTEGER PRIMARY KEY,
    user_agent    TEXT UNIQUE,
    device        TEXT NOT NULL,
    os            TEXT,
    browser       TEXT,
    in_app        TEXT,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms  INTEGER NOT NULL
);
CREATE TABLE salts (
    day  TEXT PRIMARY KEY,
    salt BLOB NOT NULL
);
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"#,
    r#"
-- When the writer last stored each user agent for each site ('' for events
-- of no site), so raw user agents can be dropped after the retention the
-- site sets. Times are of writing, not of the event: an imported old log
-- keeps its agents as long as fresh traffic does.
CREATE TABLE agent_sightings (
    agent_id     INTEGER NOT NULL REFERENCES user_agents(id),
    site_id      TEXT NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    PRIMARY KEY (agent_id, site_id)
) WITHOUT ROWID;
INSERT INTO agent_sightings (agent_id, site_id, last_seen_ms)
    SELECT e.agent_id, COALESCE(e.site_id, ''), MAX(a.last_seen_ms)
    FROM events e JOIN user_agents a ON a.id = e.agent_id
    GROUP BY e.agent_id, COALESCE(e.site_id, '');
"#,
    r#"
-- Access logs already imported, by a hash of their bytes, so the same
-- file is not counted twice by mistake.
CREATE TABLE imports (
    fingerprint BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    lines       INTEGER NOT NULL,
    imported_ms INTEGER NOT NULL
);
"#,
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the file at `conn` up to [`SCHEMA_VERSION`].
///
/// # Errors
///
/// Fails if the file is newer than this binary or a migration fails; a
/// failed migration is rolled back whole.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration {
                version: index as i64 + 1,
                source,
            })?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_file_is_upgraded_and_its_agents_get_sightings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let conn = Connection::open(&path).unwrap();
        // A file as the first release wrote it, with one agent seen by one
        // site's events and by a miss of no site.
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO user_agents (id, user_agent, device, first_seen_ms, last_seen_ms)
                 VALUES (7, 'Mozilla/5.0', 'desktop', 100, 900);
             INSERT INTO events (site_id, kind, ts_ms, class, rule, agent_id)
                 VALUES ('s1', 'redirect', 500, 'person', 'person:browser', 7),
                        (NULL, 'miss', 600, 'person', 'person:browser', 7);",
        )
        .unwrap();
        drop(conn);

        let mut conn = Connection::open(&path).unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let sightings: Vec<(i64, String, i64)> = conn
            .prepare("SELECT agent_id, site_id, last_seen_ms FROM agent_sightings ORDER BY site_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            sightings,
            vec![(7, String::new(), 900), (7, "s1".into(), 900)]
        );
    }
}
