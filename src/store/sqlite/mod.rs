//! The embedded store: one SQLite file in WAL mode, created with its schema
//! on first open.
//!
//! The file split repeats for every backend: `schema` (tables and
//! migrations), `catalog` (sites, links, shares), `write` (event batches),
//! `query` (reads for the API and reports), `evidence` (what decided each
//! event, for reclassification, and its retention).

pub mod catalog;
pub mod evidence;
pub mod query;
pub mod schema;
pub mod write;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

/// The file name of the store inside the data directory.
pub const FILE_NAME: &str = "hearsay.db";

/// What went wrong in the embedded store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("creating data directory {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("opening database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "database schema version {found} is newer than this binary knows ({known}); upgrade hearsay"
    )]
    TooNew { found: i64, known: i64 },
    #[error("applying schema migration {version}")]
    Migration {
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("sqlite")]
    Sqlite(#[from] rusqlite::Error),
}

/// A handle on the store file. Each handle owns one connection; open one
/// per thread that needs it (the writer, the API, the CLI).
pub struct SqliteStore {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// Ids of user agents already in the `user_agents` dictionary, so the
    /// writer stores each long string once and an integer per event.
    agent_ids: std::collections::HashMap<std::sync::Arc<str>, i64, foldhash::fast::RandomState>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `data_dir`, applying any
    /// pending migrations.
    ///
    /// # Errors
    ///
    /// Fails if the directory cannot be created, the file cannot be opened
    /// or is newer than this binary, or a migration fails.
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::CreateDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(FILE_NAME);
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            conn,
            path,
            agent_ids: Default::default(),
        })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests;
