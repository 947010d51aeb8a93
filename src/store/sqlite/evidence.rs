//! The evidence kept with each event: read back for `hearsay reclassify`,
//! and the raw user agents dropped once their site's retention is over.
//!
//! Raw user agents live once each in the `user_agents` dictionary;
//! `agent_sightings` says when each site last sent each one. Dropping an
//! agent blanks its raw string and keeps what was read from it (device,
//! OS, browser, in-app browser), so reports stay whole.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::params;

use super::{SqliteStore, StoreError};
use crate::classify::replay::{LinkFacts, Recorded};
use crate::classify::{Channel, Classifier, Medium, Method, RequestClass, Source};
use crate::event::EventKind;

const DAY_MS: i64 = 86_400_000;

impl SqliteStore {
    /// Up to `limit` events with ids above `after_id`, at or after
    /// `since_ms`, of one site or all, in stored order, with the evidence
    /// that decided them.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does, or a row holds a kind or class this binary
    /// does not know.
    pub fn recorded_events(
        &self,
        since_ms: i64,
        site_id: Option<&str>,
        after_id: i64,
        limit: usize,
    ) -> Result<Vec<Recorded>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.kind, e.ts_ms, e.class, e.channel, e.rule, e.method,
                    e.agent_id IS NOT NULL, a.user_agent, e.medium, e.source, e.link_code,
                    e.share_token, e.visitor_id, e.status, e.is_click
             FROM events e LEFT JOIN user_agents a ON a.id = e.agent_id
             WHERE e.id > ?1 AND e.ts_ms >= ?2 AND (?3 IS NULL OR e.site_id = ?3)
             ORDER BY e.id LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![after_id, since_ms, site_id, limit as i64], |r| {
            let has_agent: bool = r.get(7)?;
            let agent: Option<String> = r.get(8)?;
            Ok(RawRow {
                id: r.get(0)?,
                kind: r.get(1)?,
                ts_ms: r.get(2)?,
                class: r.get(3)?,
                channel: r.get(4)?,
                rule: r.get(5)?,
                method: r.get(6)?,
                // No agent row: none was sent. A row whose string is
                // gone: dropped after retention.
                user_agent: if has_agent {
                    agent
                } else {
                    Some(String::new())
                },
                medium: r.get(9)?,
                source: r.get(10)?,
                link_code: r.get(11)?,
                share_token: r.get(12)?,
                visitor_id: r.get(13)?,
                status: r.get(14)?,
                is_click: r.get(15)?,
            })
        })?;
        rows.map(|row| row?.into_recorded()).collect()
    }

    /// Creation time and declared channel of every link, by code.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does.
    pub fn link_facts(&self) -> Result<HashMap<String, LinkFacts>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT l.code, l.created_ms, s.channel
             FROM links l LEFT JOIN shares s ON s.token = l.share_token",
        )?;
        let rows = stmt.query_map([], |r| {
            let channel: Option<String> = r.get(2)?;
            Ok((
                r.get::<_, String>(0)?,
                LinkFacts {
                    created_ms: r.get(1)?,
                    channel: channel.as_deref().and_then(Channel::parse),
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The time of every email share a page reported, by token.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does.
    pub fn email_share_times(&self) -> Result<HashMap<String, i64>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT token, created_ms FROM shares
             WHERE channel = 'email' AND channel_origin = 'declared' AND origin = 'widget'",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Reads every kept raw user agent again (device, OS, browser, in-app
    /// browser). Returns how many readings changed.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does; nothing is changed then.
    pub fn reparse_user_agents(&mut self, classifier: &Classifier) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut read = tx.prepare(
                "SELECT id, user_agent, device, os, browser, in_app FROM user_agents
                 WHERE user_agent IS NOT NULL",
            )?;
            let mut write = tx.prepare(
                "UPDATE user_agents SET device = ?2, os = ?3, browser = ?4, in_app = ?5
                 WHERE id = ?1",
            )?;
            let rows = read.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    (
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ),
                ))
            })?;
            for row in rows {
                let (id, agent, stored) = row?;
                let info = classifier.parse_user_agent(&agent);
                let fresh = (
                    info.device.as_str().to_owned(),
                    info.os,
                    info.browser,
                    info.in_app,
                );
                if fresh != stored {
                    write.execute(params![id, fresh.0, fresh.1, fresh.2, fresh.3])?;
                    changed += 1;
                }
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Sets the inferred channel of the shares made at or after
    /// `since_ms` (of one site or all) to the first channel their events
    /// named, by token; a share made by its first arrival also takes it as
    /// its channel (`copy` when nothing named one). Returns how many shares
    /// changed.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does; nothing is changed then.
    pub fn set_share_evidence(
        &mut self,
        since_ms: i64,
        site_id: Option<&str>,
        evidence: &HashMap<String, Channel>,
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut read = tx.prepare(
                "SELECT token, channel, inferred_channel,
                        origin = 'arrival' AND channel_origin = 'inferred'
                 FROM shares WHERE created_ms >= ?1 AND (?2 IS NULL OR site_id = ?2)",
            )?;
            let mut write = tx.prepare(
                "UPDATE shares SET channel = ?2, inferred_channel = ?3 WHERE token = ?1",
            )?;
            let rows = read.query_map(params![since_ms, site_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })?;
            for row in rows {
                let (token, channel, inferred, made_by_arrival) = row?;
                let named = evidence.get(&token).map(|c| c.as_str().to_owned());
                let new_channel = if made_by_arrival {
                    Some(
                        named
                            .clone()
                            .unwrap_or_else(|| Channel::Copy.as_str().to_owned()),
                    )
                } else {
                    channel.clone()
                };
                if (&new_channel, &named) != (&channel, &inferred) {
                    write.execute(params![token, new_channel, named])?;
                    changed += 1;
                }
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Drops the raw user agents no site has sent within its retention
    /// (`user_agent_retention_days` of the site's settings, else
    /// `default_days`), counted back from `now_ms`. Returns how many were
    /// dropped.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does; nothing is dropped then.
    pub fn drop_expired_user_agents(
        &mut self,
        now_ms: i64,
        default_days: u32,
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let dropped = tx.execute(
            "UPDATE user_agents SET user_agent = NULL
             WHERE user_agent IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM agent_sightings g LEFT JOIN sites s ON s.id = g.site_id
                 WHERE g.agent_id = user_agents.id
                   AND g.last_seen_ms >= ?1 - ?3 * COALESCE(
                       json_extract(s.settings, '$.user_agent_retention_days'), ?2))",
            params![now_ms, default_days, DAY_MS],
        )?;
        tx.execute(
            "DELETE FROM agent_sightings WHERE agent_id IN
                 (SELECT id FROM user_agents WHERE user_agent IS NULL)",
            [],
        )?;
        tx.commit()?;
        if dropped > 0 {
            // The writer's cache may point at rows that no longer hold
            // their string; the same agent sent again gets a new row.
            self.agent_ids.clear();
        }
        Ok(dropped)
    }
}

/// A row as SQLite gives it.
struct RawRow {
    id: i64,
    kind: String,
    ts_ms: i64,
    class: String,
    channel: Option<String>,
    rule: String,
    method: Option<String>,
    user_agent: Option<String>,
    medium: Option<String>,
    source: Option<String>,
    link_code: Option<String>,
    share_token: Option<String>,
    visitor_id: Option<i64>,
    status: Option<u16>,
    is_click: bool,
}

impl RawRow {
    fn into_recorded(self) -> Result<Recorded, StoreError> {
        let unknown = |what: &str, value: &str| {
            StoreError::Conflict(format!(
                "event {} has {what} {value:?}, which this binary does not know",
                self.id
            ))
        };
        let kind = EventKind::parse(&self.kind).ok_or_else(|| unknown("kind", &self.kind))?;
        let class =
            RequestClass::parse(&self.class).ok_or_else(|| unknown("class", &self.class))?;
        let referrer = self
            .medium
            .as_deref()
            .and_then(Medium::parse)
            .map(|medium| Source {
                medium,
                source: self.source.clone(),
            });
        Ok(Recorded {
            id: self.id,
            kind,
            ts_ms: self.ts_ms,
            class,
            channel: self.channel.as_deref().and_then(Channel::parse),
            rule: self.rule,
            method: Method::from_name(self.method.as_deref().unwrap_or("GET")),
            user_agent: self.user_agent,
            referrer,
            link_code: self.link_code.as_deref().map(Arc::from),
            share_token: self.share_token,
            visitor_id: self.visitor_id,
            status: self.status,
            is_click: self.is_click,
        })
    }
}
