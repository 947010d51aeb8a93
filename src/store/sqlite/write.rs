//! Writing event batches: one transaction per batch, with the shares,
//! contents, link click counts and salts that the batch implies.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, StoreError};
use crate::classify::replay::VerdictChange;
use crate::event::{Event, EventKind};

/// Bound on the writer's map of user-agent ids; past it the map starts
/// afresh (the dictionary in the file is never lost, only re-read).
const MAX_CACHED_AGENT_IDS: usize = 100_000;

/// The longest raw user agent stored, in bytes. Real ones are far shorter
/// (the longest in uap-core's and isbot's test corpora is 492 bytes); what
/// is longer is stored cut, so a client cannot grow the store by sending
/// huge headers.
pub const MAX_STORED_USER_AGENT_BYTES: usize = 1024;

/// The part of a user agent that is stored: at most
/// [`MAX_STORED_USER_AGENT_BYTES`], cut at a character boundary.
pub fn stored_user_agent(agent: &str) -> &str {
    if agent.len() <= MAX_STORED_USER_AGENT_BYTES {
        return agent;
    }
    let mut end = MAX_STORED_USER_AGENT_BYTES;
    while !agent.is_char_boundary(end) {
        end -= 1;
    }
    &agent[..end]
}

/// Everything the writer commits together.
#[derive(Default)]
pub struct Batch {
    pub events: Vec<Event>,
    /// New daily salts to keep: (day `YYYY-MM-DD`, salt).
    pub salts: Vec<(String, [u8; 32])>,
    /// Salts of days before this one are destroyed.
    pub keep_salts_from: Option<String>,
    /// Counter increments: (name, delta).
    pub counters: Vec<(&'static str, i64)>,
}

impl SqliteStore {
    /// Commits a batch in one transaction. Returns the row id of each
    /// event, in the batch's order.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does; the transaction is rolled back and nothing of
    /// the batch is stored.
    pub fn write_batch(&mut self, batch: &Batch) -> Result<Vec<i64>, StoreError> {
        let result = self.write_batch_once(batch);
        if result.is_err() {
            // Ids learnt inside a rolled-back transaction do not exist.
            self.agent_ids.clear();
        }
        result
    }

    fn write_batch_once(&mut self, batch: &Batch) -> Result<Vec<i64>, StoreError> {
        let mut ids = Vec::with_capacity(batch.events.len());
        let agent_ids = &mut self.agent_ids;
        if agent_ids.len() > MAX_CACHED_AGENT_IDS {
            agent_ids.clear();
        }
        let tx = self.conn.transaction()?;
        {
            let mut find_agent = tx.prepare_cached(
                "INSERT INTO user_agents (user_agent, device, os, browser, in_app, first_seen_ms,
                    last_seen_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                 ON CONFLICT (user_agent) DO UPDATE SET last_seen_ms = excluded.last_seen_ms
                 RETURNING id",
            )?;
            let mut insert_event = tx.prepare_cached(
                "INSERT INTO events (site_id, kind, ts_ms, class, channel, rule, method, agent_id,
                    referrer_host, medium, source, url, home, pageview, link_code, share_token,
                    visitor_id, status, value, is_click)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20)",
            )?;
            // Redirects, the most of all events, fill fewer columns: their
            // kind is written into the statement and page fields are left out.
            let mut insert_redirect = tx.prepare_cached(
                "INSERT INTO events (site_id, kind, ts_ms, class, channel, rule, method, agent_id,
                    referrer_host, medium, source, link_code, share_token, visitor_id, status,
                    is_click)
                 VALUES (?1, 'redirect', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                    ?15)",
            )?;
            let mut declare_share = tx.prepare_cached(
                "INSERT INTO shares (token, site_id, content_url, channel, channel_origin,
                    parent_token, visitor_id, origin, created_ms)
                 VALUES (?1, ?2, ?3, ?4, 'declared', ?5, ?6, 'widget', ?7)
                 ON CONFLICT (token) DO UPDATE SET
                    channel = excluded.channel, channel_origin = 'declared',
                    parent_token = COALESCE(shares.parent_token, excluded.parent_token),
                    visitor_id = COALESCE(shares.visitor_id, excluded.visitor_id),
                    content_url = COALESCE(shares.content_url, excluded.content_url),
                    origin = CASE shares.origin WHEN 'arrival' THEN 'widget' ELSE shares.origin END
                 WHERE shares.site_id = excluded.site_id",
            )?;
            let mut infer_share = tx.prepare_cached(
                "INSERT INTO shares (token, site_id, content_url, channel, channel_origin,
                    origin, created_ms)
                 VALUES (?1, ?2, ?3, ?4, 'inferred', 'arrival', ?5)
                 ON CONFLICT (token) DO NOTHING",
            )?;
            let mut learn_channel = tx.prepare_cached(
                "UPDATE shares SET inferred_channel = ?2
                 WHERE token = ?1 AND site_id = ?3 AND inferred_channel IS NULL",
            )?;
            let mut upsert_content = tx.prepare_cached(
                "INSERT INTO contents (site_id, url, title, topics) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (site_id, url) DO UPDATE SET
                    title = COALESCE(excluded.title, contents.title),
                    topics = COALESCE(excluded.topics, contents.topics)",
            )?;
            let mut clicks: HashMap<&str, i64> = HashMap::new();
            // Shares whose channel this batch already tried to learn: the
            // first evidence wins, so one update per share is enough.
            let mut learnt: std::collections::HashSet<&str, foldhash::fast::RandomState> =
                Default::default();
            // Agents seen in this batch, by site, for retention.
            let mut sightings: std::collections::HashSet<(i64, &str), foldhash::fast::RandomState> =
                Default::default();

            for event in &batch.events {
                let verdict = &event.verdict;
                let referrer = event.referrer.as_deref();
                let is_click = event.is_click();
                let agent_id = match &event.user_agent {
                    Some(full) => match agent_ids.get(stored_user_agent(full)) {
                        Some(&id) => Some(id),
                        None => {
                            let agent = stored_user_agent(full);
                            let info = &verdict.agent;
                            let id: i64 = find_agent.query_row(
                                params![
                                    agent,
                                    info.device.as_str(),
                                    info.os.as_deref(),
                                    info.browser.as_deref(),
                                    info.in_app.as_deref(),
                                    event.ts_ms
                                ],
                                |r| r.get(0),
                            )?;
                            let key = if agent.len() == full.len() {
                                full.clone()
                            } else {
                                Arc::from(agent)
                            };
                            agent_ids.insert(key, id);
                            Some(id)
                        }
                    },
                    None => None,
                };
                if let Some(id) = agent_id {
                    sightings.insert((id, event.site_id.as_deref().unwrap_or("")));
                }
                if event.kind == EventKind::Redirect {
                    insert_redirect.execute(params![
                        event.site_id.as_deref(),
                        event.ts_ms,
                        verdict.class.as_str(),
                        event.stored_channel().map(|c| c.as_str()),
                        verdict.rule,
                        event.method.map(|m| m.as_str()),
                        agent_id,
                        referrer.and_then(|r| r.host.as_deref()),
                        referrer.map(|r| r.source.medium.as_str()),
                        referrer.and_then(|r| r.source.source.as_deref()),
                        event.link_code.as_deref(),
                        event.share_token.as_deref(),
                        event.visitor_id,
                        event.status,
                        is_click,
                    ])?;
                } else {
                    insert_event.execute(params![
                        event.site_id.as_deref(),
                        event.kind.as_str(),
                        event.ts_ms,
                        verdict.class.as_str(),
                        event.stored_channel().map(|c| c.as_str()),
                        verdict.rule,
                        event.method.map(|m| m.as_str()),
                        agent_id,
                        referrer.and_then(|r| r.host.as_deref()),
                        referrer.map(|r| r.source.medium.as_str()),
                        referrer
                            .and_then(|r| r.source.source.as_deref())
                            .or(event.label.as_deref()),
                        event.url.as_deref(),
                        event.home,
                        event.pageview,
                        event.link_code.as_deref(),
                        event.share_token.as_deref(),
                        event.visitor_id,
                        event.status,
                        event.value,
                        is_click,
                    ])?;
                }
                ids.push(tx.last_insert_rowid());
                if is_click && let Some(code) = event.link_code.as_deref() {
                    *clicks.entry(code).or_default() += 1;
                }
                if let (Some(share), Some(site_id)) = (&event.share, event.site_id.as_deref()) {
                    let channel = share.channel.map(|c| c.as_str());
                    match event.kind {
                        EventKind::Share => declare_share.execute(params![
                            share.token,
                            site_id,
                            share.content_url,
                            channel,
                            share.parent,
                            event.visitor_id,
                            event.ts_ms
                        ])?,
                        _ => infer_share.execute(params![
                            share.token,
                            site_id,
                            share.content_url,
                            channel,
                            event.ts_ms
                        ])?,
                    };
                }
                if let (Some(channel), Some(token)) =
                    (event.evidence_channel, event.share_token.as_deref())
                    && learnt.insert(token)
                {
                    learn_channel.execute(params![token, channel.as_str(), event.site_id])?;
                }
                if let (Some(content), Some(site_id)) = (&event.content, event.site_id.as_deref()) {
                    let topics = (!content.topics.is_empty())
                        .then(|| serde_json::to_string(&content.topics).expect("topics serialise"));
                    upsert_content.execute(params![site_id, content.url, content.title, topics])?;
                }
            }

            let mut add_clicks =
                tx.prepare_cached("UPDATE links SET clicks = clicks + ?2 WHERE code = ?1")?;
            for (code, n) in clicks {
                add_clicks.execute(params![code, n])?;
            }
            // Retention counts from when an agent was stored, not from the
            // event's own time (an imported log may be years old).
            let written_ms = crate::event::now_ms();
            let mut sighted = tx.prepare_cached(
                "INSERT INTO agent_sightings (agent_id, site_id, last_seen_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (agent_id, site_id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms",
            )?;
            for (id, site_id) in sightings {
                sighted.execute(params![id, site_id, written_ms])?;
            }
            for (day, salt) in &batch.salts {
                tx.execute(
                    "INSERT OR IGNORE INTO salts (day, salt) VALUES (?1, ?2)",
                    params![day, &salt[..]],
                )?;
            }
            if let Some(first_kept) = &batch.keep_salts_from {
                tx.execute("DELETE FROM salts WHERE day < ?1", [first_kept])?;
            }
            for (name, delta) in &batch.counters {
                tx.execute(
                    "INSERT INTO counters (name, value) VALUES (?1, ?2)
                     ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
                    params![name, delta],
                )?;
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// Files stored events under new verdicts, in one transaction, and
    /// takes back from their links the clicks that are clicks no more (or
    /// adds those that now are). Returns the change in clicks by link code.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does; nothing is changed then.
    pub fn update_verdicts(
        &mut self,
        changes: &[VerdictChange],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut clicks: HashMap<String, i64> = HashMap::new();
        {
            let mut read =
                tx.prepare_cached("SELECT link_code, is_click FROM events WHERE id = ?1")?;
            let mut update = tx.prepare_cached(
                "UPDATE events SET class = ?2, channel = ?3, rule = ?4, is_click = ?5 WHERE id = ?1",
            )?;
            for change in changes {
                let Some((code, was_click)) = read
                    .query_row([change.id], |r| {
                        Ok((r.get::<_, Option<String>>(0)?, r.get::<_, bool>(1)?))
                    })
                    .optional()?
                else {
                    continue;
                };
                update.execute(params![
                    change.id,
                    change.class.as_str(),
                    change.channel.map(|c| c.as_str()),
                    change.rule,
                    change.is_click,
                ])?;
                if let Some(code) = code
                    && was_click != change.is_click
                {
                    *clicks.entry(code).or_default() += if change.is_click { 1 } else { -1 };
                }
            }
            let mut add_clicks =
                tx.prepare_cached("UPDATE links SET clicks = MAX(0, clicks + ?2) WHERE code = ?1")?;
            for (code, delta) in &clicks {
                if *delta != 0 {
                    add_clicks.execute(params![code, delta])?;
                }
            }
        }
        tx.commit()?;
        clicks.retain(|_, delta| *delta != 0);
        Ok(clicks)
    }

    /// The file imported before with this fingerprint, if any: its name,
    /// line count and time of import.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does.
    pub fn imported_before(
        &self,
        fingerprint: &[u8; 32],
    ) -> Result<Option<(String, i64, i64)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, lines, imported_ms FROM imports WHERE fingerprint = ?1",
                [&fingerprint[..]],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Notes a file as imported.
    ///
    /// # Errors
    ///
    /// Fails if SQLite does.
    pub fn record_import(
        &mut self,
        fingerprint: &[u8; 32],
        name: &str,
        lines: u64,
        imported_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO imports (fingerprint, name, lines, imported_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name,
                lines = excluded.lines, imported_ms = excluded.imported_ms",
            params![&fingerprint[..], name, lines as i64, imported_ms],
        )?;
        Ok(())
    }

    /// The salts still kept, by day.
    pub fn salts(&self) -> Result<Vec<(String, [u8; 32])>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT day, salt FROM salts ORDER BY day")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?
            .filter_map(|row| match row {
                Ok((day, salt)) => <[u8; 32]>::try_from(salt.as_slice())
                    .ok()
                    .map(|s| Ok((day, s))),
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
