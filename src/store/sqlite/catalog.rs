//! The catalog in the embedded store: sites and their domains, admin keys,
//! links and shares.

use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use axum::http::HeaderValue;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, StoreError};
use crate::classify::Channel;
use crate::links::Link;
use crate::links::target::add_token;
use crate::sites::site::covers;
use crate::sites::{Site, SiteSettings};

/// A link to create; the store fills in nothing but what is given.
pub struct NewLink<'a> {
    pub code: &'a str,
    pub site: &'a Site,
    pub target_url: &'a str,
    pub share_token: &'a str,
    pub channel: Option<Channel>,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
    pub max_clicks: Option<i64>,
}

/// A stored share, as the API lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ShareRow {
    pub token: String,
    pub channel: Option<String>,
    pub channel_origin: String,
    /// What the share's previews and clicks named (see DOMAIN.md's order of
    /// evidence), kept apart from the declared channel.
    pub inferred_channel: Option<String>,
    pub parent: Option<String>,
    pub content_url: Option<String>,
    pub origin: String,
    pub has_visitor: bool,
    pub created_ms: i64,
}

impl SqliteStore {
    /// Creates a site with its domains (already normalised) and the hash of
    /// its API key.
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] if a site of that name exists.
    pub fn create_site(&mut self, site: &Site, api_key_hash: &[u8; 32]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM sites WHERE name = ?1 COLLATE NOCASE)",
            [&site.name],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::Conflict(format!(
                "a site named {:?} already exists (names are compared without case)",
                site.name
            )));
        }
        // A site owns its domains and the names under them, so no domain
        // may be another site's, nor under or above one of its.
        let owned: Vec<(String, String)> = tx
            .prepare(
                "SELECT d.domain, s.name FROM site_domains d JOIN sites s ON s.id = d.site_id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        for domain in &site.domains {
            if let Some((theirs, owner)) = owned
                .iter()
                .find(|(theirs, _)| covers(theirs, domain) || covers(domain, theirs))
            {
                return Err(StoreError::Conflict(format!(
                    "domain {domain} overlaps {theirs}, which belongs to site {owner:?}"
                )));
            }
        }
        let settings = serde_json::to_string(&site.settings).expect("settings serialise");
        tx.execute(
            "INSERT INTO sites (id, name, api_key_hash, settings, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![site.id, site.name, &api_key_hash[..], settings, site.created_ms],
        )?;
        for domain in &site.domains {
            tx.execute(
                "INSERT OR IGNORE INTO site_domains (site_id, domain) VALUES (?1, ?2)",
                params![site.id, domain],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces a site's settings.
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] if there is no such site.
    pub fn update_site_settings(
        &mut self,
        site_id: &str,
        settings: &SiteSettings,
    ) -> Result<(), StoreError> {
        let settings = serde_json::to_string(settings).expect("settings serialise");
        let updated = self.conn.execute(
            "UPDATE sites SET settings = ?2 WHERE id = ?1",
            params![site_id, settings],
        )?;
        if updated == 0 {
            return Err(StoreError::Conflict(format!("no site {site_id:?}")));
        }
        Ok(())
    }

    /// The site a share token belongs to, if the token is known.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does.
    pub fn share_site(&self, token: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT site_id FROM shares WHERE token = ?1",
                [token],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every site, with its domains.
    pub fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, settings, created_ms FROM sites ORDER BY created_ms, id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut sites = Vec::new();
        for row in rows {
            let (id, name, settings, created_ms) = row?;
            let domains = self.site_domains(&id)?;
            let settings =
                serde_json::from_str(&settings).unwrap_or_else(|_| SiteSettings::default());
            sites.push(Site {
                id,
                name,
                domains,
                settings,
                created_ms,
            });
        }
        Ok(sites)
    }

    fn site_domains(&self, site_id: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT domain FROM site_domains WHERE site_id = ?1 ORDER BY rowid")?;
        let domains = stmt
            .query_map([site_id], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(domains)
    }

    /// The site whose id or name is `key`.
    pub fn find_site(&self, key: &str) -> Result<Option<Site>, StoreError> {
        Ok(self
            .sites()?
            .into_iter()
            .find(|s| s.id == key || s.name == key))
    }

    /// The site whose API key hashes to `hash`.
    pub fn site_by_key_hash(&self, hash: &[u8; 32]) -> Result<Option<Site>, StoreError> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM sites WHERE api_key_hash = ?1",
                [&hash[..]],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            Some(id) => self.find_site(&id),
            None => Ok(None),
        }
    }

    /// Stores the hash of a new admin key.
    pub fn add_admin_key(&mut self, hash: &[u8; 32], created_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO admin_keys (key_hash, created_ms) VALUES (?1, ?2)",
            params![&hash[..], created_ms],
        )?;
        Ok(())
    }

    /// Whether `hash` is an admin key's.
    pub fn is_admin_key(&self, hash: &[u8; 32]) -> Result<bool, StoreError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM admin_keys WHERE key_hash = ?1)",
            [&hash[..]],
            |r| r.get(0),
        )?)
    }

    /// Stores a link and its share (channel declared when given).
    ///
    /// # Errors
    ///
    /// [`StoreError::Conflict`] if the code is taken.
    pub fn create_link(&mut self, new: &NewLink<'_>) -> Result<Link, StoreError> {
        let tx = self.conn.transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO links (code, site_id, target_url, share_token, created_ms, expires_ms, max_clicks)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                new.code,
                new.site.id,
                new.target_url,
                new.share_token,
                new.created_ms,
                new.expires_ms,
                new.max_clicks
            ],
        )?;
        if inserted == 0 {
            return Err(StoreError::Conflict(format!("code {} is taken", new.code)));
        }
        tx.execute(
            "INSERT INTO shares (token, site_id, content_url, channel, channel_origin, origin, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, 'link', ?6)
             ON CONFLICT (token) DO NOTHING",
            params![
                new.share_token,
                new.site.id,
                new.target_url,
                new.channel.map(|c| c.as_str()),
                if new.channel.is_some() { "declared" } else { "inferred" },
                new.created_ms
            ],
        )?;
        tx.commit()?;
        Ok(Link {
            code: Arc::from(new.code),
            site_id: Arc::from(new.site.id.as_str()),
            target_url: new.target_url.to_owned(),
            share_token: Arc::from(new.share_token),
            channel: new.channel,
            location: location_header(
                new.code,
                add_token(
                    new.target_url,
                    new.share_token,
                    new.site.settings.token_in,
                    &new.site.settings.token_param,
                ),
            )?,
            created_ms: new.created_ms,
            expires_ms: new.expires_ms,
            max_clicks: new.max_clicks,
            clicks: AtomicI64::new(0),
        })
    }

    /// Every link, for the redirect's table; `code` narrows to one.
    pub fn links(&self, code: Option<&str>) -> Result<Vec<Link>, StoreError> {
        let sites = self.sites()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.code, l.site_id, l.target_url, l.share_token, s.channel, l.created_ms,
                    l.expires_ms, l.max_clicks, l.clicks
             FROM links l LEFT JOIN shares s ON s.token = l.share_token
             WHERE ?1 IS NULL OR l.code = ?1",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, i64>(8)?,
            ))
        })?;
        let mut links = Vec::new();
        for row in rows {
            let (
                code,
                site_id,
                target_url,
                token,
                channel,
                created_ms,
                expires_ms,
                max_clicks,
                clicks,
            ) = row?;
            let Some(site) = sites.iter().find(|s| s.id == site_id) else {
                continue;
            };
            let location = add_token(
                &target_url,
                &token,
                site.settings.token_in,
                &site.settings.token_param,
            );
            let location = match location_header(&code, location) {
                Ok(location) => location,
                Err(error) => {
                    tracing::error!(link.code = %code, error = %error, "link not loaded");
                    continue;
                }
            };
            links.push(Link {
                location,
                code: Arc::from(code),
                site_id: Arc::from(site_id.as_str()),
                target_url,
                share_token: Arc::from(token),
                channel: channel.as_deref().and_then(Channel::parse),
                created_ms,
                expires_ms,
                max_clicks,
                clicks: AtomicI64::new(clicks),
            });
        }
        Ok(links)
    }

    /// The shares of one site, newest first.
    pub fn shares(&self, site_id: &str, limit: usize) -> Result<Vec<ShareRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT token, channel, channel_origin, inferred_channel, parent_token, content_url,
                    origin, visitor_id IS NOT NULL, created_ms
             FROM shares WHERE site_id = ?1 ORDER BY created_ms DESC, rowid DESC LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![site_id, limit as i64], |r| {
                Ok(ShareRow {
                    token: r.get(0)?,
                    channel: r.get(1)?,
                    channel_origin: r.get(2)?,
                    inferred_channel: r.get(3)?,
                    parent: r.get(4)?,
                    content_url: r.get(5)?,
                    origin: r.get(6)?,
                    has_visitor: r.get(7)?,
                    created_ms: r.get(8)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

/// The `Location` header of a link. Stored targets are made header-safe
/// when they are created, so this fails only for a file edited by hand.
fn location_header(code: &str, location: String) -> Result<HeaderValue, StoreError> {
    HeaderValue::try_from(location).map_err(|_| {
        StoreError::Conflict(format!(
            "the target of link {code} cannot be sent as a Location header"
        ))
    })
}
